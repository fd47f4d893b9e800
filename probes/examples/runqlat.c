// SPDX-License-Identifier: GPL-2.0
/*
 * runqlat: a log2 histogram of run-queue latency, in microseconds, like bpftrace's
 * runqlat.bt: how long a task waited between becoming runnable (woken, new, or
 * preempted while runnable) and running. Tasks are keyed by their task_struct address,
 * which sched_wakeup and sched_switch both pass, so no structure layout is needed.
 */
#include <kwasm.h>

#define TASKS 256
/* A wakeup whose switch-in was never seen (detached in between) is reused after this. */
#define STALE_NS 1000000000LL

static s64 tasks[TASKS];
static s64 since[TASKS];
static struct kwasm_hist hist;
static u64 lost;

static void enqueued(s64 task)
{
	s64 now = kwasm_ktime_ns();
	u32 i, free = TASKS, h = (u32)((u64)task >> 6) % TASKS;

	for (i = 0; i < TASKS; i++) {
		u32 s = (h + i) % TASKS;

		if (tasks[s] == task) {
			free = s;
			break;
		}
		if ((!tasks[s] || now - since[s] > STALE_NS) && free == TASKS)
			free = s;
	}
	if (free == TASKS) {
		lost++;
		return;
	}
	tasks[free] = task;
	since[free] = now;
}

KWASM_TRACEPOINT(sched, sched_wakeup, s64 p)
{
	enqueued(p);
}

KWASM_TRACEPOINT(sched, sched_wakeup_new, s64 p)
{
	enqueued(p);
}

/* prev_state 0 (TASK_RUNNING): prev was preempted and waits on the run queue again. */
KWASM_TRACEPOINT(sched, sched_switch, int preempt, s64 prev, s64 next, int prev_state)
{
	u32 i, h = (u32)((u64)next >> 6) % TASKS;

	if (prev_state == 0)
		enqueued(prev);
	for (i = 0; i < TASKS; i++) {
		u32 s = (h + i) % TASKS;

		if (tasks[s] == next) {
			kwasm_hist_add(&hist, (u64)(kwasm_ktime_ns() - since[s]) / 1000);
			tasks[s] = 0;
			return;
		}
	}
}

KWASM_REPORT
{
	KWASM_BUF(out, 65 * 90 + 64);

	kwasm_puts(&out, "@usecs:\n");
	kwasm_hist_render(&out, &hist);
	return out.p;
}
