// SPDX-License-Identifier: GPL-2.0
/* bpftrace's `kprobe:__x64_sys_getpgid { @hits = count(); }` with a kernel-side map. */
#include <kwasm.h>

KWASM_COUNT(hits);

KWASM_PRE(__x64_sys_getpgid)
{
	kwasm_count(hits, 0);
}
