/* Merges the parts of a bench run; the Markdown and the plot data carry
 * each measurement with the baseline measured in the same run. */
#include <stdio.h>

#include "bench.h"

static double num(json_t *root, const char *a, const char *b)
{
	return json_real_value(json_object_get(json_object_get(root, a), b)) +
	       (double)json_integer_value(json_object_get(json_object_get(root, a), b));
}

int bench_report(const char *dir, int nparts, char **parts)
{
	json_t *all = json_object(), *decode;
	char path[1024];
	FILE *md, *dat;
	const char *kind;
	json_t *v;

	for (int i = 0; i < nparts; i++) {
		json_error_t err;
		json_t *p = json_load_file(parts[i], 0, &err);

		if (!p) {
			fprintf(stderr, "bench: %s: %s\n", parts[i], err.text);
			return -1;
		}
		json_object_update(all, p);
		json_decref(p);
	}
	if (json_object_get(all, "io") && json_object_get(all, "testpmd")) {
		double ratio = num(all, "io", "cycles_per_packet") / num(all, "testpmd", "cycles_per_packet");

		json_object_set_new(all, "io_vs_testpmd", json_pack("{s:f, s:f, s:b}", "ratio", ratio, "goal",
			1.5, "met", ratio <= 1.5));
	}
	snprintf(path, sizeof(path), "%s/results.json", dir);
	json_dump_file(all, path, JSON_INDENT(2) | JSON_SORT_KEYS);

	snprintf(path, sizeof(path), "%s/results.md", dir);
	md = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/results.dat", dir);
	dat = fopen(path, "w");
	if (!md || !dat)
		return -1;
	fprintf(md, "# Stellar benchmark results\n\n## Decoding (stellar-io), real capture frames\n\n"
		    "| traffic | ns/packet (decode + flow hash) | distinct frames |\n|---|---:|---:|\n");
	decode = json_object_get(all, "decode");
	json_object_foreach(decode, kind, v) {
		fprintf(md, "| %s | %.1f | %lld |\n", kind,
			json_real_value(json_object_get(v, "ns_per_packet")),
			(long long)json_integer_value(json_object_get(v, "frames")));
		fprintf(dat, "decode_%s %.2f\n", kind, json_real_value(json_object_get(v, "ns_per_packet")));
	}
	if (json_object_get(all, "io_vs_testpmd")) {
		fprintf(md, "\n## stellar-io per-packet path vs dpdk-testpmd (io forwarding), same ports\n\n"
			    "| | cycles/packet |\n|---|---:|\n| dpdk-testpmd --forward-mode=io (baseline) | %.1f |\n"
			    "| stellar-io: RX, decode, reassembly, hash, TX | %.1f |\n| ratio (goal <= 1.5) | %.2f |\n",
			num(all, "testpmd", "cycles_per_packet"), num(all, "io", "cycles_per_packet"),
			num(all, "io_vs_testpmd", "ratio"));
		fprintf(dat, "testpmd_cycles %.2f\nstellar_io_cycles %.2f\n",
			num(all, "testpmd", "cycles_per_packet"), num(all, "io", "cycles_per_packet"));
	}
	fclose(md);
	fclose(dat);
	json_decref(all);
	return 0;
}
