// SPDX-License-Identifier: GPL-2.0
/* Bench: the same counter as a post handler (the kretprobe path). */
#include <kwasm.h>

static u64 n;

KWASM_POST(__x64_sys_getpgid)
{
	n++;
}
