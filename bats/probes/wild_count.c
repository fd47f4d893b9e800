// SPDX-License-Identifier: GPL-2.0
/*
 * A wildcard over the test module's kwasm_test_wild_a/b/c (qemu/testmod): calls counted
 * and arguments summed per function name, and calls counted per func_ip(); a plain
 * kprobe on kwasm_test_traced counts per func_ip() too.
 */
#include <kwasm.h>

KWASM_MAP_STR(calls, KWASM_MAP_COUNT, 64, 64);
KWASM_MAP_STR(argsum, KWASM_MAP_SUM, 64, 64);
KWASM_MAP(ips, KWASM_MAP_COUNT, KWASM_KEY_I64, 64);

KWASM_PRE_WILDCARD(wild, "kwasm_test_wild_*", s64 n)
{
	char name[64] = { 0 };
	u64 ip = kwasm_func_ip();
	s32 i;

	kwasm_ksym(ip, name, sizeof(name));
	/* "kwasm_test_wild_a [kwasm_test_target]": the name alone. */
	for (i = 0; name[i] && name[i] != ' '; i++)
		;
	for (; i < (s32)sizeof(name); i++)
		name[i] = 0;
	kwasm_map_update_key(kwasm_map_calls, name, sizeof(name), 0);
	kwasm_map_update_key(kwasm_map_argsum, name, sizeof(name), n);
	kwasm_count(ips, ip);
}

KWASM_PRE(kwasm_test_traced)
{
	kwasm_count(ips, kwasm_func_ip());
}
