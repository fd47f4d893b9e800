// SPDX-License-Identifier: GPL-2.0
/* A wildcard on return, which kwasm does not support: a load error naming it. */
#include <kwasm.h>

KWASM_EXPORT("kprobe:kwasm_test_wild_*:post") void wild_post(void)
{
}
