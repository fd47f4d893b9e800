// SPDX-License-Identifier: GPL-2.0
/*
 * A kretprobe on a symbol no kernel has, after a good kretprobe and kprobe (attach points
 * register in export-name order): activation must fail whole, both undone.
 */
#include <kwasm.h>

KWASM_PRE(__x64_sys_mkdir)
{
}

KWASM_POST(__x64_sys_mkdir)
{
}

KWASM_POST(kwasm_no_such_function)
{
}
