// SPDX-License-Identifier: GPL-2.0
/*
 * The wildcard attach kind: "kprobe:PATTERN:pre" runs at the entry of every function
 * whose name PATTERN matches (glob_match(): *, ?, [...]), through one fprobe, which is
 * what bpftrace's kprobe:vfs_* uses (BPF's kprobe_multi): one ftrace_ops for all the
 * functions, so attaching and detaching are one ftrace update each, not one kprobe
 * registration (a text patch and a grace period) per function.
 *
 * register_fprobe() resolves the pattern against kallsyms, the kernel's and modules'
 * (the symbol walk itself is not exported to modules), keeping the ftrace sites only:
 * what available_filter_functions lists. A function that is no ftrace site (notrace,
 * inlined, __init, ftrace's and kprobes' own code) is never matched, and cannot be
 * counted. Of what it matched, this file drops and counts in "skipped" kwasm's own
 * functions (a handler would run inside the handlers' path), second names of one
 * address, which fprobe would call twice, and what kprobes refuse (the kprobe blacklist,
 * which fprobe does not check); and refuses more than max_wildcard_functions
 * (E2BIG). The fprobe is registered disabled and enabled only once the table that maps a
 * hit's address to its function is in place.
 *
 * The entry handler runs from the ftrace trampoline with preemption disabled, under
 * fprobe's recursion protection, and goes to kwasm_run() like every other kind. Its
 * registers are ftrace's partial ones (what BPF's kprobe_multi programs get): the
 * argument registers, the stack and frame pointers and the function's address, enough
 * for arg(n), kstack() and the trace stream. :post is not supported (fprobe's exit side
 * needs the function graph tracer's shadow stack on every matched function); the engine
 * refuses a :post wildcard at load.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bsearch.h>
#include <linux/fprobe.h>
#include <linux/ftrace.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include "../kwasm_internal.h"

/* The default cap: bpftrace warns from 1000 up; 4096 covers vfs_*, tcp_* and the like. */
static unsigned int max_wildcard_functions = 4096;
module_param(max_wildcard_functions, uint, 0644);
MODULE_PARM_DESC(max_wildcard_functions,
		 "Most functions one wildcard attach point (kprobe:PATTERN:pre) attaches to");

/* The hardest cap: the table's arrays are allocated with kvcalloc(). */
#define KWASM_WILDCARD_LIMIT	(1U << 20)

/* One of a wildcard's functions. */
struct kwasm_func {
	unsigned long ip;	/* its ftrace site, what the handler gets */
	unsigned long start;	/* its symbol's address, for func_ip() */
	atomic64_t missed;	/* hits kwasm_run() could not run */
	char *name;		/* its name, for stats (without a module's) */
};

/* What a wildcard attached to, kept from attach until the next attach or the end. */
struct kwasm_funcs {
	u32 n, skipped;
	struct kwasm_func *funcs;	/* sorted by ip */
	struct kwasm_point_counters __percpu *counters;	/* n for each CPU */
};

/* The point's priv while attached. */
struct kwasm_fprobe {
	struct fprobe fp;
	struct kwasm_point *pt;
	struct kwasm_funcs *tab;
};

static void kwasm_funcs_free(struct kwasm_funcs *tab)
{
	u32 j;

	if (!tab)
		return;
	for (j = 0; tab->funcs && j < tab->n; j++)
		kfree(tab->funcs[j].name);
	kvfree(tab->funcs);
	free_percpu(tab->counters);
	kfree(tab);
}

static int kwasm_fprobe_arg(const struct kwasm_hit *hit, u32 n, u64 *value)
{
	if (n >= KWASM_MAX_PARAMS)
		return -EINVAL;
	*value = regs_get_kernel_argument(hit->regs, n);
	return 0;
}
NOKPROBE_SYMBOL(kwasm_fprobe_arg);

static int kwasm_fprobe_ret(const struct kwasm_hit *hit, u64 *value)
{
	return -EINVAL;
}
NOKPROBE_SYMBOL(kwasm_fprobe_ret);

static void kwasm_fprobe_params(const struct kwasm_hit *hit, u64 *params)
{
	u32 i;

	for (i = 0; i < hit->point->info.nparams; i++)
		params[i] = regs_get_kernel_argument(hit->regs, i);
}
NOKPROBE_SYMBOL(kwasm_fprobe_params);

