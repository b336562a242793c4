/* rte_bpf_convert() is still "experimental" in DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API 1

#include "plugin_filter.h"

#include "plugin_check.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>
#include <rte_bpf.h>
#include <rte_errno.h>
#include <rte_malloc.h>

int plugin_filter_init(struct plugin_filter *f, const struct plugins_shm *ps, struct filter_node_counts *counts,
		       char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	f->counts = counts;
	for (unsigned i = 0; i < ps->n_nodes; i++) {
		struct bpf_program prog;
		struct rte_bpf_prm *prm;
		struct rte_bpf_jit jit;
		int rc = plugin_filter_compile(ps->node[i].expr, &prog, err, errlen);

		if (rc < 0) {
			plugin_filter_fini(f);
			return rc;
		}
		prm = rte_bpf_convert(&prog);
		pcap_freecode(&prog);
		f->bpf[i] = prm ? rte_bpf_load(prm) : NULL;
		rte_free(prm);
		if (!f->bpf[i]) {
			snprintf(err, errlen, "'%s': DPDK cannot load its BPF program (%s)", ps->node[i].expr,
				 rte_strerror(rte_errno));
			plugin_filter_fini(f);
			return -EINVAL;
		}
		if (rte_bpf_get_jit(f->bpf[i], &jit) == 0 && jit.func)
			f->jit[i] = jit.func;
		f->parent[i] = ps->node[i].parent;
		f->n = i + 1;
	}
	return 0;
}

void plugin_filter_fini(struct plugin_filter *f)
{
	for (unsigned i = 0; i < f->n; i++)
		rte_bpf_destroy(f->bpf[i]);
	f->n = 0;
}

void plugin_filter_run(struct plugin_filter *f, struct rte_mbuf *m)
{
	for (unsigned i = 0; i < f->n; i++) {
		uint16_t parent = f->parent[i];
		uint64_t rc;

		if (parent != FILTER_NONE && !f->matched[parent]) {
			f->matched[i] = 0;
			continue;
		}
		rc = f->jit[i] ? f->jit[i](m) : rte_bpf_exec(f->bpf[i], m);
		f->matched[i] = rc != 0;
		if (f->counts) {
			f->counts[i].evaluated++;
			f->counts[i].matched += rc != 0;
		}
	}
}
