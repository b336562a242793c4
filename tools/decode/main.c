/*
 * stellar-decode: runs stellar-io's decoder and reassembly over a capture
 * and prints what it adds up to (flows and their frame counts, fragments,
 * encapsulations, HTTP hosts and URIs, DNS names, TLS server names) as JSON,
 * in the terms of tests/data/oracle.py so it can be checked against tshark;
 * under "session_table", the sessions stellar-session's table makes of the
 * same frames, per tshark tuple.
 *
 * usage: stellar-decode FILE.pcap
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "decode_report.h"
#include "defrag.h"
#include "mbuf_meta.h"
#include "session_report.h"

struct run {
	struct decode_config dcfg;
	struct defrag defrag;
	struct defrag_stats dstats;
	struct rte_mempool *pool;
	struct report *report;
	struct app_extract *apps;
	struct session_report *sessions;
	uint8_t flat[65536 + 4096];
};

static char file_prefix[64];

static int eal_start(void)
{
	/* A private DPDK: no hugepages, no shared files, no devices. */
	char *argv[] = {"stellar-decode", "--no-huge", "-m", "256", "--no-shconf", "--no-pci",
			"--no-telemetry", "--log-level=error", "-l", "0", "--file-prefix", file_prefix, NULL};

	snprintf(file_prefix, sizeof(file_prefix), "stellar-decode-%d", (int)getpid());
	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

/* EAL makes a runtime directory even when it shares nothing. */
static void eal_stop(void)
{
	char dir[128];

	rte_eal_cleanup();
	snprintf(dir, sizeof(dir), "/var/run/dpdk/%s", file_prefix);
	rmdir(dir);
}

static const uint8_t *flat_bytes(struct run *run, struct rte_mbuf *m, uint32_t *len)
{
	*len = rte_pktmbuf_pkt_len(m);
	if (m->nb_segs == 1)
		return rte_pktmbuf_mtod(m, const uint8_t *);
	if (*len > sizeof(run->flat))
		*len = sizeof(run->flat);
	return rte_pktmbuf_read(m, 0, *len, run->flat);
}

static void classify(struct run *run, struct rte_mbuf *m, const struct pkt_decode *d)
{
	uint32_t len;
	const uint8_t *bytes = flat_bytes(run, m, &len);

	session_report_packet(run->sessions, d, pkt_meta(m)->ts_ns, pkt_meta(m)->wire_len);
	if (d->ip_version == 0)
		report_other_frame(run->report);
	else
		report_session_frame(run->report, d);
	if (d->ip_version && !(d->frag & FRAG_IS_FRAGMENT))
		app_extract_packet(run->apps, run->report, bytes, len, d);
}

static void release_all(struct defrag_released *rel)
{
	for (unsigned i = 0; i < rel->n; i++)
		pkt_free(rel->pkts[i]);
	rel->n = 0;
}

static int frame(struct run *run, const struct pcap_pkthdr *h, const uint8_t *data, uint64_t ts)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(run->pool), *whole;
	struct defrag_released rel = {.n = 0};
	struct pkt_meta *meta;
	uint32_t len;
	const uint8_t *bytes;

	if (!m)
		return -1;
	/* Build a chain like stellar-io does for frames above the data room. */
	for (uint32_t off = 0; off < h->caplen;) {
		struct rte_mbuf *seg = off ? rte_pktmbuf_alloc(run->pool) : m;
		uint32_t n = RTE_MIN(h->caplen - off, (uint32_t)rte_pktmbuf_tailroom(seg));

		if (!seg || (off && rte_pktmbuf_chain(m, seg) < 0))
			return -1;
		memcpy(rte_pktmbuf_append(seg, (uint16_t)n), data + off, n);
		if (off)
			m->pkt_len += n;
		off += n;
	}
	meta = pkt_meta(m);
	memset(meta, 0, sizeof(*meta));
	meta->ts_ns = ts;
	meta->wire_len = h->len;
	bytes = flat_bytes(run, m, &len);
	decode_packet(bytes, len, h->len > len ? h->len : len, &run->dcfg, &meta->dec);
	report_frame_layers(run->report, &meta->dec);
	if (!(meta->dec.frag & FRAG_IS_FRAGMENT) || meta->dec.status == DECODE_MALFORMED) {
		classify(run, m, &meta->dec);
		pkt_free(m);
		return 0;
	}
	/* As tshark counts them: the frame that completes a datagram belongs
	 * to its flow, every other fragment is counted apart. */
	whole = defrag_push(&run->defrag, m, &rel);
	release_all(&rel);
	if (whole) {
		bytes = flat_bytes(run, whole, &len);
		decode_packet(bytes, len, len, &run->dcfg, &pkt_meta(whole)->dec);
		pkt_meta(whole)->ts_ns = ts;
		classify(run, whole, &pkt_meta(whole)->dec);
		pkt_free(whole);
	} else {
		report_fragment_frame(run->report);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct run run;
	struct defrag_config dfc;
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct defrag_released rel = {.n = 0};
	pcap_t *p;
	json_t *out;
	int rc;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: stellar-decode FILE.pcap\n");
		return 2;
	}
	p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
	if (!p) {
		fprintf(stderr, "stellar-decode: %s\n", err);
		return 1;
	}
	if (eal_start() < 0) {
		fprintf(stderr, "stellar-decode: DPDK initialisation failed\n");
		return 1;
	}
	decode_config_defaults(&run.dcfg);
	defrag_config_defaults(&dfc);
	run.pool = rte_pktmbuf_pool_create("decode", 16383, 0, PKT_META_SIZE, RTE_MBUF_DEFAULT_BUF_SIZE,
					   SOCKET_ID_ANY);
	run.report = report_new();
	run.apps = app_extract_new();
	run.sessions = session_report_new(1u << 20);
	if (!run.pool || !run.report || !run.apps || !run.sessions ||
	    defrag_init(&run.defrag, &dfc, run.pool, 1, &run.dstats) < 0) {
		fprintf(stderr, "stellar-decode: out of memory\n");
		return 1;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1)
		if (frame(&run, h, data, (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec) < 0) {
			fprintf(stderr, "stellar-decode: out of mbufs\n");
			return 1;
		}
	if (rc == PCAP_ERROR)
		fprintf(stderr, "stellar-decode: %s: %s (decoded what came before)\n", argv[1], pcap_geterr(p));
	do {
		defrag_expire(&run.defrag, UINT64_MAX, &rel);
		release_all(&rel);
	} while (defrag_pending(&run.defrag));
	out = report_json(run.report);
	json_object_set_new(out, "session_table", session_report_json(run.sessions));
	json_dumpf(out, stdout, JSON_INDENT(1));
	printf("\n");
	json_decref(out);
	app_extract_free(run.apps);
	session_report_free(run.sessions);
	report_free(run.report);
	pcap_close(p);
	eal_stop();
	return 0;
}
