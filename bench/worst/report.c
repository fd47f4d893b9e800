// SPDX-License-Identifier: GPL-2.0
/*
 * Worst case, report: as much work as the call's fuel pays for, then a 4095-byte
 * string, the most report returns. A probe cannot read its fuel, so it measures it: a
 * call that runs out leaves behind (memory survives a trap) how many iterations it
 * completed, and the next call does that many, less a margin for the string. So the
 * first `cat report` fails (out of fuel) and the following ones succeed; should one run
 * out all the same, the one after it takes a larger margin.
 */
#include <kwasm.h>

#define LEN 4095
/* Iterations (about 12 fuel each) left for what follows the loop, two numbers and a
 * memset: about 1500 fuel, twice what they take. */
#define MARGIN 128

static char text[LEN + 1];
static volatile u32 done, limit, pending;

/* The work: a counter in memory. */
static __attribute__((noinline)) void burn(u32 n)
{
	done = 0;
	while (done < n)
		done = done + 1;
}

KWASM_REPORT
{
	struct kwasm_buf b = { text, 0, sizeof(text) };
	u32 n = 0xffffffff;
	s64 t0, t1;

	if (pending) {
		/* The last call ran out of fuel. */
		if (!limit)
			limit = done;
		else
			limit = limit > 2 * MARGIN ? limit - MARGIN : MARGIN;
	}
	pending = 1;
	if (limit)
		n = limit > MARGIN ? limit - MARGIN : 0;
	t0 = kwasm_ktime_ns();
	burn(n);
	t1 = kwasm_ktime_ns();
	kwasm_puts(&b, "iterations=");
	kwasm_putu(&b, n);
	kwasm_puts(&b, " ns=");
	kwasm_putu(&b, t1 - t0);
	kwasm_putc(&b, ' ');
	__builtin_memset(text + b.len, '.', LEN - 1 - b.len);
	text[LEN - 1] = '\n';
	text[LEN] = 0;
	pending = 0;
	return text;
}
