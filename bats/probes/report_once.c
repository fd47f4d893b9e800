// SPDX-License-Identifier: GPL-2.0
/* A report that writes only the first time it runs: later ones must be empty. */
#include <kwasm.h>

static u64 reports;

KWASM_REPORT
{
	KWASM_BUF(out, 64);

	if (!reports++)
		kwasm_puts(&out, "the first report\n");
	return out.p;
}
