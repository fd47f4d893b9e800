// SPDX-License-Identifier: GPL-2.0
/* Each getpgid() counts keys 0 to 9 of a map that holds 4 keys per CPU. */
#include <kwasm.h>
#include "from_loop.h"

KWASM_MAP(full, KWASM_MAP_COUNT, KWASM_KEY_U64, 4);

KWASM_PRE(__x64_sys_getpgid)
{
	u64 i;

	if (!from_loop())
		return;
	for (i = 0; i < 10; i++)
		kwasm_count(full, i);
}
