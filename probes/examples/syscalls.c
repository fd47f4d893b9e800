// SPDX-License-Identifier: GPL-2.0
/*
 * syscalls: system calls counted per task name and syscall number, in a kernel-side map,
 * as bpftrace's
 *
 *   kprobe:x64_sys_call { @syscalls[comm, arg1] = count(); }
 *
 * `cat maps` prints "@syscalls[bash, 0]: 12" lines sorted by count, the way bpftrace
 * prints that map at exit. x64_sys_call(regs, nr) is the x86-64 syscall dispatcher: one
 * attach point sees every syscall. (bpftrace itself must count on
 * tracepoint:raw_syscalls:sys_enter on a kernel with the function tracer: usage.rst,
 * "Maps".)
 */
#include <kwasm.h>

KWASM_MAP_STR_U64(syscalls, KWASM_MAP_COUNT, 16, 4096);

KWASM_PRE(x64_sys_call, long long regs, int nr)
{
	struct kwasm_key_str_u64 key = { 0 };

	kwasm_comm(key.str, sizeof(key.str));
	key.n = (u32)nr;
	kwasm_count_key(syscalls, &key);
}
