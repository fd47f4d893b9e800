// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module, never shipped: a bare kprobe whose handler counts hits. It is the
 * baseline that kwasm's per-hit cost is compared with, and it exercises kprobes alone
 * (registering, unregistering and registering again) apart from kwasm. kind= picks a
 * kretprobe, or an fprobe's entry or exit handler, for the bench's comparison of the
 * function tracer's paths, or a probe on the tracepoint sys_enter (raw_syscalls), the
 * baseline of a kwasm tracepoint handler's cost. kind=puts and kind=printk make the
 * kprobe's handler also write one record into a tracefs instance of its own
 * (instances/kwasm_test_kprobe), as a literal (__trace_array_puts()) or formatted by the
 * kernel (trace_array_printk()): the kernel's own cost of a streamed record, which the
 * bench sets beside kwasm's trace stream (Documentation/performance.rst).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/atomic.h>
#include <linux/fprobe.h>
#include <linux/tracepoint.h>
#include <linux/trace.h>
#include <linux/sched.h>

static char *symbol = "__x64_sys_getpgid";
module_param(symbol, charp, 0444);
MODULE_PARM_DESC(symbol, "The function to probe");

static int cycles = 1;
module_param(cycles, int, 0444);
MODULE_PARM_DESC(cycles, "How many times to register the kprobe (unregistering between)");

static char *kind = "kprobe";
module_param(kind, charp, 0444);
MODULE_PARM_DESC(kind, "kprobe, kretprobe, fprobe (entry handler), fprobe_exit (exit handler), sys_enter (the tracepoint; symbol is ignored), or puts or printk (a kprobe that writes a record)");

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

/* kind=puts and kind=printk: the instance their records go to. */
static struct trace_array *kwasm_test_tr;

/* The bench's stream_literal record (bench/probes/stream_literal.c), its length alike. */
static const char kwasm_test_record[] = "getpgid pid=123 n=1234567";

static int kwasm_test_puts(struct kprobe *kp, struct pt_regs *regs)
{
	atomic64_inc(&hits_count);
	__trace_array_puts(kwasm_test_tr, instruction_pointer(regs), kwasm_test_record,
			   sizeof(kwasm_test_record) - 1);
	return 0;
}
NOKPROBE_SYMBOL(kwasm_test_puts);

/* The bench's stream record (bench/probes/stream.c): the same format and arguments. */
static int kwasm_test_printk(struct kprobe *kp, struct pt_regs *regs)
{
	trace_array_printk(kwasm_test_tr, instruction_pointer(regs), "getpgid pid=%d n=%llu",
			   task_pid_vnr(current), atomic64_inc_return(&hits_count));
	return 0;
}
NOKPROBE_SYMBOL(kwasm_test_printk);

static struct kprobe kwasm_test_kp;
static struct kretprobe kwasm_test_rp;

static int kwasm_test_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic64_inc(&hits_count);
	return 0;
}
NOKPROBE_SYMBOL(kwasm_test_ret);

#ifdef CONFIG_FPROBE
static struct fprobe kwasm_test_fp;

static int kwasm_test_fentry(struct fprobe *fp, unsigned long entry_ip, unsigned long ret_ip,
			     struct ftrace_regs *regs, void *entry_data)
{
	atomic64_inc(&hits_count);
	return 0;
}
NOKPROBE_SYMBOL(kwasm_test_fentry);

static void kwasm_test_fexit(struct fprobe *fp, unsigned long entry_ip, unsigned long ret_ip,
			     struct ftrace_regs *regs, void *entry_data)
{
	atomic64_inc(&hits_count);
}
NOKPROBE_SYMBOL(kwasm_test_fexit);
#endif

/* sys_enter's TP_PROTO exactly, so that a CFI kernel's checked call accepts it. */
static void kwasm_test_sys_enter(void *data, struct pt_regs *regs, long id)
{
	atomic64_inc(&hits_count);
}
NOKPROBE_SYMBOL(kwasm_test_sys_enter);

static struct tracepoint *kwasm_test_tp;

static void kwasm_test_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sys_enter"))
		kwasm_test_tp = tp;
}

enum kwasm_test_kind {
	KIND_KPROBE, KIND_KRETPROBE, KIND_FPROBE, KIND_FPROBE_EXIT, KIND_SYS_ENTER, KIND_PUTS,
	KIND_PRINTK
};
static enum kwasm_test_kind kwasm_test_kind;

