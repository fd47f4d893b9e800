// SPDX-License-Identifier: GPL-2.0
/*
 * The kprobe attach kinds: "kprobe:SYMBOL:pre" runs at the function's entry,
 * "kprobe:SYMBOL:post" on a kretprobe at its return. Each hit goes to kwasm_run() (exec.c)
 * with the registers; arg(n) and ret() read them here.
 *
 * A pre point is first registered as a disabled kprobe: kprobes resolve the symbol and
 * run their checks (the blacklist, an instruction boundary) and say whether the entry is
 * an ftrace site. Elsewhere the kprobe is then enabled: a jump or int3. On an ftrace
 * site (most functions, on a kernel with the function tracer) the kprobe goes again, and
 * the program's pre points on ftrace sites are called from one ftrace_ops of the
 * program's, which a kprobe on ftrace only wraps: that skips kprobes' lookup of the
 * probe by address, its per-CPU state and the trampoline that saves every register
 * (kprobes ask for FTRACE_OPS_FL_SAVE_REGS; the arguments, stack and frame pointers are
 * what a handler reads). Such a point shows in tracing/enabled_functions, not in
 * kprobes/list. The module parameter ftrace_ops=0 keeps every pre point a kprobe.
 *
 * A point on a module's function ends when that module goes, as a kprobe does (kprobes
 * mark theirs gone): ftrace forgets the module's sites, but not an ftrace_ops' filter, so
 * the program's ftrace_ops drops them itself, from a module notifier of its own, before
 * another module can be loaded at their addresses.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/ptrace.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>
#include "../kwasm_internal.h"

/* Partial registers (ftrace_regs holding pt_regs) are what the handler gets. */
#define KWASM_HAVE_FTRACE_OPS	(IS_ENABLED(CONFIG_DYNAMIC_FTRACE_WITH_ARGS) && \
				 IS_ENABLED(CONFIG_HAVE_FTRACE_REGS_HAVING_PT_REGS))

static bool ftrace_ops = true;
module_param(ftrace_ops, bool, 0644);
MODULE_PARM_DESC(ftrace_ops,
		 "A kprobe:SYMBOL:pre on an ftrace site runs from the program's ftrace_ops (N: a kprobe)");

/* The fewest kretprobe instances of a post attach point (see kwasm_kretprobe_attach()). */
#define KWASM_RET_INSTANCES_MIN	64

/* How a pre point's hits come, once attached. */
enum kwasm_kprobe_via {
	KWASM_VIA_KPROBE,	/* its kprobe, enabled */
	KWASM_VIA_PENDING,	/* an ftrace site: its kprobe, disabled, until attach_all() */
	KWASM_VIA_FTRACE,	/* the program's ftrace_ops; no kprobe */
	KWASM_VIA_NONE,		/* nothing registered (attach_all() failed) */
};

struct kwasm_ftrace_ops;

struct kwasm_kprobe {
	struct kprobe kp;
	struct kwasm_point *pt;
	unsigned long func_ip;	/* the probed function's start, for func_ip() */
	enum kwasm_kprobe_via via;
	struct kwasm_ftrace_ops *fops;	/* KWASM_VIA_FTRACE: the program's */
	struct kwasm_kprobe *next;	/* another point at the same site (an alias) */
};

/* One ftrace site of a program's and the points it runs. */
struct kwasm_ftrace_site {
	unsigned long ip;
	struct kwasm_kprobe *k;		/* the first; more through ->next */
	bool gone;			/* its module went: not in the filter any more */
};

