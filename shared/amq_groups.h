/*
 * Rate-limit groups (amq_group_create): token buckets that stellar-amq
 * applies to the packets a plugin put in the group
 * (session_set_ratelimit_group). Defined by plugins in any worker, read by
 * stellar-amq; a group's first definition wins.
 */
#ifndef STELLAR_AMQ_GROUPS_H
#define STELLAR_AMQ_GROUPS_H

#include <stdint.h>

#define AMQ_MAX_GROUPS 1024 /* group 0 means "none" */

struct amq_group {
	uint32_t state;      /* 0: free, 1: being defined, 2: defined */
	uint32_t owner;      /* plugin worker defining it (state 1) */
	uint64_t cir;        /* committed rate, bytes per second */
	uint64_t cbs;        /* committed burst, bytes */
};

#endif
