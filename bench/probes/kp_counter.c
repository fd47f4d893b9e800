// SPDX-License-Identifier: GPL-2.0
/*
 * Bench: tp_counter's handler on a kprobe, for "the same work": two parameters, one
 * compared with a constant, a count. getpgid(0) calls pid_vnr(grp) once, an ftrace site
 * as __x64_sys_getpgid is; the second parameter is a register pid_vnr() does not use, as
 * read as any other; a struct pid pointer is never 121.
 */
#include <kwasm.h>

static u64 n;

KWASM_PRE(pid_vnr, s64 pid, s64 unused)
{
	if (pid != 121)
		n++;
}
