// SPDX-License-Identifier: GPL-2.0
/* Counts mkdir calls: the suite makes N directories and expects "N". */
#include <kwasm.h>

static u64 count;

KWASM_PRE(__x64_sys_mkdir)
{
	count++;
}

KWASM_REPORT
{
	KWASM_BUF(out, 32);

	kwasm_putu(&out, count);
	kwasm_putc(&out, '\n');
	return out.p;
}
