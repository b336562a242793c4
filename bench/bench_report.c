/* Merges the parts of a bench run; the Markdown and the plot data carry
 * each measurement with the baseline measured in the same run. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

static double num(json_t *root, const char *a, const char *b)
{
	return json_real_value(json_object_get(json_object_get(root, a), b)) +
	       (double)json_integer_value(json_object_get(json_object_get(root, a), b));
}

static double get(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
}

static const char *met(bool ok)
{
	return ok ? "met" : "**not met**";
}

/* Rows of the session table section: our operation beside rte_hash's,
 * and the goal for the ratio where there is one. */
static const struct {
	const char *label, *ours, *base;
	double goal;
} session_ops[] = {
	{"insert, while filling", "insert_ns", "rte_hash_insert_ns", 0},
	{"lookup", "lookup_ns", "rte_hash_lookup_ns", 0},
	{"lookup, bursts of 32", "lookup_bulk_ns", "rte_hash_lookup_bulk_ns", 0},
	{"lookup + update (counters, timer), bursts of 32", "lookup_bulk_update_ns", "rte_hash_lookup_bulk_ns", 1.5},
	{"close: timer unlink + unindex + release", "close_ns", NULL, 0},
	{"delete: unindex + release", "delete_ns", "rte_hash_delete_ns", 0},
};

static void report_sessions(FILE *md, FILE *dat, json_t *s)
{
	static const char *const sizes[] = {"live_1M", "live_10M"};
	json_t *sh = json_object_get(s, "shard");

	fprintf(md, "\n## Session table: shuffled keys, same keys and hashes in DPDK rte_hash (baseline)\n\n"
		    "| live sessions | operation | Stellar ns/op | rte_hash ns/op | ratio |\n|---|---|---:|---:|---:|\n");
	for (unsigned z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		json_t *o = json_object_get(s, sizes[z]);

		if (!o)
			continue;
		for (unsigned i = 0; i < sizeof(session_ops) / sizeof(session_ops[0]); i++) {
			double ours = get(o, session_ops[i].ours);
			double base = session_ops[i].base ? get(o, session_ops[i].base) : 0;
			double goal = session_ops[i].goal;

			fprintf(md, "| %s | %s | %.1f |", sizes[z] + 5, session_ops[i].label, ours);
			if (!base)
				fprintf(md, " | |\n");
			else if (goal)
				fprintf(md, " %.1f (bulk lookup) | %.2f (goal <= %.1f: %s) |\n", base, ours / base, goal,
					met(ours / base <= goal));
			else
				fprintf(md, " %.1f | %.2f |\n", base, ours / base);
			/* Plot data: ours and rte_hash's at 10M, "operation ours base". */
			if (z == 1)
				fprintf(dat, "sess10M_%.*s %.2f %.2f\n", (int)strlen(session_ops[i].ours) - 3,
					session_ops[i].ours, ours, base);
		}
	}
	fprintf(md, "\n| session table | value | goal |\n|---|---:|---|\n");
	for (unsigned z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		json_t *o = json_object_get(s, sizes[z]);

		if (o)
			fprintf(md, "| bytes per session, %s live | %.1f | <= 256: %s |\n", sizes[z] + 5,
				get(o, "bytes_per_session"), met(get(o, "bytes_per_session") <= 256));
	}
	if (!sh)
		return;
	fprintf(md, "| new TCP sessions (SYN) per second, one core, session_shard_packet | %.2f M | >= 3 M: %s |\n"
		    "| new UDP sessions per second, one core, session_shard_packet | %.2f M | >= 3 M: %s |\n"
		    "| packet of an existing session, with bulk-lookup hints (as stellar-session) | %.1f ns | |\n"
		    "| packet of an existing session, no hint | %.1f ns | |\n",
		get(sh, "new_tcp_per_s") / 1e6, met(get(sh, "new_tcp_per_s") >= 3e6), get(sh, "new_udp_per_s") / 1e6,
		met(get(sh, "new_udp_per_s") >= 3e6), get(sh, "existing_ns_per_packet"),
		get(sh, "existing_nohint_ns_per_packet"));
}

static void report_plugins(FILE *md, json_t *p)
{
	double c = get(p, "c_per_plugin_ns"), lua = get(p, "lua_over_c");
	size_t i;
	json_t *t, *trie = json_object_get(p, "trie");

	fprintf(md, "\n## Plugin dispatch (one worker, real capture packets, plugins that do nothing)\n\n"
		    "| | ns per packet | goal |\n|---|---:|---|\n"
		    "| dispatch with no plugin (baseline) | %.1f | |\n"
		    "| each C plugin, 8 loaded | %.1f | <= 15: %s |\n"
		    "| one C plugin alone | %.1f | |\n"
		    "| one Lua plugin alone | %.1f | <= 10x one C plugin alone: %.1fx, %s |\n",
		get(p, "dispatch_base_ns"), c, met(c <= 15), get(p, "c_single_ns"), get(p, "lua_single_ns"), lua,
		met(lua <= 10));
	fprintf(md, "\n## Filter trie: chains ip > tcp > port, per packet\n\n"
		    "| subscribers | same chain: ns (trie nodes) | own last stage: ns (trie nodes) | "
		    "no trie, chain by chain: ns (evaluations) |\n|---:|---:|---:|---:|\n");
	json_array_foreach(trie, i, t)
		fprintf(md, "| %.0f | %.1f (%.0f) | %.1f (%.0f) | %.1f (%.0f) |\n", get(t, "subscribers"),
			get(t, "shared_ns"), get(t, "shared_nodes"), get(t, "distinct_ns"), get(t, "distinct_nodes"),
			get(t, "unmerged_ns"), get(t, "unmerged_nodes"));
	fprintf(md, "\nGoal: the cost grows with distinct trie nodes, not with subscribers (same chain: "
		    "constant).\n");
}

static void report_restarts(FILE *md, json_t *r)
{
	fprintf(md, "\n## A plugin worker out of service (20 each, under 2000 packets/s)\n\n"
		    "From the cause (kill, restart or scale request) to the first packet the new worker takes.\n\n"
		    "| | p50 ms | p99 ms | goal |\n|---|---:|---:|---|\n"
		    "| kill -9, automatic restart | %.1f | %.1f | p99 <= 100: %s |\n"
		    "| graceful restart | %.1f | %.1f | |\n| scale-up, new worker | %.1f | %.1f | |\n",
		get(r, "kill_p50_ms"), get(r, "kill_p99_ms"), met(get(r, "kill_p99_ms") <= 100),
		get(r, "graceful_p50_ms"), get(r, "graceful_p99_ms"), get(r, "scale_up_p50_ms"),
		get(r, "scale_up_p99_ms"));
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
	if (json_object_get(all, "sessions"))
		report_sessions(md, dat, json_object_get(all, "sessions"));
	if (json_object_get(all, "plugins"))
		report_plugins(md, json_object_get(all, "plugins"));
	if (json_object_get(all, "restarts"))
		report_restarts(md, json_object_get(all, "restarts"));
	fclose(md);
	fclose(dat);
	json_decref(all);
	return 0;
}
