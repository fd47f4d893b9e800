// SPDX-License-Identifier: GPL-2.0
/*
 * A wildcard over some 50 functions (vfs_ then a to p: 53 on the test kernel), counting:
 * the bench times echo 1 > active and echo 0 > active on it (one fprobe for all).
 */
#include <kwasm.h>

static u64 count;

KWASM_PRE_WILDCARD(vfs, "vfs_[a-p]*")
{
	count++;
}
