// SPDX-License-Identifier: GPL-2.0
/* Records the path of every mkdir, with syscall_arg and read_user_str, one per line. */
#include <kwasm.h>

static char paths[3000];
static u32 used;

KWASM_PRE(__x64_sys_mkdir)
{
	s64 path = kwasm_syscall_arg(0);
	s32 n;

	if (used + 258 > sizeof(paths))
		return;
	n = kwasm_read_user_str(path, paths + used, 256);
	if (n < 0)
		return;
	used += n;
	paths[used++] = '\n';
	paths[used] = 0;
}

KWASM_REPORT
{
	return paths;
}
