/* stellar-bench: measurements for `make bench`. Each part writes one JSON
 * object; `stellar-bench report` merges them into results.json, a Markdown
 * table and the data gnuplot draws. */
#ifndef STELLAR_BENCH_H
#define STELLAR_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

/* Frames of a capture, for benchmarks that replay real traffic. */
struct frames {
	unsigned n;
	uint8_t **data;
	uint32_t *len;
	uint32_t *wire;
};

int frames_load(struct frames *f, const char *path);
void frames_free(struct frames *f);

int bench_decode(const char *data_dir, json_t *out);
int bench_io(const char *capture, json_t *out);
int bench_sessions(json_t *out);
int bench_session_shard(json_t *out);
int bench_plugins(const char *capture, const char *plugin_dir, json_t *out);
int bench_report(const char *dir, int nparts, char **parts);
int bench_loopcap(const char *in, const char *out, unsigned copies);

/* Shared by the session benches (bench_sessions.c, bench_session_shard.c). */
#define BENCH_ROUNDS  3   /* median of three: single runs on a shared machine vary */
#define BENCH_BURST   32  /* stellar-session's burst */
#define BENCH_T0_NS   1000000000000ull /* packet clock start: the wheel starts at second 1000 */
#define BENCH_TICK_NS 100 /* packet time per operation */

uint32_t bench_mix32(uint32_t x);
void bench_shuffle(uint32_t *a, uint32_t n);
void *bench_thp_alloc(size_t size);
void bench_thp_free(void *p, size_t size);
double bench_median(const double *v); /* of BENCH_ROUNDS values */

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
