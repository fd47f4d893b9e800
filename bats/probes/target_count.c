// SPDX-License-Identifier: GPL-2.0
/*
 * Counts the calls of the test module's two functions (qemu/testmod/kwasm_test_target.c)
 * and sums their arguments: "notrace COUNT SUM traced COUNT SUM".
 */
#include <kwasm.h>

static u64 notrace_count, notrace_sum, traced_count, traced_sum;

KWASM_PRE(kwasm_test_notrace, s64 n)
{
	notrace_count++;
	notrace_sum += n;
}

KWASM_PRE(kwasm_test_traced, s64 n)
{
	traced_count++;
	traced_sum += n;
}

KWASM_REPORT
{
	KWASM_BUF(out, 128);

	kwasm_puts(&out, "notrace ");
	kwasm_putu(&out, notrace_count);
	kwasm_putc(&out, ' ');
	kwasm_putu(&out, notrace_sum);
	kwasm_puts(&out, " traced ");
	kwasm_putu(&out, traced_count);
	kwasm_putc(&out, ' ');
	kwasm_putu(&out, traced_sum);
	kwasm_putc(&out, '\n');
	return out.p;
}
