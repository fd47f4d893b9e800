// SPDX-License-Identifier: GPL-2.0
/*
 * kprobe attachment and handler execution for kwasm programs.
 *
 * Each loaded program has a struct kwasm_exec: the engine's program handle, one
 * struct kwasm_point per attach point (a kprobe for "pre", a kretprobe for "post"),
 * and what makes calling into one program safe from any context:
 *
 * - a raw spinlock serializes calls (handlers on any CPU and report), taken with
 *   interrupts off so lockdep sees one consistent usage;
 * - a per-CPU "busy" flag, set before the lock is taken, makes a hit that arrives on a
 *   CPU already inside the program (an interrupt or NMI during a handler or report, or a
 *   probe on a function the engine itself calls) return at once, counted as missed:
 *   spinning there would deadlock;
 * - every call runs with the program's fuel, so it ends in bounded time.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/hardirq.h>
#include <linux/ptrace.h>
#include "kwasm_engine.h"
#include "kwasm_exec.h"
#include "syscall_strings.h"

/* Arguments saved by a kretprobe's entry handler for the return handler's arg(n). */
struct kwasm_entry {
	u64 args[KWASM_MAX_PARAMS];
};

struct kwasm_point {
	struct kwasm_exec *exec;
	u32 index;
	struct kwasm_attach info;
	bool syscall;
	u32 strings;		/* parameters that are user strings (syscalls only) */
	bool registered;
	union {
		struct kprobe kp;
		struct kretprobe rp;
	};
	/* Updated under exec->lock, except missed. */
	u64 hits, traps, fuel_exhausted, ns;
	atomic64_t missed;
};

struct kwasm_exec {
	struct kwasm_program *engine;
	raw_spinlock_t lock;
	int __percpu *busy;
	const char *comm;	/* handlers run only for this task name (SPEC §2.1), or NULL */
	u64 fuel;
	const char *name;
	u32 npoints;
	struct kwasm_point points[] __counted_by(npoints);
};

/* Non-zero while this CPU runs the engine in atomic context: see kwasm_rt_alloc(). */
DEFINE_PER_CPU(int, kwasm_atomic_depth);

/*
 * Whether a probe sits on a syscall entry point, whose single argument is the user's
 * pt_regs. This is the one arch-specific name in kwasm.
 */
static bool kwasm_symbol_is_syscall(const char *symbol)
{
#ifdef CONFIG_X86_64
	return str_has_prefix(symbol, "__x64_sys_");
#else
	return false;
#endif
}

/* The string parameters of syscall entry point @symbol, from include/linux/syscalls.h. */
static u32 kwasm_syscall_string_mask(const char *symbol)
{
	size_t i;

	if (!kwasm_symbol_is_syscall(symbol))
		return 0;
	symbol += strlen("__x64_sys_");
	for (i = 0; i < ARRAY_SIZE(kwasm_syscall_strings); i++)
		if (!strcmp(kwasm_syscall_strings[i].name, symbol))
			return kwasm_syscall_strings[i].mask;
	return 0;
}

bool kwasm_point_is_syscall(const struct kwasm_point *pt)
{
	return pt->syscall;
}

const char *kwasm_exec_name(const struct kwasm_exec *ex)
{
	return ex->name;
}

/**
 * kwasm_exec_new() - prepare a loaded program for attachment
 * @engine: the engine's program; owned by the result from now on, even on failure
 * @name: the program's name, for log lines; copied
 * @fuel: fuel for every call
 *
 * Return: the new exec, or NULL if out of memory.
 */
struct kwasm_exec *kwasm_exec_new(struct kwasm_program *engine, const char *name, u64 fuel)
{
	u32 i, n = kwasm_engine_attach_count(engine);
	struct kwasm_exec *ex;

