// SPDX-License-Identifier: GPL-2.0
/* Bench: pre + post, ktime and a log2 bucket (what the latency example does). */
#include <kwasm.h>

static s64 start;
static struct kwasm_hist hist;

KWASM_PRE(__x64_sys_getpgid)
{
	start = kwasm_ktime_ns();
}

KWASM_POST(__x64_sys_getpgid)
{
	kwasm_hist_add(&hist, kwasm_ktime_ns() - start);
}
