// SPDX-License-Identifier: GPL-2.0
/*
 * stackcount: the distinct kernel stacks vfs_mkdir() is called from, with how often each
 * was seen, like bpftrace's @[kstack] = count(). The handler keeps addresses; report
 * names them. Printed as bpftrace prints a map, sorted by count ascending.
 */
#include <kwasm.h>

#define STACKS 32
#define DEPTH 16

static u64 frames[STACKS][DEPTH];
static s32 depth[STACKS];
static u64 counts[STACKS];
static u32 used;
static u64 dropped;

KWASM_PRE(vfs_mkdir)
{
	u64 s[DEPTH];
	s32 n = kwasm_kstack(s, DEPTH), i;
	u32 k;

	for (k = 0; k < used; k++) {
		if (depth[k] != n)
			continue;
		for (i = 0; i < n && frames[k][i] == s[i]; i++)
			;
		if (i == n) {
			counts[k]++;
			return;
		}
	}
	if (used == STACKS) {
		dropped++;
		return;
	}
	for (i = 0; i < n; i++)
		frames[used][i] = s[i];
	depth[used] = n;
	counts[used++] = 1;
}

KWASM_REPORT
{
	KWASM_BUF(out, 8192);
	u8 shown[STACKS] = { 0 };
	char name[128];
	u32 r, k;
	s32 i;

	for (r = 0; r < used; r++) {
		int best = -1;

		for (k = 0; k < used; k++)
			if (!shown[k] && (best < 0 || counts[k] < counts[best]))
				best = k;
		shown[best] = 1;
		kwasm_puts(&out, "@[\n");
		for (i = 0; i < depth[best]; i++) {
			kwasm_ksym(frames[best][i], name, sizeof(name));
			kwasm_puts(&out, "    ");
			kwasm_puts(&out, name);
			kwasm_putc(&out, '\n');
		}
		kwasm_puts(&out, "]: ");
		kwasm_putu(&out, counts[best]);
		kwasm_putc(&out, '\n');
	}
	if (dropped) {
		kwasm_puts(&out, "@dropped: ");
		kwasm_putu(&out, dropped);
		kwasm_putc(&out, '\n');
	}
	return out.p;
}
