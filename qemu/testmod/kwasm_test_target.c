// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module, never shipped: two functions with the same body, called on demand,
 * one an ftrace site and one not. On a kernel with the function tracer a kprobe on a
 * traced function's entry goes through ftrace; on kwasm_test_notrace() it is an int3
 * kprobe, or a jump once optimized. The suite keeps exercising kwasm's handlers on those
 * paths (the paths of every kprobe on a notrace function, and of every kprobe on a kernel
 * without the function tracer), and the bench compares the three on equal functions.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static unsigned long total;

/*
 * No fentry call, so no ftrace site; noinline, for a real entry to probe; the body is
 * longer than the 5 bytes a jump replaces, so the kprobe can be optimized.
 */
static noinline notrace void kwasm_test_notrace(unsigned long n)
{
	WRITE_ONCE(total, READ_ONCE(total) + n);
	barrier();
}

/* The same, as an ftrace site. */
static noinline void kwasm_test_traced(unsigned long n)
{
	WRITE_ONCE(total, READ_ONCE(total) + n);
	barrier();
}

/* A second name of kwasm_test_traced(): two kprobe points at one ftrace site. */
static void kwasm_test_traced_alias(unsigned long n) __alias(kwasm_test_traced) __used;

/*
 * Three more ftrace sites for wildcards (kprobe:kwasm_test_wild_*:pre): writing N to
 * wild_calls calls _a N times, _b 2N times and _c 3N times. Their bodies differ: the
 * compiler folds identical functions into one address (kallsyms then lists all the
 * names there, and a wildcard counts the second and third as skipped).
 */
static unsigned long wild_total[3];

static noinline void kwasm_test_wild_a(unsigned long n)
{
	WRITE_ONCE(wild_total[0], READ_ONCE(wild_total[0]) + n);
	barrier();
}

static noinline void kwasm_test_wild_b(unsigned long n)
{
	WRITE_ONCE(wild_total[1], READ_ONCE(wild_total[1]) ^ n);
	barrier();
}

static noinline void kwasm_test_wild_c(unsigned long n)
{
	WRITE_ONCE(wild_total[2], READ_ONCE(wild_total[2]) - n);
	barrier();
}

/*
 * An ftrace site on the kprobe blacklist: fprobe would attach to it, kprobes refuse it, so
 * a wildcard that matches it (kprobe:kwasm_test_[nw]*:pre) skips and counts it. Called once
 * for each of wild_calls' calls.
 */
static noinline void kwasm_test_nokprobe(unsigned long n)
{
	WRITE_ONCE(wild_total[0], READ_ONCE(wild_total[0]) | n);
	barrier();
}
NOKPROBE_SYMBOL(kwasm_test_nokprobe);

static void kwasm_test_wild(unsigned long n)
{
	kwasm_test_nokprobe(n);
	kwasm_test_wild_a(n);
	kwasm_test_wild_b(n);
	kwasm_test_wild_b(n);
	kwasm_test_wild_c(n);
	kwasm_test_wild_c(n);
	kwasm_test_wild_c(n);
}

/* Writing N calls the parameter's function N times, with 1 to N. */
static int calls_set(const char *val, const struct kernel_param *kp)
{
	void (*fn)(unsigned long) = kp->arg;
	unsigned long n, i;
	int ret;

	ret = kstrtoul(val, 0, &n);
	if (ret)
		return ret;
	if (n > 10000000)
		return -ERANGE;
	for (i = 1; i <= n; i++)
		fn(i);
	return 0;
}

/* Reading gives the sum of all arguments so far, of either function. */
static int calls_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lu\n", READ_ONCE(total));
}

static const struct kernel_param_ops calls_ops = { .set = calls_set, .get = calls_get };
module_param_cb(notrace_calls, &calls_ops, kwasm_test_notrace, 0644);
MODULE_PARM_DESC(notrace_calls, "Write N to call kwasm_test_notrace() N times");
module_param_cb(traced_calls, &calls_ops, kwasm_test_traced, 0644);
MODULE_PARM_DESC(traced_calls, "Write N to call kwasm_test_traced() N times");
module_param_cb(wild_calls, &calls_ops, kwasm_test_wild, 0644);
MODULE_PARM_DESC(wild_calls, "Write N to call kwasm_test_wild_a(), _b() and _c() N, 2N and 3N times");

MODULE_DESCRIPTION("kwasm test: a notrace and a traced function to probe");
MODULE_LICENSE("GPL");
