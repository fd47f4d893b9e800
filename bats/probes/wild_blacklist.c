// SPDX-License-Identifier: GPL-2.0
/*
 * A wildcard matching the test module's kwasm_test_wild and kwasm_test_wild_a/b/c,
 * kwasm_test_notrace (no ftrace site: never matched) and kwasm_test_nokprobe (an ftrace
 * site on the kprobe blacklist: skipped and counted). Calls counted per function name.
 */
#include <kwasm.h>

KWASM_MAP_STR(calls, KWASM_MAP_COUNT, 64, 64);

KWASM_PRE_WILDCARD(wild, "kwasm_test_[nw]*")
{
	char name[64] = { 0 };
	s32 i;

	kwasm_ksym(kwasm_func_ip(), name, sizeof(name));
	/* "kwasm_test_wild_a [kwasm_test_target]": the name alone. */
	for (i = 0; name[i] && name[i] != ' '; i++)
		;
	for (; i < (s32)sizeof(name); i++)
		name[i] = 0;
	kwasm_map_update_key(kwasm_map_calls, name, sizeof(name), 0);
}
