// SPDX-License-Identifier: GPL-2.0
/* A kprobe: export that does not fit the grammar. */
#include <kwasm.h>

KWASM_EXPORT("kprobe:vfs_read:entry") void bad(void)
{
}
