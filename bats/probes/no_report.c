// SPDX-License-Identifier: GPL-2.0
/* A handler and no report export. */
#include <kwasm.h>

static u64 n;

KWASM_PRE(__x64_sys_mkdir)
{
	n++;
}
