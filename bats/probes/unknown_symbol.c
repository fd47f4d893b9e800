// SPDX-License-Identifier: GPL-2.0
/* Two attach points, the second on a symbol no kernel has: activation must fail whole. */
#include <kwasm.h>

KWASM_PRE(__x64_sys_mkdir)
{
}

KWASM_PRE(kwasm_no_such_function)
{
}
