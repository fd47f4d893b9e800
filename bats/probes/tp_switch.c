// SPDX-License-Identifier: GPL-2.0
/*
 * sched:sched_switch, counted per thread switched out (prev is current there): the report
 * has "TID COUNT" for each thread last seen named kwasm_sw, which the suite compares with
 * its voluntary plus nonvoluntary context switches in /proc, and a last line counting
 * switches whose arguments make no sense (prev or next 0, prev == next).
 */
#include <kwasm.h>

#define SLOTS 512

static s32 tids[SLOTS];
static u64 counts[SLOTS];
static char comms[SLOTS][16];
static u64 bad, dropped;
/* Slots once seen named kwasm_sw: report looks at these only (a scan costs fuel). */
static u32 targets[8], ntargets;
static u8 marked[SLOTS];

static int is_target(const char *c);

KWASM_TRACEPOINT(sched, sched_switch, int preempt, long long prev, long long next, int state)
{
	s32 tid = kwasm_tid();
	u32 i, h = (u32)tid * 2654435761u;

	if (!prev || !next || prev == next)
		bad++;
	/* Idle threads are tid 0 on every CPU: keep to real threads. */
	if (tid <= 0)
		return;
	for (i = 0; i < SLOTS; i++) {
		u32 s = (h + i) % SLOTS;

		if (tids[s] == tid || !tids[s]) {
			tids[s] = tid;
			counts[s]++;
			kwasm_comm(comms[s], 16);
			if (!marked[s] && ntargets < 8 && is_target(comms[s])) {
				marked[s] = 1;
				targets[ntargets++] = s;
			}
			return;
		}
	}
	dropped++;
}

static int is_target(const char *c)
{
	const char *want = "kwasm_sw";
	int i;

	for (i = 0; want[i]; i++)
		if (c[i] != want[i])
			return 0;
	return !c[i];
}

KWASM_REPORT
{
	KWASM_BUF(out, 1024);
	u32 i, s;

	for (i = 0; i < ntargets; i++) {
		s = targets[i];
		if (!is_target(comms[s]))
			continue;
		kwasm_putu(&out, tids[s]);
		kwasm_putc(&out, ' ');
		kwasm_putu(&out, counts[s]);
		kwasm_putc(&out, '\n');
	}
	kwasm_puts(&out, "bad=");
	kwasm_putu(&out, bad);
	kwasm_puts(&out, " dropped=");
	kwasm_putu(&out, dropped);
	kwasm_putc(&out, '\n');
	return out.p;
}
