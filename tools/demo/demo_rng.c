#include "demo_rng.h"

uint64_t rng_next(struct demo_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(struct demo_rng *r, uint64_t seed, uint64_t stream)
{
	/* Mixing the stream through one splitmix step keeps neighbouring flow
	 * indices from producing correlated streams. */
	struct demo_rng m = { .state = stream };

	r->state = seed ^ rng_next(&m);
}

/* Inclusive range; the modulo bias is irrelevant for demo traffic. */
uint32_t rng_between(struct demo_rng *r, uint32_t lo, uint32_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + (uint32_t)(rng_next(r) % ((uint64_t)hi - lo + 1));
}
