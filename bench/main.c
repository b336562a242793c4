/*
 * stellar-bench: the measurements behind `make bench` (bench/run.sh).
 *   stellar-bench decode DATA_DIR OUT.json   decoder cost per kind of traffic
 *   stellar-bench io CAPTURE OUT.json        stellar-io's per-packet path
 *   stellar-bench sessions OUT.json          session table vs rte_hash, new sessions/s
 *   stellar-bench plugins CAPTURE PLUGIN_DIR OUT.json
 *                                            dispatch and filter trie cost
 *   stellar-bench report DIR PART.json...    merge into DIR/results.{json,md,dat}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static int write_part(json_t *j, const char *path)
{
	int rc = json_dump_file(j, path, JSON_INDENT(2) | JSON_SORT_KEYS);

	json_decref(j);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	json_t *out = json_object();

	if (argc >= 4 && strcmp(argv[1], "decode") == 0)
		return bench_decode(argv[2], out) < 0 ? 1 : write_part(out, argv[3]);
	if (argc >= 4 && strcmp(argv[1], "io") == 0)
		return bench_io(argv[2], out) < 0 ? 1 : write_part(out, argv[3]);
	if (argc >= 3 && strcmp(argv[1], "sessions") == 0)
		return bench_sessions(out) < 0 ? 1 : write_part(out, argv[2]);
	if (argc >= 5 && strcmp(argv[1], "plugins") == 0)
		return bench_plugins(argv[2], argv[3], out) < 0 ? 1 : write_part(out, argv[4]);
	if (argc >= 5 && strcmp(argv[1], "loopcap") == 0)
		return bench_loopcap(argv[2], argv[3], (unsigned)atoi(argv[4])) < 0 ? 1 : 0;
	if (argc >= 3 && strcmp(argv[1], "report") == 0)
		return bench_report(argv[2], argc - 3, argv + 3) < 0 ? 1 : 0;
	fprintf(stderr, "usage: stellar-bench decode DATA_DIR OUT.json | io CAPTURE OUT.json |\n"
			"                     sessions OUT.json | plugins CAPTURE PLUGIN_DIR OUT.json |\n"
			"                     report DIR PART.json...\n");
	return 2;
}
