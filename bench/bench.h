/* stellar-bench: measurements for `make bench`. Each part writes one JSON
 * object; `stellar-bench report` merges them into results.json, a Markdown
 * table and the data gnuplot draws. */
#ifndef STELLAR_BENCH_H
#define STELLAR_BENCH_H

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
int bench_report(const char *dir, int nparts, char **parts);

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
