/* stellar-bench loopcap IN OUT COPIES: a capture repeated, its timestamps
 * moved on each round, so a paced run lasts as long as a bench needs. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

int bench_loopcap(const char *in, const char *out, unsigned copies)
{
	struct frames f;
	pcap_t *dead;
	pcap_dumper_t *d;
	uint64_t t = 1700000000ull * 1000000ull; /* µs */

	if (frames_load(&f, in) < 0)
		return -1;
	dead = pcap_open_dead(DLT_EN10MB, 65535);
	d = dead ? pcap_dump_open(dead, out) : NULL;
	if (!d) {
		fprintf(stderr, "bench: cannot write %s\n", out);
		return -1;
	}
	for (unsigned c = 0; c < copies; c++)
		for (unsigned i = 0; i < f.n; i++) {
			struct pcap_pkthdr h;

			t += 100;
			h.ts.tv_sec = (time_t)(t / 1000000);
			h.ts.tv_usec = (suseconds_t)(t % 1000000);
			h.caplen = f.len[i];
			h.len = f.wire[i];
			pcap_dump((u_char *)d, &h, f.data[i]);
		}
	pcap_dump_close(d);
	pcap_close(dead);
	frames_free(&f);
	return 0;
}
