// SPDX-License-Identifier: GPL-2.0
/*
 * kprobe attachment and handler execution for kwasm programs.
 *
 * Each loaded program has a struct kwasm_exec: the engine's program handle, one
 * struct kwasm_point per attach point (a kprobe for "pre", a kretprobe for "post"),
 * and what makes calling into one program safe from any context:
 *
 * - a per-CPU "busy" flag, shared by all programs and set before any lock is taken,
 *   makes a hit that arrives on a CPU already inside a program (an interrupt or NMI
 *   during a handler or report, or a probe on a function the engine itself calls) return
 *   at once, counted as missed. So a CPU holds at most one program's lock, and two
 *   programs can never wait on each other (as bpf_prog_active does for BPF);
 * - a raw spinlock serializes calls into one program (handlers on any CPU and report),
 *   with interrupts off. It is taken by trylock in a loop bounded by
 *   KWASM_LOCK_WAIT_NS: an int3 kprobe handler runs in NMI context, where lockdep
 *   forbids a spinning acquire, and a bound means no wait can ever become a deadlock;
 * - the lock holder waits on nothing: calls allocate nothing (a trap's error object
 *   comes from a lock-free pool, see rt.c), copies are _nofault, the clock is NMI-safe
 *   and log lines are printk_deferred;
 * - every call runs with the program's fuel, at most max_fuel, so it ends in bounded
 *   time.
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
#include <linux/ratelimit.h>
#include "kwasm_engine.h"
#include "kwasm_exec.h"
#include "syscall_strings.h"

/* The fewest kretprobe instances of a post attach point (see kwasm_point_register()). */
#define KWASM_RET_INSTANCES_MIN	64

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

/*
 * How long a hit waits for another CPU's call into the same program before it gives up
 * and counts as missed. Far longer than a handler takes at the default fuel.
 */
#define KWASM_LOCK_WAIT_NS	(20 * NSEC_PER_MSEC)

struct kwasm_exec {
	struct kwasm_program *engine;
	raw_spinlock_t lock;
	struct ratelimit_state log_ratelimit;	/* this program's log lines from calls */
	void **batch;		/* npoints pointers, to unregister in one call */
	const char *comm;	/* handlers run only for this task name (probe-abi.rst, wasm3 probes), or NULL */
	/* Read once at load: memory cannot grow after it, and status must not race calls. */
	size_t code_bytes, memory_bytes;
	u64 fuel;
	const char *name;
	u32 npoints;
	struct kwasm_point points[] __counted_by(npoints);
};

/*
 * Non-zero while this CPU is inside a call into any program (a handler or report), from
 * before the program's lock is taken until after it is released.
 * kwasm_rt_alloc() reads it too: calls run in atomic context.
 */
DEFINE_PER_CPU(int, kwasm_cpu_busy);

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
	ex->batch = kcalloc(max(n, 1U), sizeof(*ex->batch), GFP_KERNEL_ACCOUNT);
	if (!ex->name || !ex->batch)
		goto fail_free;
	raw_spin_lock_init(&ex->lock);
	ratelimit_state_init(&ex->log_ratelimit, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
	ex->engine = engine;
	ex->fuel = fuel;
	ex->comm = kwasm_engine_comm_filter(engine);
	kwasm_engine_sizes(engine, &ex->code_bytes, &ex->memory_bytes);
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
	kfree(ex->batch);
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
	kwasm_rt_reclaim();
	kfree(ex->batch);
	kfree(ex->name);
	kfree(ex);
}

/*
 * printk_deferred(), which 7.3 does not export: the line goes to the log buffer and the
 * console is printed later from irq_work, so the caller never waits on a console lock.
 */
static __printf(1, 2) void kwasm_printk_deferred(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vprintk_emit(0, LOGLEVEL_SCHED, NULL, fmt, args);
	va_end(args);
}
NOKPROBE_SYMBOL(kwasm_printk_deferred);

/* For log lines from the start function, which runs before the program has an exec. */
static DEFINE_RATELIMIT_STATE(kwasm_load_ratelimit, DEFAULT_RATELIMIT_INTERVAL,
			      DEFAULT_RATELIMIT_BURST);

/*
 * Log lines from calls are deferred (the console is printed from irq_work, never by the
 * lock holder) and rate-limited per program, so one noisy program silences only itself.
 */
