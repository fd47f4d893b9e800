// SPDX-License-Identifier: GPL-2.0
/*
 * mkdirsnoop: every mkdir's path, with the process that made it. The report lists the
 * last 64, oldest first: "PID COMM PATH".
 */
#include <kwasm.h>

#define KEEP 64

struct event {
	s32 pid;
	char comm[16];
	char path[128];
};

static struct event events[KEEP];
static u64 total;

KWASM_PRE(__x64_sys_mkdir, s64 pathname)
{
	struct event *e = &events[total % KEEP];

	e->pid = kwasm_pid();
	kwasm_comm(e->comm, sizeof(e->comm));
	if (kwasm_read_user_str(pathname, e->path, sizeof(e->path)) < 0)
		e->path[0] = 0;
	total++;
}

KWASM_REPORT
{
	KWASM_BUF(out, KEEP * 170 + 64);
	u64 i = total > KEEP ? total - KEEP : 0;
	u32 start;

	kwasm_puts(&out, "PID     COMM            PATH\n");
	for (; i < total; i++) {
		struct event *e = &events[i % KEEP];

		start = out.len;
		kwasm_puti(&out, e->pid);
		kwasm_pad(&out, start, 8);
		start = out.len;
		kwasm_puts(&out, e->comm);
		kwasm_pad(&out, start, 16);
		kwasm_puts(&out, e->path);
		kwasm_putc(&out, '\n');
	}
	return out.p;
}
