// SPDX-License-Identifier: GPL-2.0
/* Bench: an argument and a user string on each access(): the path, read nofault. */
#include <kwasm.h>

static char path[64];
static u64 sum;

KWASM_PRE(__x64_sys_access, long long filename, int mode)
{
	sum += mode;
	kwasm_read_user_str(filename, path, sizeof(path));
}
