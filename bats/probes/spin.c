// SPDX-License-Identifier: GPL-2.0
/* A handler that never ends on its own: fuel must stop it, every time. */
#include <kwasm.h>

static volatile u64 spins;

KWASM_PRE(__x64_sys_mkdir)
{
	for (;;)
		spins++;
}

KWASM_REPORT
{
	return "still here";
}