static void kwasm_trap_log(struct kwasm_point *pt, const struct kwasm_trap *trap)
{
	if (__ratelimit(&pt->exec->log_ratelimit))
		kwasm_printk_deferred(KERN_WARNING pr_fmt("%s: %s:%s trapped: %s\n"),
				pt->exec->name, pt->info.symbol,
				pt->info.kind == KWASM_PRE ? "pre" : "post", trap->message);
}
NOKPROBE_SYMBOL(kwasm_trap_log);

/**
 * kwasm_hit_print() - log a probe's print() line, deferred and rate-limited per program
 * @hit: the call's context
 * @msg: the message (not NUL-terminated)
 * @len: its length
 */
void kwasm_hit_print(const struct kwasm_hit *hit, const u8 *msg, u32 len)
{
	struct ratelimit_state *rs = hit->exec ? &hit->exec->log_ratelimit : &kwasm_load_ratelimit;
	const char *name = hit->exec ? hit->exec->name : hit->name;

	if (__ratelimit(rs))
		kwasm_printk_deferred(KERN_INFO pr_fmt("%s: %.*s\n"), name, (int)len, msg);
}
NOKPROBE_SYMBOL(kwasm_hit_print);

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
 * Enters @ex on this CPU: interrupts off, this CPU marked busy, the program's lock held.
 * Fails, for the caller to count a miss, when this CPU is already inside a program or,
 * unless @wait, another CPU's call did not end within KWASM_LOCK_WAIT_NS. Preemption
 * must be disabled.
 */
static bool kwasm_enter(struct kwasm_exec *ex, unsigned long *flags, bool wait)
{
	u64 deadline = 0;

	if (this_cpu_read(kwasm_cpu_busy))
		return false;
	this_cpu_write(kwasm_cpu_busy, 1);
	barrier();
	local_irq_save(*flags);
	if (wait) {
		raw_spin_lock(&ex->lock);
		return true;
	}
	while (!raw_spin_trylock(&ex->lock)) {
		u64 now = ktime_get_mono_fast_ns();

		if (!deadline) {
			deadline = now + KWASM_LOCK_WAIT_NS;
		} else if (now > deadline) {
			local_irq_restore(*flags);
			barrier();
			this_cpu_write(kwasm_cpu_busy, 0);
			return false;
		}
		cpu_relax();
	}
	return true;
}
NOKPROBE_SYMBOL(kwasm_enter);

static void kwasm_exit(struct kwasm_exec *ex, unsigned long flags)
{
	raw_spin_unlock_irqrestore(&ex->lock, flags);
	barrier();
	this_cpu_write(kwasm_cpu_busy, 0);
}
NOKPROBE_SYMBOL(kwasm_exit);

/* The comm filter (probe-abi.rst): a hit for another task costs only this comparison. */
static bool kwasm_comm_matches(const struct kwasm_exec *ex)
{
	return !ex->comm || !strncmp(current->comm, ex->comm, TASK_COMM_LEN);
}
NOKPROBE_SYMBOL(kwasm_comm_matches);

/*
 * Runs the handler of @hit->point, serialized with other CPUs; a hit that cannot enter
 * (see kwasm_enter()) is counted as missed. The counters are written under the lock and
 * read without it (kwasm_exec_stats()).
 */
static void kwasm_run(struct kwasm_hit *hit)
{
	struct kwasm_point *pt = hit->point;
	struct kwasm_exec *ex = pt->exec;
	u64 params[KWASM_MAX_PARAMS] = { 0 };
	struct kwasm_trap trap;
	unsigned long flags;
	int ret;
	u64 t0;

	if (!kwasm_comm_matches(ex))
		return;
	/* kprobe handlers run with preemption disabled: the CPU cannot change. */
	if (!kwasm_enter(ex, &flags, false)) {
		atomic64_inc(&pt->missed);
		return;
	}
	if (pt->info.nparams)
		kwasm_params(hit, params);
	t0 = ktime_get_mono_fast_ns();
	ret = kwasm_engine_call(ex->engine, pt->index, hit, params, pt->strings,
				READ_ONCE(ex->fuel), &trap);
	WRITE_ONCE(pt->ns, pt->ns + ktime_get_mono_fast_ns() - t0);
	WRITE_ONCE(pt->hits, pt->hits + 1);
	if (ret) {
		WRITE_ONCE(pt->traps, pt->traps + 1);
		if (ret == KWASM_TRAP_FUEL)
			WRITE_ONCE(pt->fuel_exhausted, pt->fuel_exhausted + 1);
		kwasm_trap_log(pt, &trap);
	}
	kwasm_exit(ex, flags);
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
	struct kretprobe *rp = get_kretprobe(ri);
	struct kwasm_entry *entry = (struct kwasm_entry *)ri->data;
	int i;

	/* Non-zero: no return handler for another task, and the instance is free again. */
	if (!rp || !kwasm_comm_matches(container_of(rp, struct kwasm_point, rp)->exec))
		return 1;
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
	/*
	 * Calls in flight at once: a probed function may sleep (vfs_read on a pipe), so
	 * kprobes' default of max(10, 2 * CPUs) runs out quickly; a return without an
	 * instance is counted in missed. 48 bytes of entry data each.
	 */
	pt->rp.maxactive = max_t(int, KWASM_RET_INSTANCES_MIN, 4 * num_possible_cpus());
	return register_kretprobe(&pt->rp);
}

