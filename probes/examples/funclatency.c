// SPDX-License-Identifier: GPL-2.0
/*
 * funclatency: a log2 histogram of how long getpgid() takes in the kernel, in
 * nanoseconds, in a kernel-side map, as bpftrace's
 *
 *   kprobe:__x64_sys_getpgid { @start[tid] = nsecs; }
 *   kretprobe:__x64_sys_getpgid /@start[tid]/ {
 *           @ns = hist(nsecs - @start[tid]); delete(@start[tid]); }
 *
 * `cat maps` prints @ns with bpftrace's buckets and bars. The entry time is kwasm's
 * (kwasm_entry_ns(): the kretprobe saved it for this very call), so the probe needs no
 * table of threads and no pre handler, and runs unchanged in per-CPU mode, where a
 * thread's entry and return can be on different CPUs' instances.
 */
#include <kwasm.h>

KWASM_HIST(ns);

KWASM_POST(__x64_sys_getpgid)
{
	kwasm_update(ns, 0, kwasm_ktime_ns() - kwasm_entry_ns());
}
