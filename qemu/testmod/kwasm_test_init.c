// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module, never shipped: its init calls a function of its init text, and one of
 * its core text, every 20 ms until the test writes 1 to the parameter release (or 30 s
 * pass), so that a program can attach to both while the module is coming. When init
 * returns the module is live and its init text is freed: a program's ftrace_ops must let
 * go of that site first, and keep the other (src/kinds/kprobe.c, MODULE_STATE_LIVE).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static bool release;
module_param(release, bool, 0644);
MODULE_PARM_DESC(release, "Write 1 to let init return");

static unsigned long total;

/* In init text, an ftrace site: gone once init has returned. */
static noinline void __init kwasm_test_init_traced(unsigned long n)
{
	WRITE_ONCE(total, READ_ONCE(total) + n);
	barrier();
}

/* In core text, an ftrace site; its body differs, so it is not folded into the other. */
static noinline void kwasm_test_init_core(unsigned long n)
{
	WRITE_ONCE(total, READ_ONCE(total) ^ n);
	barrier();
}

/* Writing N calls kwasm_test_init_core() N times. */
static int core_calls_set(const char *val, const struct kernel_param *kp)
{
	unsigned long n, i;
	int ret;

	ret = kstrtoul(val, 0, &n);
	if (ret)
		return ret;
	if (n > 10000000)
		return -ERANGE;
	for (i = 1; i <= n; i++)
		kwasm_test_init_core(i);
	return 0;
}

static const struct kernel_param_ops core_calls_ops = { .set = core_calls_set };
module_param_cb(core_calls, &core_calls_ops, NULL, 0200);
MODULE_PARM_DESC(core_calls, "Write N to call kwasm_test_init_core() N times");

static int __init kwasm_test_init_init(void)
{
	unsigned long end = jiffies + 30 * HZ;

	/*
	 * jiffies, not a constant: GCC would clone a function always called with 1 under
	 * another name (.constprop), which the test could not find.
	 */
	while (!READ_ONCE(release) && time_before(jiffies, end)) {
		kwasm_test_init_traced(jiffies);
		kwasm_test_init_core(jiffies);
		msleep(20);
	}
	return 0;
}
module_init(kwasm_test_init_init);

static void __exit kwasm_test_init_exit(void)
{
}
module_exit(kwasm_test_init_exit);

MODULE_DESCRIPTION("kwasm test: functions of init and core text, called until released");
MODULE_LICENSE("GPL");
