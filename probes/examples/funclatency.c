// SPDX-License-Identifier: GPL-2.0
/*
 * funclatency: a log2 histogram of how long getpgid() takes in the kernel, in
 * nanoseconds, in a kernel-side map, as bpftrace's
 *
 *   kprobe:__x64_sys_getpgid { @start[tid] = nsecs; }
 *   kretprobe:__x64_sys_getpgid /@start[tid]/ {
 *           @ns = hist(nsecs - @start[tid]); delete(@start[tid]); }
 *
 * `cat maps` prints @ns with bpftrace's buckets and bars. The entry times are the
 * probe's own (a small table per thread in linear memory); the histogram is kwasm's, so
 * it needs no report and no formatting code here.
 */
#include <kwasm.h>

#define THREADS 64

KWASM_HIST(ns);

static s32 tids[THREADS];
static s64 starts[THREADS];

KWASM_PRE(__x64_sys_getpgid)
{
	s32 tid = kwasm_tid();
	u32 i, free = THREADS;

	for (i = 0; i < THREADS; i++) {
		if (tids[i] == tid) {
			free = i;
			break;
		}
		if (!tids[i] && free == THREADS)
			free = i;
	}
	/* More threads inside getpgid() at once than slots: this call is not timed. */
	if (free == THREADS)
		return;
	tids[free] = tid;
	starts[free] = kwasm_ktime_ns();
}

KWASM_POST(__x64_sys_getpgid)
{
	s32 tid = kwasm_tid();
	u32 i;

	for (i = 0; i < THREADS; i++) {
		if (tids[i] == tid) {
			kwasm_update(ns, 0, kwasm_ktime_ns() - starts[i]);
			tids[i] = 0;
			return;
		}
	}
}
