// SPDX-License-Identifier: GPL-2.0
/* A wildcard matching kwasm's own kwasm_exec_* (skipped) and the test module's kwasm_test_*. */
#include <kwasm.h>

KWASM_PRE_WILDCARD(own, "kwasm_[et]*")
{
}
