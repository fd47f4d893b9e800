// SPDX-License-Identifier: GPL-2.0
/*
 * raw_syscalls:sys_enter(regs, id): counts mkdir(2) calls (id 83 on x86_64) whose path,
 * read from the user's registers through the regs pointer (pt_regs.di, the first syscall
 * argument, at byte 112), starts with "/tmp/t/tp/".
 */
#include <kwasm.h>

#define NR_MKDIR		83
#define PT_REGS_DI		112

static u64 count;

KWASM_TRACEPOINT(raw_syscalls, sys_enter, long long regs, long long id)
{
	const char *want = "/tmp/t/tp/";
	char path[16];
	u64 di;
	int i;

	if (id != NR_MKDIR)
		return;
	if (kwasm_read_kernel(regs + PT_REGS_DI, &di, 8))
		return;
	if (kwasm_read_user_str(di, path, sizeof(path)) < 10)
		return;
	for (i = 0; want[i]; i++)
		if (path[i] != want[i])
			return;
	count++;
}

KWASM_REPORT
{
	KWASM_BUF(out, 32);

	kwasm_putu(&out, count);
	kwasm_putc(&out, '\n');
	return out.p;
}