	ex = kzalloc(struct_size(ex, points, n), GFP_KERNEL_ACCOUNT);
	if (!ex)
		goto fail;
	ex->npoints = n;
	ex->name = kstrdup(name, GFP_KERNEL_ACCOUNT);
	ex->busy = alloc_percpu(int);
	if (!ex->name || !ex->busy)
		goto fail_free;
	raw_spin_lock_init(&ex->lock);
	ex->engine = engine;
	ex->fuel = fuel;
	ex->comm = kwasm_engine_comm_filter(engine);
	for (i = 0; i < n; i++) {
		struct kwasm_point *pt = &ex->points[i];

		pt->exec = ex;
		pt->index = i;
		kwasm_engine_attach_point(engine, i, &pt->info);
		pt->syscall = kwasm_symbol_is_syscall(pt->info.symbol);
		pt->strings = kwasm_syscall_string_mask(pt->info.symbol);
		atomic64_set(&pt->missed, 0);
	}
	return ex;

fail_free:
	free_percpu(ex->busy);
	kfree(ex->name);
	kfree(ex);
fail:
	kwasm_engine_free(engine);
	return NULL;
}

/**
 * kwasm_exec_free() - detach if attached, and free everything, the engine's program too
 * @ex: the exec, or NULL
 */
void kwasm_exec_free(struct kwasm_exec *ex)
{
	if (!ex)
		return;
	kwasm_exec_detach(ex);
	kwasm_engine_free(ex->engine);
	free_percpu(ex->busy);
	kfree(ex->name);
	kfree(ex);
}

static void kwasm_trap_log(struct kwasm_point *pt, int kind, const struct kwasm_trap *trap)
{
	pr_warn_ratelimited("%s: %s:%s trapped: %s\n", pt->exec->name, pt->info.symbol,
			    pt->info.kind == KWASM_PRE ? "pre" : "post", trap->message);
}

/*
 * The handler parameters: the probed function's arguments, or for a syscall entry point
 * the user's syscall arguments; a post handler's one parameter is the return value.
 */
static void kwasm_params(struct kwasm_hit *hit, u64 *params)
{
	struct kwasm_point *pt = hit->point;
	u32 i, n = pt->info.nparams;

	if (pt->info.kind == KWASM_POST) {
		params[0] = regs_return_value(hit->regs);
		return;
	}
	for (i = 0; i < n; i++) {
		u64 v = 0;

		if (pt->syscall)
			kwasm_host_ops.syscall_arg(hit, i, &v);
		else
			v = regs_get_kernel_argument(hit->regs, i);
		params[i] = v;
	}
}

/*
 * Runs the handler of @hit->point: skipped (counted as missed) when this CPU is already
 * inside the program, serialized with other CPUs otherwise.
 */
static void kwasm_run(struct kwasm_hit *hit)
{
	struct kwasm_point *pt = hit->point;
	struct kwasm_exec *ex = pt->exec;
	u64 params[KWASM_MAX_PARAMS] = { 0 };
	struct kwasm_trap trap;
	unsigned long flags;
	int *busy, ret;
	u64 t0;

	/* The comm filter first: a hit for another task costs only this comparison. */
	if (ex->comm && strncmp(current->comm, ex->comm, TASK_COMM_LEN))
		return;
	/* kprobe handlers run with preemption disabled: the CPU cannot change. */
	busy = this_cpu_ptr(ex->busy);
	if (READ_ONCE(*busy)) {
		atomic64_inc(&pt->missed);
		return;
	}
	WRITE_ONCE(*busy, 1);
	barrier();
	if (in_nmi()) {
		/* Spinning in NMI could wait on a CPU that waits on us: never. */
		if (!raw_spin_trylock_irqsave(&ex->lock, flags)) {
			atomic64_inc(&pt->missed);
			goto out;
		}
	} else {
		raw_spin_lock_irqsave(&ex->lock, flags);
	}
	this_cpu_inc(kwasm_atomic_depth);
	if (pt->info.nparams)
		kwasm_params(hit, params);
	t0 = ktime_get_mono_fast_ns();
	ret = kwasm_engine_call(ex->engine, pt->index, hit, params, pt->strings,
				READ_ONCE(ex->fuel), &trap);
	pt->ns += ktime_get_mono_fast_ns() - t0;
	pt->hits++;
	if (ret) {
		pt->traps++;
		if (ret == KWASM_TRAP_FUEL)
			pt->fuel_exhausted++;
	}
	this_cpu_dec(kwasm_atomic_depth);
	raw_spin_unlock_irqrestore(&ex->lock, flags);
	if (ret)
		kwasm_trap_log(pt, ret, &trap);
out:
	barrier();
	WRITE_ONCE(*busy, 0);
}
NOKPROBE_SYMBOL(kwasm_run);

