// SPDX-License-Identifier: GPL-2.0
/* A real event under the wrong group: the group is checked, not only the event. */
#include <kwasm.h>

KWASM_TRACEPOINT(kwasm_no_such_group, sched_switch)
{
}
