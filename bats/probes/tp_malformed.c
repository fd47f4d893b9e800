// SPDX-License-Identifier: GPL-2.0
/* A tracepoint export without its event: a load error naming it. */
#include <kwasm.h>

KWASM_EXPORT("tracepoint:sched") void no_event(void)
{
}