/* A program's pre points on ftrace sites: one ftrace_ops, one registration for all. */
struct kwasm_ftrace_ops {
	struct ftrace_ops ops;
	struct notifier_block module_nb;	/* drops the sites of a module that goes */
	struct mutex lock;		/* the sites' gone, live and registered */
	bool registered;		/* ops is registered (it has a site in its filter) */
	u32 live;			/* sites not gone */
	u32 n;
	struct kwasm_ftrace_site sites[] __counted_by(n);	/* sorted by ip, each once */
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

/* A pre point's hit, from its kprobe or its program's ftrace_ops. */
static __always_inline void kwasm_pre_hit(const struct kwasm_kprobe *k, struct pt_regs *regs)
{
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
}

static int kwasm_pre_handler(struct kprobe *kp, struct pt_regs *regs)
{
	kwasm_pre_hit(container_of(kp, struct kwasm_kprobe, kp), regs);
	return 0;
}
NOKPROBE_SYMBOL(kwasm_pre_handler);

#if KWASM_HAVE_FTRACE_OPS

/*
 * Called from the trampoline of the program's ftrace_ops at the entry of one of its
 * functions, as kprobe_ftrace_handler() would be, under the same recursion protection
 * (which also disables preemption); a recursion is counted as the point's miss.
 */
static void kwasm_ftrace_handler(unsigned long ip, unsigned long parent_ip,
				 struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	struct kwasm_ftrace_ops *f = container_of(ops, struct kwasm_ftrace_ops, ops);
	const struct kwasm_ftrace_site *site = f->sites;
	struct kwasm_kprobe *k;
	u32 n = f->n;
	int bit;

	/*
	 * The site at @ip: a binary search in line (bsearch() would call back for each
	 * step), with no step at all for a program's one site.
	 */
	while (n > 1) {
		u32 half = n / 2;

		if (site[half].ip <= ip)
			site += half;
		n -= half;
	}
	if (unlikely(site->ip != ip))
		return;
	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (unlikely(bit < 0)) {
		for (k = site->k; k; k = k->next)
			atomic64_inc(&k->pt->missed);
		return;
	}
	/* The pt_regs inside ftrace_regs; regs->ip is the ftrace site. */
	for (k = site->k; k; k = k->next)
		kwasm_pre_hit(k, ftrace_partial_regs(fregs, NULL));
	ftrace_test_recursion_unlock(bit);
}
NOKPROBE_SYMBOL(kwasm_ftrace_handler);

/* Whether @ip's text goes now: a module's init text once it is live, all of it as it goes. */
static bool kwasm_site_going(unsigned long ip, struct module *mod, unsigned long state)
{
	return state == MODULE_STATE_GOING ? within_module(ip, mod) : within_module_init(ip, mod);
}

/*
 * A module goes, or its init text once it is live (as kprobes' own notifier does): those
 * sites leave the program's filter (ftrace forgets them, but not this filter, and a
 * module loaded later at their addresses would be traced). When none would be left, the
 * ftrace_ops goes instead: an empty filter is every function.
 */
static int kwasm_ftrace_module_notify(struct notifier_block *nb, unsigned long state,
				      void *data)
{
	struct kwasm_ftrace_ops *f = container_of(nb, struct kwasm_ftrace_ops, module_nb);
	struct module *mod = data;
	struct kwasm_kprobe *k;
	u32 i, going = 0;

	if (state != MODULE_STATE_GOING && state != MODULE_STATE_LIVE)
		return NOTIFY_DONE;
	mutex_lock(&f->lock);
	for (i = 0; i < f->n; i++)
		going += !f->sites[i].gone && kwasm_site_going(f->sites[i].ip, mod, state);
	if (going && going == f->live && f->registered) {
		unregister_ftrace_function(&f->ops);
		f->registered = false;
	}
	for (i = 0; going && i < f->n; i++) {
		struct kwasm_ftrace_site *site = &f->sites[i];

		if (site->gone || !kwasm_site_going(site->ip, mod, state))
			continue;
		site->gone = true;
		f->live--;
		/* kprobes show theirs [GONE] in kprobes/list; these say it here. */
		for (k = site->k; k; k = k->next)
			pr_info("%s: %s: %s %s, the point no longer fires (echo 0, then 1, > active attaches anew)\n",
				k->pt->exec->name, k->pt->info.name, mod->name,
				state == MODULE_STATE_GOING ? "is going" : "frees its init text");
		/* Should it fail, the whole ops goes rather than keep a stale site. */
		if (f->registered && ftrace_set_filter_ip(&f->ops, site->ip, 1, 0)) {
			pr_warn("%pS: cannot drop the site from its program's ftrace_ops; its other sites stop too\n",
				(void *)site->ip);
			unregister_ftrace_function(&f->ops);
			f->registered = false;
		}
	}
	mutex_unlock(&f->lock);
	return NOTIFY_DONE;
}

static void kwasm_ftrace_ops_free(struct kwasm_ftrace_ops *f)
{
	/* Waits for a notifier call in progress; none comes after. */
	unregister_module_notifier(&f->module_nb);
	if (f->registered)
		unregister_ftrace_function(&f->ops);
	ftrace_free_filter(&f->ops);
	mutex_destroy(&f->lock);
	kfree(f);
}

static int kwasm_site_cmp(const void *a, const void *b)
{
	unsigned long x = ((const struct kwasm_ftrace_site *)a)->ip;
	unsigned long y = ((const struct kwasm_ftrace_site *)b)->ip;

	return x < y ? -1 : x > y;
}

/*
 * Moves the pending points among @pts (@n) from their disabled kprobes to one new
 * ftrace_ops: the kprobes go in one call (one grace period for all), the ftrace_ops
 * comes with one ftrace update. @scratch has room for @n pointers.
 */
static int kwasm_kprobe_attach_all(struct kwasm_point **pts, u32 n, void **scratch,
				   u32 *failed)
{
	struct kprobe **kps = (struct kprobe **)scratch;
	unsigned long *ips = (unsigned long *)scratch;
	struct kwasm_ftrace_ops *f;
	u32 i, u, m = 0, first = 0;
	int ret;

	for (i = 0; i < n; i++) {
		struct kwasm_kprobe *k = pts[i]->priv;

		if (k->via != KWASM_VIA_PENDING)
			continue;
		if (!m)
			first = i;
		kps[m++] = &k->kp;
	}
	if (!m)
		return 0;
	*failed = first;
	f = kzalloc(struct_size(f, sites, m), GFP_KERNEL_ACCOUNT);
	if (!f) {
		pts[first]->failed = "register_ftrace_function (out of memory)";
		return -ENOMEM;
	}
	f->n = m;
	for (i = 0; i < m; i++) {
		struct kwasm_kprobe *k = container_of(kps[i], struct kwasm_kprobe, kp);

		f->sites[i].ip = (unsigned long)k->kp.addr;
		f->sites[i].k = k;
	}
	sort(f->sites, m, sizeof(f->sites[0]), kwasm_site_cmp, NULL);
	mutex_init(&f->lock);
	f->module_nb.notifier_call = kwasm_ftrace_module_notify;
	/*
	 * From here on a module that goes is this ops' to handle (the notifier waits for
	 * the lock); one that went before left its kprobes gone (kprobes' notifier, whose
	 * whole chain has run once this returns).
	 */
	ret = register_module_notifier(&f->module_nb);
	if (ret) {
		pts[first]->failed = "register_module_notifier";
		mutex_destroy(&f->lock);
		kfree(f);
		return ret;
	}
	mutex_lock(&f->lock);
	for (i = 0; i < m; i++)
		f->sites[i].gone = kprobe_gone(&f->sites[i].k->kp);
	/* kprobes' checks are done: no kprobe of these fires, nor stays. */
	unregister_kprobes(kps, m);
	/* One site per address, its points chained (aliases): what the handler looks up. */
	for (i = 0, u = 0; i < m; i++) {
		struct kwasm_kprobe *k = f->sites[i].k;

		k->via = KWASM_VIA_NONE;
		k->next = NULL;
		if (u && f->sites[u - 1].ip == f->sites[i].ip) {
			k->next = f->sites[u - 1].k;
			f->sites[u - 1].k = k;
			continue;
		}
		f->sites[u] = f->sites[i];
		if (!f->sites[u].gone)
			ips[f->live++] = f->sites[u].ip;
		u++;
	}
	f->n = u;
	f->ops.func = kwasm_ftrace_handler;
	ret = 0;
	/* No site left (every module went already): no ops, whose empty filter is all. */
	if (f->live) {
		pts[first]->failed = "ftrace_set_filter_ips";
		ret = ftrace_set_filter_ips(&f->ops, ips, f->live, 0, 0);
	}
	if (!ret && f->live) {
		pts[first]->failed = "register_ftrace_function";
		ret = register_ftrace_function(&f->ops);
		f->registered = !ret;
	}
	mutex_unlock(&f->lock);
	if (ret) {
		kwasm_ftrace_ops_free(f);
		return ret;
	}
	pts[first]->failed = NULL;
	for (i = 0; i < f->n; i++) {
		struct kwasm_kprobe *k;

		for (k = f->sites[i].k; k; k = k->next) {
			k->fops = f;
			k->via = KWASM_VIA_FTRACE;
		}
	}
	return 0;
}

#else /* !KWASM_HAVE_FTRACE_OPS */

/* Never called: no point is pending here. */
static int kwasm_kprobe_attach_all(struct kwasm_point **pts, u32 n, void **scratch,
				   u32 *failed)
{
	return 0;
}

static void kwasm_ftrace_ops_free(struct kwasm_ftrace_ops *f)
{
}

#endif /* KWASM_HAVE_FTRACE_OPS */

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
	 * Declared here, every member named, as in kwasm_pre_hit(): a declaration
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
	/* Disabled: kprobes' checks, and no hit before func_ip is known. */
	k->kp.flags = KPROBE_FLAG_DISABLED;
	ret = register_kprobe(&k->kp);
	if (ret)
		return ret;
	k->func_ip = kwasm_symbol_start((unsigned long)k->kp.addr);
	if (KWASM_HAVE_FTRACE_OPS && READ_ONCE(ftrace_ops) && kprobe_ftrace(&k->kp)) {
		k->via = KWASM_VIA_PENDING;
		return 0;
	}
	k->via = KWASM_VIA_KPROBE;
	ret = enable_kprobe(&k->kp);
	if (ret) {
		unregister_kprobe(&k->kp);
		pt->failed = "enable_kprobe";
	}
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

/*
 * The kprobes in one call: one RCU grace period for all of them; the program's
 * ftrace_ops (all its points' one) in one more.
 */
static void kwasm_kprobe_detach(struct kwasm_point **pts, u32 n, void **scratch)
{
	struct kprobe **kps = (struct kprobe **)scratch;
	struct kwasm_ftrace_ops *fops = NULL;
	u32 i, m = 0;

	for (i = 0; i < n; i++) {
		struct kwasm_kprobe *k = pts[i]->priv;

		if (k->via == KWASM_VIA_KPROBE || k->via == KWASM_VIA_PENDING)
			kps[m++] = &k->kp;
		else if (k->via == KWASM_VIA_FTRACE)
			fops = k->fops;
	}
	if (m)
		unregister_kprobes(kps, m);
	if (fops)
		kwasm_ftrace_ops_free(fops);
}

static void kwasm_kretprobe_detach(struct kwasm_point **pts, u32 n, void **scratch)
{
	struct kretprobe **rps = (struct kretprobe **)scratch;
	u32 i;

	for (i = 0; i < n; i++)
		rps[i] = &((struct kwasm_kretprobe *)pts[i]->priv)->rp;
	unregister_kretprobes(rps, n);
}

/* On the ftrace_ops, the handler counts its misses itself. */
static u64 kwasm_kprobe_nmissed(const struct kwasm_point *pt)
{
	const struct kwasm_kprobe *k = pt->priv;

	return k->via == KWASM_VIA_KPROBE ? k->kp.nmissed : 0;
}

static u64 kwasm_kretprobe_nmissed(const struct kwasm_point *pt)
{
	const struct kwasm_kretprobe *k = pt->priv;

	return k->rp.nmissed + k->rp.kp.nmissed;
}

const struct kwasm_attach_kind kwasm_kprobe_kind = {
	.priv_size = sizeof(struct kwasm_kprobe),
	.attach = kwasm_kprobe_attach,
	.attach_all = kwasm_kprobe_attach_all,
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