static u32 kwasm_fprobe_functions(const struct kwasm_point *pt, u32 *skipped)
{
	const struct kwasm_funcs *tab = pt->table;

	*skipped = tab ? tab->skipped : 0;
	return tab ? tab->n : 0;
}

static void kwasm_fprobe_function_stats(const struct kwasm_point *pt, u32 j,
					struct kwasm_point_stats *out)
{
	const struct kwasm_funcs *tab = pt->table;

	memset(out, 0, sizeof(*out));
	out->export = tab->funcs[j].name;
	out->registrar = pt->kind->registrar;
	kwasm_stats_sum(tab->counters + j, out);
	out->missed = atomic64_read(&tab->funcs[j].missed);
}

static void kwasm_fprobe_release(struct kwasm_point *pt)
{
	kwasm_funcs_free(pt->table);
	pt->table = NULL;
}

#if IS_ENABLED(CONFIG_FPROBE) && IS_ENABLED(CONFIG_HAVE_FTRACE_REGS_HAVING_PT_REGS)

static int kwasm_func_cmp(const void *key, const void *elt)
{
	unsigned long ip = *(const unsigned long *)key;
	const struct kwasm_func *f = elt;

	return ip < f->ip ? -1 : ip > f->ip;
}
NOKPROBE_SYMBOL(kwasm_func_cmp);

static int kwasm_ulong_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}


static int kwasm_fprobe_entry(struct fprobe *fp, unsigned long entry_ip, unsigned long ret_ip,
			      struct ftrace_regs *fregs, void *data)
{
	struct kwasm_fprobe *f = container_of(fp, struct kwasm_fprobe, fp);
	const struct kwasm_funcs *tab = smp_load_acquire(&f->tab);
	struct kwasm_func *fn;

	if (unlikely(!tab))
		return 0;
	fn = bsearch(&entry_ip, tab->funcs, tab->n, sizeof(*fn), kwasm_func_cmp);
	if (unlikely(!fn))
		return 0;
	/*
	 * Declared here, every member named, as in kwasm_pre_hit() (kprobe.c): a
	 * declaration above the tests would be cleared whole on every hit.
	 */
	struct kwasm_hit hit = {
		.exec = f->pt->exec,
		.point = f->pt,
		/* The pt_regs inside ftrace_regs: the second argument is for other layouts. */
		.regs = ftrace_partial_regs(fregs, NULL),
		.entry_args = NULL,
		.params = NULL,
		.name = NULL,
		.func_ip = fn->start,
		.counters = tab->counters + (fn - tab->funcs),
		.missed = &fn->missed,
	};
	kwasm_run(&hit);
	return 0;
}
NOKPROBE_SYMBOL(kwasm_fprobe_entry);

/*
 * The addresses the resolving registration attached to, sorted, without kwasm's own and
 * without repeats; sets *@skipped to how many it dropped.
 */
static unsigned long *kwasm_fprobe_ips(const struct fprobe *fp, u32 *n, u32 *skipped)
{
	const struct fprobe_hlist *h = fp->hlist_array;
	unsigned long *ips;
	u32 i, k = 0;

	ips = kvcalloc(h->size, sizeof(*ips), GFP_KERNEL_ACCOUNT);
	if (!ips)
		return NULL;
	for (i = 0; i < h->size; i++)
		ips[i] = h->array[i].addr;
	sort(ips, h->size, sizeof(*ips), kwasm_ulong_cmp, NULL);
	for (i = 0; i < h->size; i++) {
		if (within_module(ips[i], THIS_MODULE) || (k && ips[k - 1] == ips[i]))
			continue;
		ips[k++] = ips[i];
	}
	*skipped = h->size - k;
	*n = k;
	return ips;
}

#if IS_ENABLED(CONFIG_KPROBES_ON_FTRACE)

/* How many test kprobes one batch registers; their unregistration is one grace period. */
#define KWASM_KPROBE_BATCH	512

