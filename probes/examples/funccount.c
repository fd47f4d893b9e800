// SPDX-License-Identifier: GPL-2.0
/*
 * funccount: calls of every vfs_* function counted per function, in a kernel-side map,
 * as bpftrace's
 *
 *   kprobe:vfs_* { @[func] = count(); }
 *
 * One wildcard export attaches to every function the pattern matches when the program
 * is activated (one fprobe for all). func_ip() says which function fired and ksym()
 * names it; `cat maps` prints "@funcs[vfs_read]: 12" lines sorted by count.
 */
#include <kwasm.h>

/* Names are cut to the key's 64 bytes; 512 functions at most. */
KWASM_MAP_STR(funcs, KWASM_MAP_COUNT, 64, 512);

KWASM_PRE_WILDCARD(vfs, "vfs_*")
{
	char name[64];
	s32 i;

	kwasm_ksym(kwasm_func_ip(), name, sizeof(name));
	/* A module's function is "name [module]": the name alone, as bpftrace's func. */
	for (i = 0; name[i] && name[i] != ' '; i++)
		;
	for (; i < (s32)sizeof(name); i++)
		name[i] = 0;
	kwasm_map_update_key(kwasm_map_funcs, name, sizeof(name), 0);
}
