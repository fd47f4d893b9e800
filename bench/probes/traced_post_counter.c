// SPDX-License-Identifier: GPL-2.0
/* Bench: a counter in a post handler (a kretprobe) on the test module's kwasm_test_traced(). */
#include <kwasm.h>

static u64 n;

KWASM_POST(kwasm_test_traced)
{
	n++;
}
