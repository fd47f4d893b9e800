// SPDX-License-Identifier: GPL-2.0
/*
 * A loaded program's exec, and the discipline its calls run under.
 *
 * Each loaded program has a struct kwasm_exec: the engine's program handle and one
 * struct kwasm_point per attach point, each delivered by its attach kind (the table
 * below). What makes calling into one program safe from any context:
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
 * - the lock holder waits on nothing: calls never enter the allocator (see rt.c),
 *   copies are _nofault, the clock is NMI-safe and log lines are deferred (log.c);
 * - every call runs with the program's fuel, at most max_fuel, so it ends in bounded
 *   time, host functions' work included.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hardirq.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include "kwasm_internal.h"

/* The attach kinds, by name (kwasm_internal.h lists them). */
static const struct {
	const char *name;
	const struct kwasm_attach_kind *kind;
} kwasm_kinds[] = {
#define KWASM_KIND_ROW(n)	{ #n, &kwasm_##n##_kind },
	KWASM_ATTACH_KINDS(KWASM_KIND_ROW)
#undef KWASM_KIND_ROW
};

static const struct kwasm_attach_kind *kwasm_kind_find(const char *name)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(kwasm_kinds); k++)
		if (!strcmp(kwasm_kinds[k].name, name))
			return kwasm_kinds[k].kind;
	return NULL;
}

/**
 * kwasm_exec_check_kinds() - check that every attach kind of the engine has a row here
 * @missing: set to the name of the first that has none
 *
 * The two tables are kept by hand (the engine parses export names; this layer delivers
 * events): module init calls this, so a kind added to one only cannot go unnoticed.
 *
 * Return: 0, or -ENOENT.
 */
int kwasm_exec_check_kinds(const char **missing)
{
	const char *name;
	u32 i;

	for (i = 0; (name = kwasm_engine_kind(i)); i++) {
		if (!kwasm_kind_find(name)) {
			*missing = name;
			return -ENOENT;
		}
	}
	return 0;
}

/*
 * How long a hit waits for another CPU's call into the same program before it gives up
 * and counts as missed. Far longer than a handler takes at the default fuel.
 */
#define KWASM_LOCK_WAIT_NS	(20 * NSEC_PER_MSEC)

/*
 * Non-zero while this CPU is inside a call into any program (a handler or report), from
 * before the program's lock is taken until after it is released.
 * kwasm_rt_alloc() reads it too: calls run in atomic context.
 */
DEFINE_PER_CPU(int, kwasm_cpu_busy);

/* Prepares a loaded program for attachment; owns @engine from now on, even on failure. */
static int kwasm_exec_new(struct kwasm_program *engine, const char *name, u64 fuel,
			  struct kwasm_exec **out, char *msg, size_t msg_size)
{
	u32 i, n = kwasm_engine_attach_count(engine);
	struct kwasm_exec *ex;

	ex = kzalloc(struct_size(ex, points, n), GFP_KERNEL_ACCOUNT);
	if (!ex)
		goto fail;
	ex->npoints = n;
	ex->name = kstrdup(name, GFP_KERNEL_ACCOUNT);
	ex->batch = kcalloc(2 * max(n, 1U), sizeof(*ex->batch), GFP_KERNEL_ACCOUNT);
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
		/* Module init checked that every engine kind has a row. */
		pt->kind = kwasm_kind_find(pt->info.kind);
		if (WARN_ON_ONCE(!pt->kind))
			goto fail_free;
		pt->syscall = kwasm_symbol_is_syscall(pt->info.symbol);
		pt->strings = kwasm_syscall_string_mask(pt->info.symbol);
		atomic64_set(&pt->missed, 0);
	}
	*out = ex;
	return 0;

fail_free:
	kfree(ex->batch);
	kfree(ex->name);
	kfree(ex);
fail:
	kwasm_engine_free(engine);
	strscpy(msg, "out of memory", msg_size);
	return -ENOMEM;
}

/**
 * kwasm_exec_load() - load a Wasm module and prepare it for attachment
 * @code: the module
 * @len: its size
 * @limits: the limits it loads under
 * @name: the program's name, for log lines; copied
 * @fuel: fuel for every call
 * @out: set to the new exec
 * @msg: where a load error's sentence goes
 * @msg_size: its size
 *
 * Process context.
 *
 * Return: 0, or a negative errno (and @msg says why).
 */
