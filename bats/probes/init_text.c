// SPDX-License-Identifier: GPL-2.0
/* Points on kwasm_test_init.ko's function in init text and on one of its core text
 * (bats/ftrace.bats), attached while the module comes; stats counts their hits. */
#include <kwasm.h>

KWASM_PRE(kwasm_test_init_traced)
{
}

KWASM_PRE(kwasm_test_init_core)
{
}
