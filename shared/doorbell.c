#include "doorbell.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Shared (not FUTEX_PRIVATE) futexes: the word is in hugepage memory mapped
 * by several processes. */
static long futex(uint32_t *word, int op, uint32_t val, const struct timespec *timeout)
{
	return syscall(SYS_futex, word, op, val, timeout, NULL, 0);
}

void doorbell_ring(struct doorbell *b)
{
	/* Orders the producer's ring store before reading `sleeping`; pairs
	 * with the fence in doorbell_prepare (store-load on both sides). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&b->sleeping, __ATOMIC_RELAXED)) {
		__atomic_fetch_add(&b->seq, 1, __ATOMIC_RELEASE);
		futex(&b->seq, FUTEX_WAKE, INT_MAX, NULL);
	}
}

uint32_t doorbell_prepare(struct doorbell *b)
{
	uint32_t seen = __atomic_load_n(&b->seq, __ATOMIC_ACQUIRE);

	__atomic_store_n(&b->sleeping, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return seen;
}

void doorbell_cancel(struct doorbell *b)
{
	__atomic_store_n(&b->sleeping, 0, __ATOMIC_RELAXED);
}

int doorbell_wait(struct doorbell *b, uint32_t seen, uint32_t timeout_us)
{
	struct timespec ts = {
		.tv_sec = timeout_us / 1000000u,
		.tv_nsec = (long)(timeout_us % 1000000u) * 1000L,
	};
	long rc = futex(&b->seq, FUTEX_WAIT, seen, &ts);
	int err = errno;

	doorbell_cancel(b);
	if (rc == 0 || err == EAGAIN)
		return 0;
	return -err;
}
