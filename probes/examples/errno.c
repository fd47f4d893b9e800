// SPDX-License-Identifier: GPL-2.0
/*
 * errno: failures of mkdir by errno, from a post handler reading the return value.
 * The report has one line per errno seen, most frequent first: "EEXIST 3".
 */
#include <kwasm.h>

static struct kwasm_table failures;
static u64 calls, ok;

static const char *errno_name(s64 e)
{
	switch (e) {
	case 1: return "EPERM";
	case 2: return "ENOENT";
	case 13: return "EACCES";
	case 17: return "EEXIST";
	case 20: return "ENOTDIR";
	case 28: return "ENOSPC";
	case 30: return "EROFS";
	case 36: return "ENAMETOOLONG";
	default: return "other";
	}
}

KWASM_POST(__x64_sys_mkdir, s64 ret)
{
	calls++;
	if (ret >= 0) {
		ok++;
		return;
	}
	kwasm_table_add(&failures, -ret, 1);
}

KWASM_REPORT
{
	KWASM_BUF(out, 2048);
	int i, r;

	kwasm_puts(&out, "mkdir calls: ");
	kwasm_putu(&out, calls);
	kwasm_puts(&out, ", succeeded: ");
	kwasm_putu(&out, ok);
	kwasm_putc(&out, '\n');
	for (r = 0; (i = kwasm_table_rank(&failures, r)) >= 0; r++) {
		u32 start = out.len;

		kwasm_puts(&out, errno_name(failures.keys[i]));
		kwasm_pad(&out, start, 14);
		kwasm_putu(&out, failures.counts[i]);
		kwasm_putc(&out, '\n');
	}
	return out.p;
}
