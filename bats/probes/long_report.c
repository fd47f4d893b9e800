// SPDX-License-Identifier: GPL-2.0
/* A report longer than a page: it is cut to 4095 bytes and status says so. */
#include <kwasm.h>

static char text[5001];

KWASM_REPORT
{
	int i;

	for (i = 0; i < 5000; i++)
		text[i] = 'a' + i % 26;
	text[5000] = 0;
	return text;
}
