// SPDX-License-Identifier: GPL-2.0
/* A wildcard with an unclosed class: a load error naming it. */
#include <kwasm.h>

KWASM_PRE_WILDCARD(bad, "kwasm_test_wild_[ab")
{
}
