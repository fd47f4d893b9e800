// SPDX-License-Identifier: GPL-2.0
/*
 * Formats a kernel address with %pS, %ps and %px, and numbers with widths and flags. The
 * address comes in as the last component of a mkdir'ed path, in hex (the test reads it
 * from /proc/kallsyms). The report shows the last line formatted, through format().
 */
#include <kwasm.h>

static char line[256];

static u64 parse_hex(const char *s)
{
	u64 v = 0;

	for (; *s; s++) {
		if (*s == '/')
			v = 0;
		else if (*s >= '0' && *s <= '9')
			v = v * 16 + (*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			v = v * 16 + (*s - 'a' + 10);
	}
	return v;
}

KWASM_PRE(__x64_sys_mkdir, s64 pathname)
{
	char path[128];
	u64 addr;

	if (kwasm_read_user_str(pathname, path, sizeof(path)) < 0)
		return;
	addr = parse_hex(path);
	kwasm_printf("%pS|%ps|%px|[%-6d|%06x|%+d|%5.2s|%c%%]", addr, addr, addr, -42, 255, 7,
		     "hello", 'z');
	kwasm_snprintf(line, sizeof(line), "%ps %llu %lld %#llx", addr, 18446744073709551615ULL,
		       -9223372036854775807LL - 1, 0xdeadbeefcafeULL);
}

KWASM_REPORT
{
	return line;
}
