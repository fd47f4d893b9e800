// SPDX-License-Identifier: GPL-2.0
/*
 * latency: a log2 histogram of how long vfs_read() takes, in microseconds. The entry
 * handler stores the start time per thread; the return handler records the difference.
 */
#include <kwasm.h>

#define THREADS 64
/*
 * A slot whose return was never seen (the post handler missed, or the program was
 * detached between entry and return) is free again after this long.
 */
#define STALE_NS 1000000000LL

static s32 tids[THREADS];
static s64 starts[THREADS];
static struct kwasm_hist hist;
static u64 lost;

KWASM_PRE(vfs_read)
{
	s32 tid = kwasm_tid();
	s64 now = kwasm_ktime_ns();
	u32 i, free = THREADS;

	for (i = 0; i < THREADS; i++) {
		if (tids[i] == tid) {
			free = i;
			break;
		}
		if ((!tids[i] || now - starts[i] > STALE_NS) && free == THREADS)
			free = i;
	}
	if (free == THREADS) {
		lost++;
		return;
	}
	tids[free] = tid;
	starts[free] = now;
}

KWASM_POST(vfs_read)
{
	s32 tid = kwasm_tid();
	u32 i;

	for (i = 0; i < THREADS; i++) {
		if (tids[i] == tid) {
			kwasm_hist_add(&hist, (u64)(kwasm_ktime_ns() - starts[i]) / 1000);
			tids[i] = 0;
			return;
		}
	}
}

KWASM_REPORT
{
	KWASM_BUF(out, 65 * 90 + 64);

	kwasm_puts(&out, "vfs_read latency, usecs:\n");
	kwasm_hist_render(&out, &hist);
	if (lost) {
		kwasm_puts(&out, "(more than 64 threads at once: ");
		kwasm_putu(&out, lost);
		kwasm_puts(&out, " reads not timed)\n");
	}
	return out.p;
}
