// SPDX-License-Identifier: GPL-2.0
/* Each getpgid() counts 400 keys of @many and sums its pid into @pids: a maps text of
 * several pages. */
#include <kwasm.h>
#include "from_loop.h"

KWASM_MAP(many, KWASM_MAP_COUNT, KWASM_KEY_U64, 1024);
KWASM_MAP(pids, KWASM_MAP_SUM, KWASM_KEY_NONE, 1);

KWASM_PRE(__x64_sys_getpgid)
{
	u64 i;

	if (!from_loop())
		return;
	for (i = 0; i < 400; i++)
		kwasm_count(many, i * 1000);
	kwasm_update(pids, 0, 1);
}
