// SPDX-License-Identifier: GPL-2.0
/* Bench: reading arguments, the task name and 16 bytes of kernel memory (nofault). */
#include <kwasm.h>

static char name[32];
static u64 sum;

KWASM_PRE(__x64_sys_getpgid)
{
	sum += kwasm_syscall_arg(0);
	kwasm_comm(name, sizeof(name));
	kwasm_read_kernel(kwasm_arg(0), name, 16);
}
