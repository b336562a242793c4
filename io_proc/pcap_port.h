/*
 * Capture-file ports, read and written by stellar-io with libpcap. Offsets
 * are exposed so that a restarted stellar-io resumes reading after the last
 * record its predecessor took, and appends after the last record it wrote.
 */
#ifndef STELLAR_IO_PCAP_PORT_H
#define STELLAR_IO_PCAP_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <pcap/pcap.h>

struct pcap_reader {
	pcap_t *p;
	bool nano;     /* the file stores nanoseconds */
	int linktype;
	int snaplen;
};

/* Opens `path` and positions it at `offset` (0: first record). */
int pcap_reader_open(struct pcap_reader *r, const char *path, uint64_t offset, char *err, size_t errlen);
/* 1: a record (ts in ns), 0: end of file, -1: damaged file (message in err). */
int pcap_reader_next(struct pcap_reader *r, const struct pcap_pkthdr **hdr, const uint8_t **data,
		     uint64_t *ts_ns, char *err, size_t errlen);
uint64_t pcap_reader_offset(const struct pcap_reader *r);
int pcap_reader_seek(struct pcap_reader *r, uint64_t offset);
void pcap_reader_close(struct pcap_reader *r);

struct pcap_writer {
	pcap_t *dead;
	pcap_dumper_t *dumper;
	bool nano;
};

/* Creates the file, or with `resume`, cuts it back to `resume_offset` (the
 * last committed record) and appends. */
int pcap_writer_open(struct pcap_writer *w, const char *path, int linktype, int snaplen, bool nano,
		     bool resume, uint64_t resume_offset, char *err, size_t errlen);
int pcap_writer_write(struct pcap_writer *w, uint64_t ts_ns, uint32_t caplen, uint32_t wire_len,
		      const uint8_t *data);
/* Flushes to the kernel; returns the file offset after the last record, or
 * -1 on a write error. */
int64_t pcap_writer_commit(struct pcap_writer *w);
void pcap_writer_close(struct pcap_writer *w);

#endif
