/*
 * stellar-gen-demo: writes the packet capture used by Stellar's demo. The
 * output depends only on the arguments, never on the clock or the
 * environment, so the same command always produces the same bytes and demo
 * results can be compared across machines and commits.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_flows.h"
#include "demo_trace.h"

#define DEFAULT_FLOWS 40
#define DEFAULT_SEED 0x5eed57e11a2ULL
#define MAX_FLOWS 10000
/* 2024-01-01 00:00:00 UTC */
#define CAPTURE_START_US (1704067200ULL * 1000000ULL)

struct demo_args {
	const char *out;
	unsigned flows;
	uint64_t seed;
};

static void usage_print(FILE *to, const char *prog)
{
	fprintf(to,
		"usage: %s OUT.pcap [--flows N] [--seed S]\n"
		"  --flows N  number of flows, 1..%u (default %u; the first %u cover every\n"
		"             protocol and encapsulation)\n"
		"  --seed S   PRNG seed, decimal or 0x-hex (default 0x%" PRIx64 ")\n"
		"Same arguments, same bytes: the capture never depends on the clock.\n",
		prog, MAX_FLOWS, DEFAULT_FLOWS, flows_showcase_count(), (uint64_t)DEFAULT_SEED);
}

/* strtoull alone accepts "-1", " 5" and "5x"; a generator whose output is
 * meant to be reproducible should reject anything it did not mean. */
static int number_parse(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int args_parse(int argc, char **argv, struct demo_args *a)
{
	const char *prog = argv[0];
	uint64_t v;
	int i;

	a->out = NULL;
	a->flows = DEFAULT_FLOWS;
	a->seed = DEFAULT_SEED;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			usage_print(stdout, prog);
			return 1;
		} else if (!strcmp(arg, "--flows")) {
			if (number_parse(i + 1 < argc ? argv[++i] : NULL, MAX_FLOWS, &v) || v == 0) {
				fprintf(stderr, "%s: --flows needs a number from 1 to %u\n", prog,
					MAX_FLOWS);
				return -EINVAL;
			}
			a->flows = (unsigned)v;
		} else if (!strcmp(arg, "--seed")) {
			if (number_parse(i + 1 < argc ? argv[++i] : NULL, UINT64_MAX, &v)) {
				fprintf(stderr, "%s: --seed needs an unsigned 64-bit number\n", prog);
				return -EINVAL;
			}
			a->seed = v;
		} else if (arg[0] == '-' && arg[1]) {
			fprintf(stderr, "%s: unknown option '%s'\n", prog, arg);
			return -EINVAL;
		} else if (a->out) {
			fprintf(stderr, "%s: more than one output file given\n", prog);
			return -EINVAL;
		} else {
			a->out = arg;
		}
	}
	if (!a->out) {
		fprintf(stderr, "%s: missing output file\n", prog);
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct demo_args a;
	struct demo_trace t;
	char err[512];
	long n;
	int rc = args_parse(argc, argv, &a);

	if (rc > 0)
		return 0;
	if (rc < 0) {
		fprintf(stderr, "usage: %s OUT.pcap [--flows N] [--seed S] (--help for details)\n",
			argv[0]);
		return 2;
	}
	trace_init(&t);
	n = flows_generate(&t, a.seed, a.flows, CAPTURE_START_US);
	if (n < 0) {
		fprintf(stderr, "%s: generating flows failed: %s\n", argv[0], strerror((int)-n));
		trace_free(&t);
		return 1;
	}
	trace_sort(&t);
	n = trace_write_pcap(&t, a.out, err, sizeof(err));
	trace_free(&t);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", argv[0], err);
		return 1;
	}
	printf("%s: %ld packets in %u flows (seed 0x%" PRIx64 ")\n", a.out, n, a.flows, a.seed);
	return 0;
}
