// SPDX-License-Identifier: GPL-2.0
/* A probe on a function kprobes refuse (NOKPROBE_SYMBOL), after a good one. */
#include <kwasm.h>

KWASM_PRE(__x64_sys_mkdir)
{
}

KWASM_PRE(kprobe_int3_handler)
{
}
