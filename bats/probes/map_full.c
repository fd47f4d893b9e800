// SPDX-License-Identifier: GPL-2.0
/* Each getpgid() counts keys 0 to 9 of a map that holds 4 keys per CPU. */
#include <kwasm.h>

KWASM_MAP(full, KWASM_MAP_COUNT, KWASM_KEY_U64, 4);

/* Only syscall_loop's calls: the test counts exactly what it made. */
static int from_loop(void)
{
	static const char want[] = "syscall_loop";
	char name[16];
	u32 i;

	kwasm_comm(name, sizeof(name));
	for (i = 0; i < sizeof(want); i++)
		if (name[i] != want[i])
			return 0;
	return 1;
}

KWASM_PRE(__x64_sys_getpgid)
{
	u64 i;

	if (!from_loop())
		return;
	for (i = 0; i < 10; i++)
		kwasm_count(full, i);
}
