// SPDX-License-Identifier: GPL-2.0
/*
 * The same updates as bench.sh's bpftrace BEGIN program (MAP_FORMAT_BT), made on the first
 * getpgid() call: `cat maps` must print exactly what bpftrace prints for them at exit.
 */
#include <kwasm.h>

KWASM_HIST(a);
KWASM_LHIST(b, KWASM_KEY_NONE, 1, 0, 100, 10);
KWASM_MAP(c, KWASM_MAP_COUNT, KWASM_KEY_U64, 16);
KWASM_MAP(d, KWASM_MAP_STATS, KWASM_KEY_NONE, 1);
KWASM_MAP(e, KWASM_MAP_AVG, KWASM_KEY_U64, 16);
KWASM_MAP(f, KWASM_MAP_MIN, KWASM_KEY_NONE, 1);
KWASM_MAP(g, KWASM_MAP_MAX, KWASM_KEY_NONE, 1);
KWASM_MAP(h, KWASM_MAP_SUM, KWASM_KEY_U64, 16);
KWASM_MAP_STR_U64(i, KWASM_MAP_COUNT, 16, 16);

static int done;

static void str_u64(const char *s, u64 n)
{
	struct kwasm_key_str_u64 k = { 0 };
	u32 j;

	for (j = 0; s[j] && j < 15; j++)
		k.str[j] = s[j];
	k.n = n;
	kwasm_count_key(i, &k);
}

KWASM_PRE(__x64_sys_getpgid)
{
	static const s64 hv[] = { 0, 1, 2, 3, 4, 100, 1500, 3000, 3000, 70000 };
	static const s64 lv[] = { -5, 5, 15, 15, 100, 2000, 55 };
	u32 j;

	if (done)
		return;
	done = 1;
	for (j = 0; j < sizeof(hv) / sizeof(hv[0]); j++)
		kwasm_update(a, 0, hv[j]);
	for (j = 0; j < sizeof(lv) / sizeof(lv[0]); j++)
		kwasm_update(b, 0, lv[j]);
	kwasm_count(c, 7);
	kwasm_count(c, 7);
	kwasm_count(c, 7);
	kwasm_count(c, 9);
	kwasm_count(c, 3);
	kwasm_count(c, 3);
	kwasm_update(d, 0, 10);
	kwasm_update(d, 0, 31);
	kwasm_update(d, 0, 7);
	kwasm_update(e, 5, 10);
	kwasm_update(e, 5, 30);
	kwasm_update(e, 6, 1);
	kwasm_update(f, 0, 40);
	kwasm_update(f, 0, 12);
	kwasm_update(g, 0, 12);
	kwasm_update(g, 0, 40);
	kwasm_update(h, 1, 100);
	kwasm_update(h, 2, 5);
	kwasm_update(h, 1, 23);
	str_u64("bash", 59);
	str_u64("bash", 59);
	str_u64("sshd", 0);
	str_u64("bash", 1);
	str_u64("bash", 1);
	str_u64("bash", 1);
}
