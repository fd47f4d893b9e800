// SPDX-License-Identifier: GPL-2.0
/*
 * Worst case, host reads: read_kernel until the fuel is gone. A read costs 1 fuel per 8
 * bytes, paid before it copies: one longer than the fuel left ends the call without
 * copying, so the most a call can copy is a read that fits, again and again. Each read
 * copies the task's kernel stack (16 KiB, THREAD_SIZE-aligned, below the syscall's
 * pt_regs, which getpgid's wrapper gets as its argument): memory that is always mapped.
 * report says how many bytes were copied and how many reads failed, over all hits.
 */
#include <kwasm.h>

#define STACK_BYTES 16384

static char buf[STACK_BYTES];
static volatile u64 copied, failed;

KWASM_PRE(__x64_sys_getpgid)
{
	s64 base = kwasm_arg(0) & ~(s64)(STACK_BYTES - 1);

	for (;;) {
		if (kwasm_read_kernel(base, buf, STACK_BYTES))
			failed = failed + 1;
		else
			copied = copied + STACK_BYTES;
	}
}

KWASM_REPORT
{
	KWASM_BUF(out, 128);

	kwasm_puts(&out, "copied=");
	kwasm_putu(&out, copied);
	kwasm_puts(&out, " failed=");
	kwasm_putu(&out, failed);
	kwasm_putc(&out, '\n');
	return out.p;
}
