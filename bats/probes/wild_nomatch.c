// SPDX-License-Identifier: GPL-2.0
/* A wildcard that matches no function: activation fails with ENOENT, naming it. */
#include <kwasm.h>

KWASM_PRE_WILDCARD(none, "kwasm_no_such_function_*")
{
}