static int kwasm_test_register(void)
{
	switch (kwasm_test_kind) {
	case KIND_KPROBE:
	case KIND_PUTS:
	case KIND_PRINTK:
		memset(&kwasm_test_kp, 0, sizeof(kwasm_test_kp));
		kwasm_test_kp.symbol_name = symbol;
		kwasm_test_kp.pre_handler = kwasm_test_kind == KIND_PUTS ? kwasm_test_puts :
					    kwasm_test_kind == KIND_PRINTK ? kwasm_test_printk :
					    kwasm_test_pre;
		return register_kprobe(&kwasm_test_kp);
	case KIND_KRETPROBE:
		memset(&kwasm_test_rp, 0, sizeof(kwasm_test_rp));
		kwasm_test_rp.kp.symbol_name = symbol;
		kwasm_test_rp.handler = kwasm_test_ret;
		return register_kretprobe(&kwasm_test_rp);
#ifdef CONFIG_FPROBE
	case KIND_FPROBE:
	case KIND_FPROBE_EXIT:
		memset(&kwasm_test_fp, 0, sizeof(kwasm_test_fp));
		if (kwasm_test_kind == KIND_FPROBE)
			kwasm_test_fp.entry_handler = kwasm_test_fentry;
		else
			kwasm_test_fp.exit_handler = kwasm_test_fexit;
		return register_fprobe(&kwasm_test_fp, symbol, NULL);
#endif
	case KIND_SYS_ENTER:
		for_each_kernel_tracepoint(kwasm_test_find_tp, NULL);
		if (!kwasm_test_tp)
			return -ENOENT;
		return tracepoint_probe_register(kwasm_test_tp, kwasm_test_sys_enter, NULL);
	default:
		return -EOPNOTSUPP;
	}
}

static void kwasm_test_unregister(void)
{
	switch (kwasm_test_kind) {
	case KIND_KPROBE:
	case KIND_PUTS:
	case KIND_PRINTK:
		unregister_kprobe(&kwasm_test_kp);
		break;
	case KIND_KRETPROBE:
		unregister_kretprobe(&kwasm_test_rp);
		break;
	case KIND_SYS_ENTER:
		tracepoint_probe_unregister(kwasm_test_tp, kwasm_test_sys_enter, NULL);
		tracepoint_synchronize_unregister();
		break;
	default:
#ifdef CONFIG_FPROBE
		/* unregister_fprobe() does not wait for running handlers. */
		unregister_fprobe(&kwasm_test_fp);
		synchronize_rcu();
#endif
		break;
	}
}

static void kwasm_test_remove_instance(void)
{
	if (!kwasm_test_tr)
		return;
	trace_array_put(kwasm_test_tr);
	trace_array_destroy(kwasm_test_tr);
}

static int __init kwasm_test_kprobe_init(void)
{
	static const char *const kinds[] = { "kprobe", "kretprobe", "fprobe", "fprobe_exit",
					     "sys_enter", "puts", "printk" };
	int i, ret;

	i = match_string(kinds, ARRAY_SIZE(kinds), kind);
	if (i < 0) {
		pr_err("kind=%s: not one of kprobe, kretprobe, fprobe, fprobe_exit, sys_enter, puts, printk\n",
		       kind);
		return -EINVAL;
	}
	kwasm_test_kind = i;
	if (kwasm_test_kind == KIND_PUTS || kwasm_test_kind == KIND_PRINTK) {
		kwasm_test_tr = trace_array_get_by_name(KBUILD_MODNAME, NULL);
		if (!kwasm_test_tr)
			return -ENODEV;
		ret = kwasm_test_kind == KIND_PRINTK ? trace_array_init_printk(kwasm_test_tr) : 0;
		if (ret)
			goto fail;
	}
	for (i = 0; i < cycles; i++) {
		if (i)
			kwasm_test_unregister();
		ret = kwasm_test_register();
		if (ret)
			goto fail;
	}
	return 0;
fail:
	kwasm_test_remove_instance();
	return ret;
}

static void __exit kwasm_test_kprobe_exit(void)
{
	kwasm_test_unregister();
	kwasm_test_remove_instance();
}

module_init(kwasm_test_kprobe_init);
module_exit(kwasm_test_kprobe_exit);
MODULE_DESCRIPTION("kwasm test: a bare counting kprobe");
MODULE_LICENSE("GPL");
