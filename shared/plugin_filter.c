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

/* Indirect loads take X (eBPF r7 in the converted program) as their base;
 * the 22.11 converter leaves r0 (A) there for byte and word loads. */
static void fix_indirect_loads(struct rte_bpf_prm *prm)
{
	for (uint32_t i = 0; i < prm->nb_ins; i++) {
		struct ebpf_insn *x = (struct ebpf_insn *)&prm->ins[i];

		if (BPF_CLASS(x->code) == BPF_LD && BPF_MODE(x->code) == BPF_IND)
			x->src_reg = EBPF_REG_7;
	}
}

int plugin_filter_compile_node(const char *expr, struct rte_bpf **out, char *err, size_t errlen)
{
	struct bpf_program prog;
	struct rte_bpf_prm *prm;
	int rc = plugin_filter_compile(expr, &prog, err, errlen);

	*out = NULL;
	if (rc < 0)
		return rc;
	prm = rte_bpf_convert(&prog);
	pcap_freecode(&prog);
	if (prm) {
		fix_indirect_loads(prm);
		*out = rte_bpf_load(prm);
		rte_free(prm);
	}
	if (!*out) {
		snprintf(err, errlen, "'%s': DPDK's BPF cannot run it (%s); try an equivalent expression", expr,
			 rte_strerror(rte_errno));
		return -EINVAL;
	}
	return 0;
}

int plugin_filter_init(struct plugin_filter *f, const struct plugins_shm *ps, struct filter_node_counts *counts,
		       char *err, size_t errlen)
{
	char why[512];
	int rc = 0;

	memset(f, 0, sizeof(*f));
	f->counts = counts;
	for (unsigned i = 0; i < ps->n_nodes; i++) {
		f->parent[i] = ps->node[i].parent;
		if (plugin_filter_compile_node(ps->node[i].expr, &f->bpf[i], why, sizeof(why)) < 0 && rc == 0) {
			snprintf(err, errlen, "%s", why);
			rc = -EINVAL;
		}
		f->n = i + 1;
	}
	return rc;
}

bool plugin_filter_usable(const struct plugin_filter *f, uint16_t leaf)
{
	for (uint16_t n = leaf; n != FILTER_NONE; n = f->parent[n])
		if (n >= f->n || !f->bpf[n])
			return false;
	return true;
}

void plugin_filter_fini(struct plugin_filter *f)
{
	for (unsigned i = 0; i < f->n; i++)
		if (f->bpf[i])
			rte_bpf_destroy(f->bpf[i]);
	f->n = 0;
}

void plugin_filter_run(struct plugin_filter *f, struct rte_mbuf *m)
{
	for (unsigned i = 0; i < f->n; i++) {
		uint16_t parent = f->parent[i];
		uint64_t rc;

		if ((parent != FILTER_NONE && !f->matched[parent]) || !f->bpf[i]) {
			f->matched[i] = 0;
			continue;
		}
		rc = rte_bpf_exec(f->bpf[i], m);
		f->matched[i] = rc != 0;
		if (f->counts) {
			f->counts[i].evaluated++;
			f->counts[i].matched += rc != 0;
		}
	}
}
