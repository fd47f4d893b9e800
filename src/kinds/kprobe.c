// SPDX-License-Identifier: GPL-2.0
/*
 * The kprobe attach kinds: "kprobe:SYMBOL:pre" runs on a kprobe at the function's entry,
 * "kprobe:SYMBOL:post" on a kretprobe at its return. Each hit goes to kwasm_run() (exec.c)
 * with the registers; arg(n) and ret() read them here.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/timekeeping.h>
#include "../kwasm_internal.h"

/* The fewest kretprobe instances of a post attach point (see kwasm_kretprobe_attach()). */
#define KWASM_RET_INSTANCES_MIN	64

struct kwasm_kprobe {
	struct kprobe kp;
	struct kwasm_point *pt;
	unsigned long func_ip;	/* the probed function's start, for func_ip() */
};

/*
 * What a kretprobe's entry handler saves for the return handler: the arguments for
 * arg(n), and the time for entry_ns() (as samples/kprobes/kretprobe_example.c times a
 * function: the instance is the call's own, so it is right across sleeps, migrations
 * and recursion, where a probe's table keyed by thread or CPU would not be).
 */
struct kwasm_entry {
	u64 args[KWASM_MAX_PARAMS];
	u64 ns;
};

struct kwasm_kretprobe {
	struct kretprobe rp;
	struct kwasm_point *pt;
	unsigned long func_ip;
};

/**
 * kwasm_symbol_start() - the start of the kernel symbol that holds @addr
 * @addr: an address in a function (a kprobe's, which is past an ENDBR instruction, or
 *        an ftrace site)
 *
 * Process context (attach time), so that handlers' func_ip() is a load. What
 * /proc/kallsyms lists, and what ksym() names without an offset.
 *
 * Return: the symbol's address, or @addr if kallsyms knows none.
 */
unsigned long kwasm_symbol_start(unsigned long addr)
{
	char buf[KSYM_SYMBOL_LEN];
	unsigned long off;
	char *plus, *slash;

	/* "name+0x4/0x1a0 [module]": the only symbol lookup exported to modules. */
	sprint_symbol(buf, addr);
	plus = strrchr(buf, '+');
	slash = plus ? strchr(plus, '/') : NULL;
	if (!slash)
		return addr;
	*slash = 0;
	if (kstrtoul(plus + 1, 16, &off) || off > addr)
		return addr;
	return addr - off;
}

/* arg(n): the probed function's n-th argument, from the registers or as saved at entry. */
static int kwasm_kprobe_arg(const struct kwasm_hit *hit, u32 n, u64 *value)
{
	if (n >= KWASM_MAX_PARAMS)
		return -EINVAL;
	if (hit->entry_args)
		*value = hit->entry_args[n];
	else
		*value = regs_get_kernel_argument(hit->regs, n);
	return 0;
}
NOKPROBE_SYMBOL(kwasm_kprobe_arg);

static int kwasm_kretprobe_entry_ns(const struct kwasm_hit *hit, u64 *value)
{
	*value = container_of_const(hit->entry_args, struct kwasm_entry, args[0])->ns;
	return 0;
}
NOKPROBE_SYMBOL(kwasm_kretprobe_entry_ns);

static int kwasm_kprobe_ret(const struct kwasm_hit *hit, u64 *value)
{
	*value = regs_return_value(hit->regs);
	return 0;
}
NOKPROBE_SYMBOL(kwasm_kprobe_ret);

/*
 * A pre handler's parameters: the probed function's arguments, or for a syscall entry
 * point the user's syscall arguments.
 */
static void kwasm_kprobe_params(const struct kwasm_hit *hit, u64 *params)
{
	const struct kwasm_point *pt = hit->point;
	u32 i;

	if (pt->syscall) {
		kwasm_syscall_params(hit, params);
		return;
	}
	for (i = 0; i < pt->info.nparams; i++)
		params[i] = regs_get_kernel_argument(hit->regs, i);
}
NOKPROBE_SYMBOL(kwasm_kprobe_params);

/* A post handler's one parameter is the return value. */
static void kwasm_kretprobe_params(const struct kwasm_hit *hit, u64 *params)
{
	params[0] = regs_return_value(hit->regs);
}
NOKPROBE_SYMBOL(kwasm_kretprobe_params);

static int kwasm_pre_handler(struct kprobe *kp, struct pt_regs *regs)
{
	struct kwasm_kprobe *k = container_of(kp, struct kwasm_kprobe, kp);
	/*
	 * Every member named: with CONFIG_INIT_STACK_ALL_ZERO, naming only some makes the
	 * compiler clear the whole struct first (rep stos) on every hit.
	 */
	struct kwasm_hit hit = {
		.exec = k->pt->exec,
		.point = k->pt,
		.regs = regs,
		.entry_args = NULL,
		.params = NULL,
		.name = NULL,
		.func_ip = k->func_ip,
		.counters = NULL,
		.missed = NULL,
	};

	kwasm_run(&hit);
	return 0;
}
NOKPROBE_SYMBOL(kwasm_pre_handler);

static struct kwasm_kretprobe *kwasm_kretprobe_of(struct kretprobe_instance *ri)
{
	struct kretprobe *rp = get_kretprobe(ri);

	return rp ? container_of(rp, struct kwasm_kretprobe, rp) : NULL;
}
NOKPROBE_SYMBOL(kwasm_kretprobe_of);

static struct kwasm_point *kwasm_kretprobe_point(struct kretprobe_instance *ri)
{
	struct kwasm_kretprobe *k = kwasm_kretprobe_of(ri);