int kwasm_exec_load(const u8 *code, size_t len, const struct kwasm_limits *limits,
		    const char *name, u64 fuel, struct kwasm_exec **out, char *msg,
		    size_t msg_size)
{
	struct kwasm_program *engine;
	int ret;

	ret = kwasm_load(code, len, limits, name, &engine, msg, msg_size);
	if (ret)
		return ret;
	return kwasm_exec_new(engine, name, fuel, out, msg, msg_size);
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
bool kwasm_comm_matches(const struct kwasm_exec *ex)
{
	return !ex->comm || !strncmp(current->comm, ex->comm, TASK_COMM_LEN);
}
NOKPROBE_SYMBOL(kwasm_comm_matches);

/**
 * kwasm_run() - run the handler of @hit->point, serialized with other CPUs
 * @hit: the hit, as its attach kind delivered it
 *
 * A hit that cannot enter (see kwasm_enter()) is counted as missed. The counters are
 * written under the lock and read without it (kwasm_exec_stats()). Preemption must be
 * disabled, as it is in every attach kind's handler.
 */
void kwasm_run(struct kwasm_hit *hit)
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
	if (!kwasm_enter(ex, &flags, false)) {
		atomic64_inc(&pt->missed);
		return;
	}
	if (pt->info.nparams)
		pt->kind->params(hit, params);
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

/**
 * kwasm_exec_attach() - attach every attach point, all or nothing
 * @ex: the exec
 * @failed: set to the index of the attach point that failed
 *
 * Return: 0, or the errno of the attach point that failed, with nothing left attached.
 */
int kwasm_exec_attach(struct kwasm_exec *ex, u32 *failed)
{
	u32 i;
	int ret;

	for (i = 0; i < ex->npoints; i++) {
		struct kwasm_point *pt = &ex->points[i];

		pt->priv = kzalloc(pt->kind->priv_size, GFP_KERNEL_ACCOUNT);
		pt->failed = NULL;
		ret = pt->priv ? pt->kind->attach(pt) : -ENOMEM;
		if (ret) {
			kfree(pt->priv);
			pt->priv = NULL;
			*failed = i;
			kwasm_exec_detach(ex);
			return ret;
		}
		pt->registered = true;
	}
	return 0;
}

/**
 * kwasm_exec_detach() - detach every attach point and wait for running handlers
 * @ex: the exec
 */
void kwasm_exec_detach(struct kwasm_exec *ex)
{
	struct kwasm_point **pts = (struct kwasm_point **)ex->batch;
	u32 i, k, n;

	/* One call per kind, so each kind can wait for its handlers once for all. */
	for (k = 0; k < ARRAY_SIZE(kwasm_kinds); k++) {
		const struct kwasm_attach_kind *kind = kwasm_kinds[k].kind;
		void **scratch;

		for (i = 0, n = 0; i < ex->npoints; i++)
			if (ex->points[i].registered && ex->points[i].kind == kind)
				pts[n++] = &ex->points[i];
		if (!n)
			continue;
		/* The batch array's second half is the kind's to fill. */
		scratch = ex->batch + ex->npoints;
		kind->detach(pts, n, scratch);
		/* No handler runs any more; keep the mechanism's misses for stats. */
		for (i = 0; i < n; i++) {
			atomic64_add(kind->nmissed(pts[i]), &pts[i]->missed);
			pts[i]->registered = false;
		}
	}
	for (i = 0; i < ex->npoints; i++) {
		if (ex->points[i].registered)
			continue;
		kfree(ex->points[i].priv);
		ex->points[i].priv = NULL;
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
	out->export = pt->info.name;
	out->registrar = pt->failed ?: pt->kind->registrar;
	out->hits = READ_ONCE(pt->hits);
	out->traps = READ_ONCE(pt->traps);
	out->fuel_exhausted = READ_ONCE(pt->fuel_exhausted);
	out->ns = READ_ONCE(pt->ns);
	out->missed = atomic64_read(&pt->missed) +
		      (pt->registered ? pt->kind->nmissed(pt) : 0);
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
