// SPDX-License-Identifier: GPL-2.0
/*
 * A pre and a post point on kwasm_test_traced() (qemu/testmod/kwasm_test_target.c): the
 * program's ftrace_ops and a kretprobe on one function of a module. "PRE POST".
 */
#include <kwasm.h>

static u64 pre, post;

KWASM_PRE(kwasm_test_traced)
{
	pre++;
}

KWASM_POST(kwasm_test_traced)
{
	post++;
}

KWASM_REPORT
{
	KWASM_BUF(out, 48);

	kwasm_putu(&out, pre);
	kwasm_putc(&out, ' ');
	kwasm_putu(&out, post);
	kwasm_putc(&out, '\n');
	return out.p;
}
