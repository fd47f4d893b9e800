// SPDX-License-Identifier: GPL-2.0
/* A custom report from merged map values: syscall_loop's getpgid() calls and the total
 * of their first argument, read with kwasm_read(). */
#include <kwasm.h>
#include "from_loop.h"

KWASM_MAP(calls, KWASM_MAP_STATS, KWASM_KEY_NONE, 1);

KWASM_PRE(__x64_sys_getpgid)
{
	if (from_loop())
		kwasm_update(calls, 0, kwasm_syscall_arg(0));
}

KWASM_REPORT
{
	KWASM_BUF(out, 128);

	kwasm_puts(&out, "calls ");
	kwasm_putu(&out, kwasm_read(calls, 0, KWASM_READ_COUNT));
	kwasm_puts(&out, " total ");
	kwasm_puti(&out, kwasm_read(calls, 0, KWASM_READ_TOTAL));
	kwasm_puts(&out, "\n");
	return out.p;
}
