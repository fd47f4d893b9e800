// SPDX-License-Identifier: GPL-2.0
/* Bench: a counter that also streams one formatted record per hit (beside counter.c). */
#include <kwasm.h>

static u64 n;

KWASM_PRE(__x64_sys_getpgid)
{
	kwasm_printf("getpgid pid=%d n=%llu", kwasm_pid(), ++n);
}
