#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "bench.h"

int frames_load(struct frames *f, const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned cap = 0;

	memset(f, 0, sizeof(*f));
	if (!p)
		return -1;
	while (pcap_next_ex(p, &h, &d) == 1) {
		if (f->n == cap) {
			cap = cap ? cap * 2 : 256;
			f->data = realloc(f->data, cap * sizeof(*f->data));
			f->len = realloc(f->len, cap * sizeof(*f->len));
			f->wire = realloc(f->wire, cap * sizeof(*f->wire));
		}
		f->data[f->n] = malloc(h->caplen);
		memcpy(f->data[f->n], d, h->caplen);
		f->len[f->n] = h->caplen;
		f->wire[f->n++] = h->len;
	}
	pcap_close(p);
	return f->n ? 0 : -1;
}

void frames_free(struct frames *f)
{
	for (unsigned i = 0; i < f->n; i++)
		free(f->data[i]);
	free(f->data);
	free(f->len);
	free(f->wire);
	memset(f, 0, sizeof(*f));
}
