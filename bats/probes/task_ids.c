// SPDX-License-Identifier: GPL-2.0
/*
 * getpgid() calls by thread, each with its process id: "PID TID COUNT", in the order the
 * threads were first seen. A last line counts calls where kwasm_tgid() was not
 * kwasm_pid(), which it always is.
 */
#include <kwasm.h>

static struct kwasm_table calls;	/* keyed by thread id */
static s32 pids[KWASM_TABLE_SIZE];
static u64 tgid_differs;

KWASM_PRE(__x64_sys_getpgid)
{
	int i = kwasm_table_slot(&calls, kwasm_tid());

	if (kwasm_tgid() != kwasm_pid())
		tgid_differs++;
	if (i < 0) {
		calls.dropped++;
		return;
	}
	pids[i] = kwasm_pid();
	calls.counts[i]++;
}

KWASM_REPORT
{
	KWASM_BUF(out, KWASM_TABLE_SIZE * 32 + 64);
	u32 i;

	kwasm_puts(&out, "PID     TID     COUNT\n");
	for (i = 0; i < calls.used; i++) {
		u32 start = out.len;

		kwasm_puti(&out, pids[i]);
		kwasm_pad(&out, start, 8);
		start = out.len;
		kwasm_putu(&out, calls.keys[i]);
		kwasm_pad(&out, start, 8);
		kwasm_putu(&out, calls.counts[i]);
		kwasm_putc(&out, '\n');
	}
	kwasm_puts(&out, "tgid differs: ");
	kwasm_putu(&out, tgid_differs);
	kwasm_putc(&out, '\n');
	return out.p;
}