/* kprobes' own count of hits it dropped, kept across detach for stats. */
static u64 kwasm_point_nmissed(const struct kwasm_point *pt)
{
	if (pt->info.kind == KWASM_PRE)
		return pt->kp.nmissed;
	return pt->rp.nmissed + pt->rp.kp.nmissed;
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
	struct kretprobe **rps = (struct kretprobe **)ex->batch;
	struct kprobe **kps = (struct kprobe **)ex->batch;
	u32 i, n;

	/* In batches: one RCU grace period for all kprobes, one for all kretprobes. */
	for (i = 0, n = 0; i < ex->npoints; i++)
		if (ex->points[i].registered && ex->points[i].info.kind == KWASM_PRE)
			kps[n++] = &ex->points[i].kp;
	if (n)
		unregister_kprobes(kps, n);
	for (i = 0, n = 0; i < ex->npoints; i++)
		if (ex->points[i].registered && ex->points[i].info.kind == KWASM_POST)
			rps[n++] = &ex->points[i].rp;
	if (n)
		unregister_kretprobes(rps, n);
	/* No handler runs any more; fold kprobes' misses into ours. */
	for (i = 0; i < ex->npoints; i++) {
		struct kwasm_point *pt = &ex->points[i];

		if (!pt->registered)
			continue;
		atomic64_add(kwasm_point_nmissed(pt), &pt->missed);
		pt->registered = false;
	}
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
	const struct kwasm_point *pt = &ex->points[index];

	/*
	 * Read without the program's lock: each counter is one word written with
	 * WRITE_ONCE, and a reader must not hold up handlers (or count them missed).
	 */
	out->symbol = pt->info.symbol;
	out->kind = pt->info.kind;
	out->hits = READ_ONCE(pt->hits);
	out->traps = READ_ONCE(pt->traps);
	out->fuel_exhausted = READ_ONCE(pt->fuel_exhausted);
	out->ns = READ_ONCE(pt->ns);
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
 * Runs under the same discipline as a handler, with the program's fuel, but waits for
 * the program's lock as long as it takes (process context).
 *
 * Return: 0, -EOPNOTSUPP without a report export, -EIO if it trapped.
 */
int kwasm_exec_report(struct kwasm_exec *ex, char *buf, size_t size, size_t *len,
		      bool *truncated, const char **trap)
{
	struct kwasm_hit hit = { .exec = ex };
	struct kwasm_trap t = { 0 };
	unsigned long flags;
	int ret;

	preempt_disable();
	/* Process context is never inside a program: entering cannot fail. */
	if (WARN_ON_ONCE(!kwasm_enter(ex, &flags, true))) {
		preempt_enable();
		return -EBUSY;
	}
	ret = kwasm_engine_report(ex->engine, &hit, READ_ONCE(ex->fuel), buf, size, len,
				  truncated, &t);
	kwasm_exit(ex, flags);
	preempt_enable();
	if (ret > 0) {
		*trap = t.message;
		return -EIO;
	}
	return ret;
}

/**
 * kwasm_exec_sizes() - the module's size and its linear memory's, as at load
 * @ex: the exec
 * @code_bytes: set to the module's size
 * @memory_bytes: set to the linear memory's size (it cannot grow after load)
 */
void kwasm_exec_sizes(const struct kwasm_exec *ex, size_t *code_bytes, size_t *memory_bytes)
{
	*code_bytes = ex->code_bytes;
	*memory_bytes = ex->memory_bytes;
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
