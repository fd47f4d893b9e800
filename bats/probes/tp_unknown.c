// SPDX-License-Identifier: GPL-2.0
/* A tracepoint that exists and one that does not: activation must fail whole. */
#include <kwasm.h>

KWASM_TRACEPOINT(sched, sched_switch)
{
}

KWASM_TRACEPOINT(sched, kwasm_no_such_event)
{
}
