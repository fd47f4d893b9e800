// SPDX-License-Identifier: GPL-2.0
/* Bench: a counter on access(), against which access_str adds the string read. */
#include <kwasm.h>

static u64 count;

KWASM_PRE(__x64_sys_access)
{
	count++;
}
