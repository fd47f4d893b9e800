// SPDX-License-Identifier: GPL-2.0
/*
 * Two pre points on ftrace sites, one in a module and one in the kernel: calls of
 * kwasm_test_traced() (qemu/testmod/kwasm_test_target.c) and mkdir()s. "TRACED MKDIR".
 */
#include <kwasm.h>

static u64 traced, mkdirs;

KWASM_PRE(kwasm_test_traced)
{
	traced++;
}

KWASM_PRE(__x64_sys_mkdir)
{
	mkdirs++;
}

KWASM_REPORT
{
	KWASM_BUF(out, 48);

	kwasm_putu(&out, traced);
	kwasm_putc(&out, ' ');
	kwasm_putu(&out, mkdirs);
	kwasm_putc(&out, '\n');
	return out.p;
}