/*
 * Drops from @ips (@n ftrace sites, sorted) the functions kprobes refuse, as bpftrace
 * drops what /sys/kernel/debug/kprobes/blacklist lists: NOKPROBE_SYMBOL() functions, the
 * entry text and the architecture's own ranges, where a handler could recurse into the
 * code that runs it. The blacklist check (within_kprobe_blacklist()) is not exported, so
 * each function gets a disabled kprobe registered and unregistered: at an ftrace site a
 * disabled kprobe patches no text and arms nothing, and register_kprobe() runs the same
 * checks as for a live one. Returns how many it dropped, or -ENOMEM.
 */
static int kwasm_drop_unprobeable(unsigned long *ips, u32 *n)
{
	struct kprobe *kps, **regd;
	u32 i, j, k = 0, batch = min_t(u32, *n, KWASM_KPROBE_BATCH);
	int ret = 0;

	if (!batch)
		return 0;
	kps = kvcalloc(batch, sizeof(*kps), GFP_KERNEL);
	regd = kvcalloc(batch, sizeof(*regd), GFP_KERNEL);
	if (!kps || !regd) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < *n && !ret; i += batch) {
		u32 m = min(batch, *n - i), r = 0;

		for (j = 0; j < m; j++) {
			struct kprobe *kp = &kps[j];
			int err;

			memset(kp, 0, sizeof(*kp));
			kp->addr = (kprobe_opcode_t *)ips[i + j];
			kp->flags = KPROBE_FLAG_DISABLED;
			err = register_kprobe(kp);
			if (!err) {
				regd[r++] = kp;
				ips[k++] = ips[i + j];
			} else if (err == -ENOMEM) {
				ret = err;
				break;
			}
		}
		if (r)
			unregister_kprobes(regd, r);
	}
	if (!ret) {
		ret = *n - k;
		*n = k;
	}
out:
	kvfree(regd);
	kvfree(kps);
	return ret;
}

#else /* !CONFIG_KPROBES_ON_FTRACE */

/* kprobes cannot sit on ftrace sites here, so the test above would refuse every one. */
static int kwasm_drop_unprobeable(unsigned long *ips, u32 *n)
{
	return 0;
}

#endif /* CONFIG_KPROBES_ON_FTRACE */

/* The table of @n functions at @ips (sorted). */
static struct kwasm_funcs *kwasm_funcs_new(const unsigned long *ips, u32 n, u32 skipped)
{
	struct kwasm_funcs *tab;
	char *sym;
	u32 j;

	tab = kzalloc(sizeof(*tab), GFP_KERNEL_ACCOUNT);
	sym = kmalloc(KSYM_SYMBOL_LEN, GFP_KERNEL);
	if (!tab || !sym)
		goto fail;
	tab->skipped = skipped;
	tab->funcs = kvcalloc(n, sizeof(*tab->funcs), GFP_KERNEL_ACCOUNT);
	tab->counters = __alloc_percpu_gfp(n * sizeof(*tab->counters),
					   __alignof__(*tab->counters), GFP_KERNEL_ACCOUNT);
	if (!tab->funcs || !tab->counters)
		goto fail;
	tab->n = n;
	for (j = 0; j < n; j++) {
		struct kwasm_func *f = &tab->funcs[j];

		f->ip = ips[j];
		f->start = kwasm_symbol_start(ips[j]);
		atomic64_set(&f->missed, 0);
		/* A stats line's first word: "name", not ksym()'s "name [module]". */
		sprint_symbol_no_offset(sym, f->start);
		f->name = kstrndup(sym, strcspn(sym, " "), GFP_KERNEL_ACCOUNT);
		if (!f->name)
			goto fail;
	}
	kfree(sym);
	return tab;

fail:
	kfree(sym);
	kwasm_funcs_free(tab);
	return NULL;
}

