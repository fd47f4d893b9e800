// SPDX-License-Identifier: GPL-2.0
/*
 * A report of 100 KiB, 1600 lines of 64 bytes: read whole, or cut to max_report_bytes
 * with status saying so. The text is data, so the report costs no fuel to build.
 */
#include <kwasm.h>

#define LINE "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk\n"
#define LINES10 LINE LINE LINE LINE LINE LINE LINE LINE LINE LINE
#define LINES100 LINES10 LINES10 LINES10 LINES10 LINES10 LINES10 LINES10 LINES10 LINES10 LINES10
#define LINES1000 LINES100 LINES100 LINES100 LINES100 LINES100 LINES100 LINES100 LINES100 \
	LINES100 LINES100

static const char text[] = LINES1000 LINES100 LINES100 LINES100 LINES100 LINES100 LINES100;

_Static_assert(sizeof(text) == 100 * 1024 + 1, "100 KiB and a NUL");

KWASM_REPORT
{
	return text;
}
