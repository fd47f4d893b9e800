// SPDX-License-Identifier: GPL-2.0
/* Maps with cells (probe-abi.rst, "Cells"): syscall_loop's getpgid() calls counted,
 * twice their number summed, and a 3 for each in a log2 histogram, each in its cells;
 * the same count in a map keyed by a constant, which kwasm keeps, for comparison. The
 * Rust cells_rs prints the same. */
#include <kwasm.h>
#include "from_loop.h"

KWASM_COUNT(hits);
KWASM_MAP(twice, KWASM_MAP_SUM, KWASM_KEY_NONE, 1);
KWASM_MAP(keyed, KWASM_MAP_COUNT, KWASM_KEY_U64, 1);
KWASM_HIST(lat);

KWASM_PRE(__x64_sys_getpgid)
{
	if (!from_loop())
		return;
	kwasm_count(hits, 0);
	kwasm_update(twice, 0, 2);
	kwasm_count(keyed, 7);
	kwasm_update(lat, 0, 3);
}
