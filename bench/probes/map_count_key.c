// SPDX-License-Identifier: GPL-2.0
/* bpftrace's `kprobe:__x64_sys_getpgid { @hits[1] = count(); }`: a map with a key, which
 * kwasm keeps in its per-CPU tables (map_count.c's has no key: its cells). */
#include <kwasm.h>

KWASM_MAP(hits, KWASM_MAP_COUNT, KWASM_KEY_U64, 16);

KWASM_PRE(__x64_sys_getpgid)
{
	kwasm_count(hits, 1);
}
