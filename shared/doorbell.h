/*
 * Wake-ups between processes for workers that have run out of work.
 *
 * A consumer with empty inputs announces it is about to sleep, re-checks its
 * inputs, then blocks on a futex in shared memory; a producer that has just
 * enqueued rings the consumer's doorbell, which costs a fence and a load
 * while the consumer is awake and a syscall only when it sleeps.
 */
#ifndef STELLAR_DOORBELL_H
#define STELLAR_DOORBELL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct doorbell {
	uint32_t seq;
	uint32_t sleeping;
} __attribute__((aligned(64)));

/* Called by producers after making work visible to the doorbell's owner. */
void doorbell_ring(struct doorbell *b);

/* Owner side: returns the value to pass to doorbell_wait. The caller must
 * re-check its inputs after this and call doorbell_cancel if it finds work. */
uint32_t doorbell_prepare(struct doorbell *b);
void doorbell_cancel(struct doorbell *b);
/* Blocks until rung or timeout_us passes. Returns 0 if rung, else -ETIMEDOUT
 * or -EINTR. */
int doorbell_wait(struct doorbell *b, uint32_t seen, uint32_t timeout_us);

#ifdef __cplusplus
}
#endif
#endif
