// SPDX-License-Identifier: GPL-2.0
/* Bench: a counter in a pre handler. */
#include <kwasm.h>

static u64 n;

KWASM_PRE(__x64_sys_getpgid)
{
	n++;
}
