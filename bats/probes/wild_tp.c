// SPDX-License-Identifier: GPL-2.0
/* func_ip() in a tracepoint handler, which is on no function: a trap. */
#include <kwasm.h>

static u64 ip;

KWASM_TRACEPOINT(sched, sched_process_exec)
{
	ip = kwasm_func_ip();
}
