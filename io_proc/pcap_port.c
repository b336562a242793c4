#include "pcap_port.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PCAP_MAGIC_NANO 0xa1b23c4du
#define PCAP_MAGIC_NANO_SWAPPED 0x4d3cb2a1u

static bool file_is_nano(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint32_t magic = 0;
	bool nano;

	if (!f)
		return false;
	nano = fread(&magic, sizeof(magic), 1, f) == 1 &&
	       (magic == PCAP_MAGIC_NANO || magic == PCAP_MAGIC_NANO_SWAPPED);
	fclose(f);
	return nano;
}

int pcap_reader_open(struct pcap_reader *r, const char *path, uint64_t offset, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];

	memset(r, 0, sizeof(*r));
	r->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!r->p) {
		snprintf(err, errlen, "cannot open capture %s: %s", path, perr);
		return -1;
	}
	r->nano = file_is_nano(path);
	r->linktype = pcap_datalink(r->p);
	r->snaplen = pcap_snapshot(r->p);
	if (offset && pcap_reader_seek(r, offset) < 0) {
		snprintf(err, errlen, "cannot resume %s at offset %llu", path, (unsigned long long)offset);
		pcap_reader_close(r);
		return -1;
	}
	return 0;
}

int pcap_reader_next(struct pcap_reader *r, const struct pcap_pkthdr **hdr, const uint8_t **data,
		     uint64_t *ts_ns, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc = pcap_next_ex(r->p, &h, &d);

	if (rc == 1) {
		*hdr = h;
		*data = d;
		/* Opened with nanosecond precision: tv_usec holds nanoseconds. */
		*ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
		return 1;
	}
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	snprintf(err, errlen, "%s", pcap_geterr(r->p));
	return -1;
}

uint64_t pcap_reader_offset(const struct pcap_reader *r)
{
	long off = ftell(pcap_file(r->p));

	return off < 0 ? 0 : (uint64_t)off;
}

int pcap_reader_seek(struct pcap_reader *r, uint64_t offset)
{
	/* libpcap reads records straight from this FILE, so moving it moves
	 * the next record read. */
	return fseek(pcap_file(r->p), (long)offset, SEEK_SET) == 0 ? 0 : -1;
}

void pcap_reader_close(struct pcap_reader *r)
{
	if (r->p)
		pcap_close(r->p);
	r->p = NULL;
}

int pcap_writer_open(struct pcap_writer *w, const char *path, int linktype, int snaplen, bool nano,
		     bool resume, uint64_t resume_offset, char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	w->nano = nano;
	w->dead = pcap_open_dead_with_tstamp_precision(linktype, snaplen,
		nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
	if (!w->dead) {
		snprintf(err, errlen, "out of memory opening %s", path);
		return -1;
	}
	if (resume) {
		if (truncate(path, (off_t)resume_offset) != 0) {
			snprintf(err, errlen, "cannot cut %s back to its last complete record: %s",
				 path, strerror(errno));
			pcap_writer_close(w);
			return -1;
		}
		w->dumper = pcap_dump_open_append(w->dead, path);
	} else {
		w->dumper = pcap_dump_open(w->dead, path);
	}
	if (!w->dumper) {
		snprintf(err, errlen, "cannot write %s: %s", path, pcap_geterr(w->dead));
		pcap_writer_close(w);
		return -1;
	}
	return 0;
}

int pcap_writer_write(struct pcap_writer *w, uint64_t ts_ns, uint32_t caplen, uint32_t wire_len,
		      const uint8_t *data)
{
	struct pcap_pkthdr h;

	h.ts.tv_sec = (time_t)(ts_ns / 1000000000ull);
	h.ts.tv_usec = (suseconds_t)(w->nano ? ts_ns % 1000000000ull : (ts_ns % 1000000000ull) / 1000);
	h.caplen = caplen;
	h.len = wire_len < caplen ? caplen : wire_len;
	pcap_dump((u_char *)w->dumper, &h, data);
	return ferror(pcap_dump_file(w->dumper)) ? -1 : 0;
}

int64_t pcap_writer_commit(struct pcap_writer *w)
{
	if (pcap_dump_flush(w->dumper) != 0)
		return -1;
	return (int64_t)pcap_dump_ftell64(w->dumper);
}

void pcap_writer_close(struct pcap_writer *w)
{
	if (w->dumper)
		pcap_dump_close(w->dumper);
	if (w->dead)
		pcap_close(w->dead);
	w->dumper = NULL;
	w->dead = NULL;
}
