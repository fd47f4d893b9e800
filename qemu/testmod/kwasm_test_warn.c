// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module, never shipped: WARNs on request, so the test suite can prove that
 * the splat scanner fails a run whose console shows a WARNING.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/bug.h>

static bool warn;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "WARN once when loaded");

static int __init kwasm_test_warn_init(void)
{
	WARN(warn, "kwasm_test_warn: warning as requested\n");
	return 0;
}

static void __exit kwasm_test_warn_exit(void)
{
}

module_init(kwasm_test_warn_init);
module_exit(kwasm_test_warn_exit);
MODULE_DESCRIPTION("kwasm test: WARN on request");
MODULE_LICENSE("GPL");