	return k ? k->pt : NULL;
}
NOKPROBE_SYMBOL(kwasm_kretprobe_point);

static int kwasm_entry_handler(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kwasm_point *pt = kwasm_kretprobe_point(ri);
	struct kwasm_entry *entry = (struct kwasm_entry *)ri->data;
	int i;

	/* Non-zero: no return handler for another task, and the instance is free again. */
	if (!pt || !kwasm_comm_matches(pt->exec))
		return 1;
	for (i = 0; i < KWASM_MAX_PARAMS; i++)
		entry->args[i] = regs_get_kernel_argument(regs, i);
	/*
	 * The clock of ktime_ns() (host.c), so that the two subtract; read only for a
	 * program that can ask (it imports entry_ns()), the others spare every entry it.
	 */
	entry->ns = pt->exec->entry_ns ? ktime_get_mono_fast_ns() : 0;
	return 0;
}
NOKPROBE_SYMBOL(kwasm_entry_handler);

static int kwasm_ret_handler(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kwasm_kretprobe *k = kwasm_kretprobe_of(ri);

	if (!k)
		return 0;
	/*
	 * Declared here, every member named, as in kwasm_pre_handler(): a declaration
	 * above the test would be cleared whole on every hit.
	 */
	struct kwasm_hit hit = {
		.exec = k->pt->exec,
		.point = k->pt,
		.regs = regs,
		.entry_args = ((struct kwasm_entry *)ri->data)->args,
		.params = NULL,
		.name = NULL,
		.func_ip = k->func_ip,
		.counters = NULL,
		.missed = NULL,
	};
	kwasm_run(&hit);
	return 0;
}
NOKPROBE_SYMBOL(kwasm_ret_handler);

static int kwasm_kprobe_attach(struct kwasm_point *pt)
{
	struct kwasm_kprobe *k = pt->priv;
	int ret;

	k->pt = pt;
	k->kp.symbol_name = pt->info.symbol;
	k->kp.pre_handler = kwasm_pre_handler;
	/*
	 * The handler runs once registered; func_ip() answers 0 until this is set, which
	 * only a hit racing with activation can see.
	 */
	ret = register_kprobe(&k->kp);
	if (!ret)
		WRITE_ONCE(k->func_ip, kwasm_symbol_start((unsigned long)k->kp.addr));
	return ret;
}

static int kwasm_kretprobe_attach(struct kwasm_point *pt)
{
	struct kwasm_kretprobe *k = pt->priv;
	int ret;

	k->pt = pt;
	k->rp.kp.symbol_name = pt->info.symbol;
	k->rp.entry_handler = kwasm_entry_handler;
	k->rp.handler = kwasm_ret_handler;
	k->rp.data_size = sizeof(struct kwasm_entry);
	/*
	 * Calls in flight at once: a probed function may sleep (vfs_read on a pipe), so
	 * kprobes' default of max(10, 2 * CPUs) runs out quickly; a return without an
	 * instance is counted in missed. 56 bytes of entry data each.
	 */
	k->rp.maxactive = max_t(int, KWASM_RET_INSTANCES_MIN, 4 * num_possible_cpus());
	ret = register_kretprobe(&k->rp);
	if (!ret)
		WRITE_ONCE(k->func_ip, kwasm_symbol_start((unsigned long)k->rp.kp.addr));
	return ret;
}

/* In one call: one RCU grace period for all of them. */
static void kwasm_kprobe_detach(struct kwasm_point **pts, u32 n, void **scratch)
{
	struct kprobe **kps = (struct kprobe **)scratch;
	u32 i;

	for (i = 0; i < n; i++)
		kps[i] = &((struct kwasm_kprobe *)pts[i]->priv)->kp;
	unregister_kprobes(kps, n);
}

static void kwasm_kretprobe_detach(struct kwasm_point **pts, u32 n, void **scratch)
{
	struct kretprobe **rps = (struct kretprobe **)scratch;
	u32 i;

	for (i = 0; i < n; i++)
		rps[i] = &((struct kwasm_kretprobe *)pts[i]->priv)->rp;
	unregister_kretprobes(rps, n);
}

static u64 kwasm_kprobe_nmissed(const struct kwasm_point *pt)
{
	return ((const struct kwasm_kprobe *)pt->priv)->kp.nmissed;
}

static u64 kwasm_kretprobe_nmissed(const struct kwasm_point *pt)
{
	const struct kwasm_kretprobe *k = pt->priv;

	return k->rp.nmissed + k->rp.kp.nmissed;
}

const struct kwasm_attach_kind kwasm_kprobe_kind = {
	.priv_size = sizeof(struct kwasm_kprobe),
	.attach = kwasm_kprobe_attach,
	.detach = kwasm_kprobe_detach,
	.nmissed = kwasm_kprobe_nmissed,
	.params = kwasm_kprobe_params,
	.arg = kwasm_kprobe_arg,
	.ret = kwasm_kprobe_ret,
	.registrar = "register_kprobe",
};

const struct kwasm_attach_kind kwasm_kretprobe_kind = {
	.priv_size = sizeof(struct kwasm_kretprobe),
	.attach = kwasm_kretprobe_attach,
	.detach = kwasm_kretprobe_detach,
	.nmissed = kwasm_kretprobe_nmissed,
	.params = kwasm_kretprobe_params,
	.arg = kwasm_kprobe_arg,
	.ret = kwasm_kprobe_ret,
	.entry_ns = kwasm_kretprobe_entry_ns,
	.registrar = "register_kretprobe",
};
