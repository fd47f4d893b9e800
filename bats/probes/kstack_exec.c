// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel stack at sched:sched_process_exec for programs named kwasm_exec, as symbol
 * names on one line: the first exec's.
 */
#include <kwasm.h>

#define FRAMES 24

static u64 stack[FRAMES];
static s32 n;

KWASM_TRACEPOINT(sched, sched_process_exec)
{
	char comm[16];
	const char *want = "kwasm_exec";
	int i;

	if (n || kwasm_comm(comm, sizeof(comm)) != 10)
		return;
	for (i = 0; i < 10; i++)
		if (comm[i] != want[i])
			return;
	n = kwasm_kstack(stack, FRAMES);
}

KWASM_REPORT
{
	KWASM_BUF(out, 4096);
	char name[128];
	s32 i;

	kwasm_puts(&out, "exec:");
	for (i = 0; i < n; i++) {
		kwasm_ksym(stack[i], name, sizeof(name));
		kwasm_putc(&out, ' ');
		kwasm_puts(&out, name);
	}
	kwasm_putc(&out, '\n');
	return out.p;
}
