// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module, never shipped: a bare kprobe whose handler counts hits. It is the
 * baseline that kwasm's per-hit cost is compared with, and it exercises kprobes alone
 * (registering, unregistering and registering again) apart from kwasm.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/atomic.h>

static char *symbol = "__x64_sys_getpgid";
module_param(symbol, charp, 0444);
MODULE_PARM_DESC(symbol, "The function to probe");

static int cycles = 1;
module_param(cycles, int, 0444);
MODULE_PARM_DESC(cycles, "How many times to register the kprobe (unregistering between)");

static atomic64_t hits_count;

static int hits_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&hits_count));
}

static const struct kernel_param_ops hits_ops = { .get = hits_get };
module_param_cb(hits, &hits_ops, NULL, 0444);
MODULE_PARM_DESC(hits, "Hits counted so far");

static int kwasm_test_pre(struct kprobe *kp, struct pt_regs *regs)
{
	atomic64_inc(&hits_count);
	return 0;
}
NOKPROBE_SYMBOL(kwasm_test_pre);

static struct kprobe kwasm_test_kp;

static int kwasm_test_register(void)
{
	memset(&kwasm_test_kp, 0, sizeof(kwasm_test_kp));
	kwasm_test_kp.symbol_name = symbol;
	kwasm_test_kp.pre_handler = kwasm_test_pre;
	return register_kprobe(&kwasm_test_kp);
}

static int __init kwasm_test_kprobe_init(void)
{
	int i, ret;

	for (i = 0; i < cycles; i++) {
		if (i)
			unregister_kprobe(&kwasm_test_kp);
		ret = kwasm_test_register();
		if (ret)
			return ret;
	}
	return 0;
}

static void __exit kwasm_test_kprobe_exit(void)
{
	unregister_kprobe(&kwasm_test_kp);
}

module_init(kwasm_test_kprobe_init);
module_exit(kwasm_test_kprobe_exit);
MODULE_DESCRIPTION("kwasm test: a bare counting kprobe");
MODULE_LICENSE("GPL");
