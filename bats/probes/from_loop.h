/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the map test probes of bats/: whether a hit is one of syscall_loop's calls, so that
 * a test counts exactly the calls it made. Include after kwasm.h.
 */
#ifndef KWASM_BATS_FROM_LOOP_H
#define KWASM_BATS_FROM_LOOP_H

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

#endif /* KWASM_BATS_FROM_LOOP_H */
