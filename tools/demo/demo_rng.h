/*
 * Deterministic PRNG for the demo generator. The output capture must be
 * byte-identical for a given seed on every run and every libc, so rand()
 * is out; splitmix64 is tiny, fast and good enough for picking ports,
 * sequence numbers and sizes.
 */
#ifndef STELLAR_DEMO_RNG_H
#define STELLAR_DEMO_RNG_H

#include <stdint.h>

struct demo_rng {
	uint64_t state;
};

/* Each flow gets its own stream so that flow i looks the same whatever
 * --flows says; only the number of flows changes. */
void rng_seed(struct demo_rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct demo_rng *r);
uint32_t rng_between(struct demo_rng *r, uint32_t lo, uint32_t hi);

#endif
