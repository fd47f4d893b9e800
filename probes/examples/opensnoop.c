// SPDX-License-Identifier: GPL-2.0
/*
 * opensnoop: every openat, with its result, on the trace stream:
 * "open pid=PID comm=COMM fd=FD path=PATH" (fd is -errno when it failed). The path is
 * read on entry and kept per thread for the return, which writes the record.
 */
#include <kwasm.h>

#define SLOTS 64

struct pending {
	s32 tid;
	char path[200];
};

static struct pending pending[SLOTS];

static struct pending *slot_of(s32 tid)
{
	return &pending[(u32)tid % SLOTS];
}

KWASM_PRE(__x64_sys_openat, s32 dfd, s64 filename)
{
	struct pending *p = slot_of(kwasm_tid());

	p->tid = kwasm_tid();
	if (kwasm_read_user_str(filename, p->path, sizeof(p->path)) < 0)
		p->path[0] = 0;
}

KWASM_POST(__x64_sys_openat, s64 ret)
{
	struct pending *p = slot_of(kwasm_tid());
	char comm[16];

	/* A thread whose slot another took in between: its path is lost, not wrong. */
	if (p->tid != kwasm_tid())
		return;
	p->tid = 0;
	kwasm_comm(comm, sizeof(comm));
	kwasm_printf("open pid=%d comm=%s fd=%lld path=%s", kwasm_pid(), comm, ret, p->path);
}
