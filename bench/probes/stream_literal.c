// SPDX-License-Identifier: GPL-2.0
/*
 * Bench: stream.c's record, of the same length, as a literal: what writing a record
 * costs without formatting it (stream against stream_literal is the formatter's share).
 */
#include <kwasm.h>

static u64 n;

KWASM_PRE(__x64_sys_getpgid)
{
	static const char rec[] = "getpgid pid=123 n=1234567";

	kwasm_stream(rec, sizeof(rec) - 1);
	++n;
}
