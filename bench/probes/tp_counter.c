// SPDX-License-Identifier: GPL-2.0
/*
 * Bench: counter's work on the tracepoint every syscall passes, raw_syscalls:sys_enter,
 * counting getpgid() (121 on x86_64) by its id: a tracepoint handler against counter's
 * kprobe on __x64_sys_getpgid.
 */
#include <kwasm.h>

static u64 n;

KWASM_TRACEPOINT(raw_syscalls, sys_enter, s64 regs, s64 id)
{
	if (id == 121)
		n++;
}
