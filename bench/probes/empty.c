// SPDX-License-Identifier: GPL-2.0
/* Bench: an empty pre handler, the cost of entering the engine. */
#include <kwasm.h>

KWASM_PRE(__x64_sys_getpgid)
{
}