static int kwasm_pre_handler(struct kprobe *kp, struct pt_regs *regs)
{
	struct kwasm_hit hit = {
		.point = container_of(kp, struct kwasm_point, kp),
		.regs = regs,
	};

	hit.exec = hit.point->exec;
	kwasm_run(&hit);
	return 0;
}
NOKPROBE_SYMBOL(kwasm_pre_handler);

static int kwasm_entry_handler(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kwasm_entry *entry = (struct kwasm_entry *)ri->data;
	int i;

	for (i = 0; i < KWASM_MAX_PARAMS; i++)
		entry->args[i] = regs_get_kernel_argument(regs, i);
	return 0;
}
NOKPROBE_SYMBOL(kwasm_entry_handler);

static int kwasm_ret_handler(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kretprobe *rp = get_kretprobe(ri);
	struct kwasm_hit hit = {
		.regs = regs,
		.entry_args = ((struct kwasm_entry *)ri->data)->args,
	};

	if (!rp)
		return 0;
	hit.point = container_of(rp, struct kwasm_point, rp);
	hit.exec = hit.point->exec;
	kwasm_run(&hit);
	return 0;
}
NOKPROBE_SYMBOL(kwasm_ret_handler);

static int kwasm_point_register(struct kwasm_point *pt)
{
	if (pt->info.kind == KWASM_PRE) {
		memset(&pt->kp, 0, sizeof(pt->kp));
		pt->kp.symbol_name = pt->info.symbol;
		pt->kp.pre_handler = kwasm_pre_handler;
		return register_kprobe(&pt->kp);
	}
	memset(&pt->rp, 0, sizeof(pt->rp));
	pt->rp.kp.symbol_name = pt->info.symbol;
	pt->rp.entry_handler = kwasm_entry_handler;
	pt->rp.handler = kwasm_ret_handler;
	pt->rp.data_size = sizeof(struct kwasm_entry);
	/* 0 lets kprobes choose max(10, 2 * possible CPUs) instances. */
	pt->rp.maxactive = 0;
	return register_kretprobe(&pt->rp);
}

/* kprobes' own count of hits it dropped, kept across detach for stats. */
static u64 kwasm_point_nmissed(const struct kwasm_point *pt)
{
	if (pt->info.kind == KWASM_PRE)
		return pt->kp.nmissed;
	return pt->rp.nmissed + pt->rp.kp.nmissed;
}

static void kwasm_point_unregister(struct kwasm_point *pt)
{
	u64 nmissed;

	if (!pt->registered)
		return;
	if (pt->info.kind == KWASM_PRE)
		unregister_kprobe(&pt->kp);
	else
		unregister_kretprobe(&pt->rp);
	/* No handler runs after unregistering; fold kprobes' misses into ours. */
	nmissed = kwasm_point_nmissed(pt);
	atomic64_add(nmissed, &pt->missed);
	pt->registered = false;
}

/**
 * kwasm_exec_attach() - register every attach point, all or nothing
 * @ex: the exec
 * @failed: set to the index of the attach point that failed
 *
 * Return: 0, or the errno of register_k(ret)probe() with nothing left registered.
 */
int kwasm_exec_attach(struct kwasm_exec *ex, u32 *failed)
{
	u32 i;
	int ret;

	for (i = 0; i < ex->npoints; i++) {
		ret = kwasm_point_register(&ex->points[i]);
		if (ret) {
			*failed = i;
			kwasm_exec_detach(ex);
			return ret;
		}
		ex->points[i].registered = true;
	}
	return 0;
}

