// SPDX-License-Identifier: GPL-2.0
/* A wildcard matching only kwasm's own functions: all skipped, so ENOENT. */
#include <kwasm.h>

KWASM_PRE_WILDCARD(own, "kwasm_exec_*")
{
}
