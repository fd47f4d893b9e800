// SPDX-License-Identifier: GPL-2.0
/* A report of 100 KiB: read whole, or cut to max_report_bytes with status saying so. */
#include <kwasm.h>

#define LEN (100 * 1024)

static char text[LEN + 1];

KWASM_REPORT
{
	int i;

	for (i = 0; i < LEN; i++)
		text[i] = i % 64 == 63 ? '\n' : 'a' + i % 64 % 26;
	text[LEN] = 0;
	return text;
}