/**
 * kwasm_exec_detach() - unregister every attach point and wait for running handlers
 * @ex: the exec
 */
void kwasm_exec_detach(struct kwasm_exec *ex)
{
	u32 i;

	for (i = 0; i < ex->npoints; i++)
		kwasm_point_unregister(&ex->points[i]);
}

void kwasm_exec_set_fuel(struct kwasm_exec *ex, u64 fuel)
{
	WRITE_ONCE(ex->fuel, fuel);
}

u32 kwasm_exec_points(const struct kwasm_exec *ex)
{
	return ex->npoints;
}

/**
 * kwasm_exec_stats() - read the counters of one attach point
 * @ex: the exec
 * @index: the attach point
 * @out: filled with a consistent snapshot of the counters
 */
void kwasm_exec_stats(const struct kwasm_exec *ex, u32 index, struct kwasm_point_stats *out)
{
	struct kwasm_exec *mex = (struct kwasm_exec *)ex;
	const struct kwasm_point *pt = &ex->points[index];
	unsigned long flags;
	int *busy;

	out->symbol = pt->info.symbol;
	out->kind = pt->info.kind;
	/* Same discipline as a handler, so the snapshot is consistent and lockdep agrees. */
	preempt_disable();
	busy = this_cpu_ptr(ex->busy);
	WRITE_ONCE(*busy, 1);
	barrier();
	raw_spin_lock_irqsave(&mex->lock, flags);
	out->hits = pt->hits;
	out->traps = pt->traps;
	out->fuel_exhausted = pt->fuel_exhausted;
	out->ns = pt->ns;
	raw_spin_unlock_irqrestore(&mex->lock, flags);
	barrier();
	WRITE_ONCE(*busy, 0);
	preempt_enable();
	out->missed = atomic64_read(&pt->missed) +
		      (pt->registered ? kwasm_point_nmissed(pt) : 0);
}

/**
 * kwasm_exec_report() - call the program's report export
 * @ex: the exec
 * @buf: where the string goes (not NUL-terminated)
 * @size: its size
 * @len: set to the string's length in @buf
 * @truncated: set when the string was longer than @size
 * @trap: set to the trap's message when it trapped
 *
 * Runs under the same discipline as a handler, with the program's fuel.
 *
 * Return: 0, -EOPNOTSUPP without a report export, -EIO if it trapped.
 */
int kwasm_exec_report(struct kwasm_exec *ex, char *buf, size_t size, size_t *len,
		      bool *truncated, const char **trap)
{
	struct kwasm_hit hit = { .exec = ex };
	struct kwasm_trap t = { 0 };
	unsigned long flags;
	int *busy, ret;

	preempt_disable();
	busy = this_cpu_ptr(ex->busy);
	WRITE_ONCE(*busy, 1);
	barrier();
	raw_spin_lock_irqsave(&ex->lock, flags);
	this_cpu_inc(kwasm_atomic_depth);
	ret = kwasm_engine_report(ex->engine, &hit, READ_ONCE(ex->fuel), buf, size, len,
				  truncated, &t);
	this_cpu_dec(kwasm_atomic_depth);
	raw_spin_unlock_irqrestore(&ex->lock, flags);
	barrier();
	WRITE_ONCE(*busy, 0);
	preempt_enable();
	if (ret > 0) {
		*trap = t.message;
		return -EIO;
	}
	return ret;
}

/* The engine's program, for its sizes. */
const struct kwasm_program *kwasm_exec_engine(const struct kwasm_exec *ex)
{
	return ex->engine;
}

/**
 * kwasm_log_warn() - log a program's error, rate-limited
 * @program: the program's name
 * @msg: what went wrong
 */
void kwasm_log_warn(const char *program, const char *msg)
{
	pr_warn_ratelimited("%s: %s\n", program, msg);
}