static int kwasm_fprobe_attach(struct kwasm_point *pt)
{
	struct kwasm_fprobe *f = pt->priv;
	const char *pattern = pt->info.symbol;
	unsigned int max = min(READ_ONCE(max_wildcard_functions), KWASM_WILDCARD_LIMIT);
	unsigned long *ips = NULL;
	u32 n, skipped, matched;
	int ret, dropped;

	f->pt = pt;
	f->fp.entry_handler = kwasm_fprobe_entry;
	/* No hit reaches the handler before the table is in place. */
	f->fp.flags = FPROBE_FL_DISABLED;
	pt->failed = "register_fprobe";
	ret = register_fprobe(&f->fp, pattern, NULL);
	if (ret == -ENOENT) {
		pt->failed = "register_fprobe (no traceable function matches)";
		return ret;
	}
	if (ret)
		return ret;
	matched = f->fp.hlist_array->size;
	if (matched > max) {
		pt->failed = "register_fprobe (more matches than max_wildcard_functions)";
		pr_warn("%s: %s matches %u functions, over max_wildcard_functions=%u\n",
			pt->exec->name, pt->info.name, matched, max);
		ret = -E2BIG;
		goto fail;
	}
	pt->failed = "register_fprobe (out of memory)";
	ret = -ENOMEM;
	ips = kwasm_fprobe_ips(&f->fp, &n, &skipped);
	if (!ips)
		goto fail;
	dropped = kwasm_drop_unprobeable(ips, &n);
	if (dropped < 0)
		goto fail;
	skipped += dropped;
	if (skipped) {
		/* Only as many as are left: one more ftrace update, not the common case. */
		unregister_fprobe(&f->fp);
		if (!n) {
			pt->failed = "register_fprobe (only kwasm's own or kprobe-blacklisted functions match)";
			kvfree(ips);
			return -ENOENT;
		}
		pt->failed = "register_fprobe_ips";
		ret = register_fprobe_ips(&f->fp, ips, n);
		if (ret) {
			kvfree(ips);
			return ret;
		}
	}
	/* A new attach starts new counts, for what the pattern matches now. */
	kwasm_fprobe_release(pt);
	pt->failed = "register_fprobe (out of memory)";
	ret = -ENOMEM;
	pt->table = kwasm_funcs_new(ips, n, skipped);
	kvfree(ips);
	ips = NULL;
	if (!pt->table)
		goto fail;
	pt->failed = NULL;
	/* Published for the handler, which runs from now on. */
	smp_store_release(&f->tab, pt->table);
	WRITE_ONCE(f->fp.flags, f->fp.flags & ~FPROBE_FL_DISABLED);
	pr_info("%s: %s attached to %u functions (%u skipped)\n", pt->exec->name,
		pt->info.name, n, skipped);
	return 0;

fail:
	kvfree(ips);
	unregister_fprobe(&f->fp);
	return ret;
}

/* unregister_fprobe() waits for running handlers, each call an RCU grace period. */
static void kwasm_fprobe_detach(struct kwasm_point **pts, u32 n, void **scratch)
{
	u32 i;

	for (i = 0; i < n; i++) {
		struct kwasm_fprobe *f = pts[i]->priv;

		WARN_ON_ONCE(unregister_fprobe(&f->fp));
	}
}

static u64 kwasm_fprobe_nmissed(const struct kwasm_point *pt)
{
	return ((const struct kwasm_fprobe *)pt->priv)->fp.nmissed;
}

#else /* !CONFIG_FPROBE */

/*
 * The handler reads the arguments from ftrace_regs as pt_regs, which needs
 * HAVE_FTRACE_REGS_HAVING_PT_REGS (x86_64 has it).
 */
static int kwasm_fprobe_attach(struct kwasm_point *pt)
{
	if (!IS_ENABLED(CONFIG_FPROBE))
		pt->failed = "register_fprobe (CONFIG_FPROBE is off: no wildcards)";
	else
		pt->failed = "register_fprobe (ftrace_regs hold no pt_regs here: no wildcards)";
	return -EOPNOTSUPP;
}

static void kwasm_fprobe_detach(struct kwasm_point **pts, u32 n, void **scratch)
{
}

static u64 kwasm_fprobe_nmissed(const struct kwasm_point *pt)
{
	return 0;
}

#endif /* CONFIG_FPROBE */

const struct kwasm_attach_kind kwasm_fprobe_kind = {
	.priv_size = sizeof(struct kwasm_fprobe),
	.attach = kwasm_fprobe_attach,
	.detach = kwasm_fprobe_detach,
	.nmissed = kwasm_fprobe_nmissed,
	.params = kwasm_fprobe_params,
	.arg = kwasm_fprobe_arg,
	.ret = kwasm_fprobe_ret,
	.registrar = "register_fprobe",
	.functions = kwasm_fprobe_functions,
	.function_stats = kwasm_fprobe_function_stats,
	.release = kwasm_fprobe_release,
};
