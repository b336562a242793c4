/*
 * Symmetric flow hash used to steer packets to session shards and plugin
 * workers: both directions of a flow give the same value. Reads Ethernet,
 * VLAN/QinQ tags, IPv4/IPv6 and TCP/UDP/SCTP ports; IP fragments hash on
 * addresses only so every fragment of a datagram goes the same way.
 */
#ifndef STELLAR_FLOW_HASH_H
#define STELLAR_FLOW_HASH_H

#include <stdint.h>

#include <rte_mbuf.h>

#ifdef __cplusplus
extern "C" {
#endif

uint32_t flow_hash_symmetric(const struct rte_mbuf *m);

/* Maps a hash onto [0, n) using its high bits, so that it does not correlate
 * with the low bits that pick a steering bucket. */
static inline unsigned flow_hash_reduce(uint32_t hash, unsigned n)
{
	return (unsigned)(((uint64_t)hash * n) >> 32);
}

#ifdef __cplusplus
}
#endif
#endif
