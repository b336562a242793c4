#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "io.h"
#include "log.h"

int io_ports_open(struct io_ctx *io, char *err, size_t errlen)
{
	for (unsigned i = 0; i < io->n_ports; i++) {
		struct io_port *p = &io->ports[i];

		if (port_is_ethdev(p->cfg->type))
			continue; /* configured and started by the orchestrator */
		if (pcap_reader_open(&p->reader, p->cfg->rx_pcap, p->st->rx_offset, err, errlen) < 0)
			return -1;
		if (!p->cfg->tx_pcap[0])
			continue;
		/* A predecessor that already created the file leaves a valid
		 * prefix up to tx_offset: keep it, append after it. */
		if (pcap_writer_open(&p->writer, p->cfg->tx_pcap, p->reader.linktype,
				     p->reader.snaplen, p->reader.nano, p->st->tx_started != 0,
				     p->st->tx_offset, err, errlen) < 0)
			return -1;
		p->has_writer = true;
		if (!p->st->tx_started) {
			int64_t off = pcap_writer_commit(&p->writer);

			if (off < 0) {
				snprintf(err, errlen, "cannot write %s: %s", p->cfg->tx_pcap, strerror(errno));
				return -1;
			}
			p->st->tx_offset = (uint64_t)off;
			p->st->tx_started = 1;
		}
		if (p->st->rx_offset)
			LOG_INFO("port %s: resuming at rx offset %llu, tx offset %llu", p->cfg->name,
				 (unsigned long long)p->st->rx_offset,
				 (unsigned long long)p->st->tx_offset);
	}
	return 0;
}

void io_ports_close(struct io_ctx *io)
{
	for (unsigned i = 0; i < io->n_ports; i++) {
		struct io_port *p = &io->ports[i];

		pcap_reader_close(&p->reader);
		if (p->has_writer)
			pcap_writer_close(&p->writer);
		p->has_writer = false;
	}
}
