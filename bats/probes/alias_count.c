// SPDX-License-Identifier: GPL-2.0
/*
 * Two pre points at one address: kwasm_test_traced() and its second name
 * (qemu/testmod/kwasm_test_target.c). Counts the calls each sees and sums the arguments:
 * "COUNT SUM COUNT SUM".
 */
#include <kwasm.h>

static u64 count, sum, alias_count, alias_sum;

KWASM_PRE(kwasm_test_traced, s64 n)
{
	count++;
	sum += n;
}

KWASM_PRE(kwasm_test_traced_alias, s64 n)
{
	alias_count++;
	alias_sum += n;
}

KWASM_REPORT
{
	KWASM_BUF(out, 96);

	kwasm_putu(&out, count);
	kwasm_putc(&out, ' ');
	kwasm_putu(&out, sum);
	kwasm_putc(&out, ' ');
	kwasm_putu(&out, alias_count);
	kwasm_putc(&out, ' ');
	kwasm_putu(&out, alias_sum);
	kwasm_putc(&out, '\n');
	return out.p;
}
