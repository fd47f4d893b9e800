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
 * - in shared mode (the default) a raw spinlock serializes calls into the program's one
 *   instance (handlers on any CPU and report), with interrupts off. A hit takes it by
 *   trylock in a loop that gives up once as many calls as there are online CPUs have
 *   ended since it began to wait (what a fair lock could make it wait for), each
 *   bounded by fuel: an int3 kprobe handler runs in NMI context, where lockdep forbids a
 *   spinning acquire, and a bound means no wait can ever become a deadlock;
 * - in per-CPU mode each possible CPU has an instance of its own, made at load, and a
 *   hit runs on its CPU's behind the busy flag alone, with interrupts off: no lock, no
 *   waiting. report runs on each CPU's instance on that CPU (kwasm_exec_report());
 * - the lock holder waits on nothing: calls never enter the allocator (see rt.c),
 *   copies are _nofault, the clock is NMI-safe and log lines are deferred (log.c);
 * - every call runs with the program's fuel, at most max_fuel, so it ends in bounded
 *   time, host functions' work included.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/hardirq.h>
#include <linux/kprobes.h>
#include <linux/math64.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/smp.h>
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
 * Non-zero while this CPU is inside a call into any program (a handler or report), from
 * before the program's lock is taken until after it is released.
 * kwasm_rt_alloc() reads it too: calls run in atomic context.
 */
DEFINE_PER_CPU(int, kwasm_cpu_busy);

/*
 * A hit's parameters when its kind gathers them (kwasm_run()): this CPU's, written only
 * inside a program, where the busy flag keeps every other hit on this CPU out. Not an
 * array on kwasm_run()'s stack, which CONFIG_INIT_STACK_ALL_ZERO (distributions' choice)
 * would clear on every hit, a handler with parameters or not.
 */
static DEFINE_PER_CPU(u64 [KWASM_MAX_PARAMS], kwasm_params);
static const u64 kwasm_no_params[KWASM_MAX_PARAMS];

/* Frees what kwasm_exec_new() made; the attach points are detached. */
static void kwasm_exec_release(struct kwasm_exec *ex)
{
	u32 i;
	int cpu;

	if (ex->instances) {
		for_each_possible_cpu(cpu) {
			struct kwasm_program *inst = *per_cpu_ptr(ex->instances, cpu);

			if (inst != ex->engine)
				kwasm_engine_free(inst);
		}
		free_percpu(ex->instances);
	}
	kwasm_engine_free(ex->engine);
	kwasm_rt_reclaim();
	for (i = 0; i < ex->npoints; i++) {
		struct kwasm_point *pt = &ex->points[i];

		if (pt->kind && pt->kind->release)
			pt->kind->release(pt);
		free_percpu(pt->counters);
	}
	kfree(ex->batch);
	kfree(ex->name);
	kfree(ex);
}

/*
 * Per-CPU mode: an instance of the program for each possible CPU, from its one compiled
 * module. The first CPU gets the loaded program itself (unless it is the only one: one
 * instance is then made anyway, to measure), every other a new instance, measured.
 */
static int kwasm_exec_instantiate(struct kwasm_exec *ex, char *msg, size_t msg_size)
{
	int cpu, first = cpumask_first(cpu_possible_mask), ret;

	ex->instances = alloc_percpu_gfp(struct kwasm_program *, GFP_KERNEL_ACCOUNT);
	if (!ex->instances) {
		strscpy(msg, "out of memory for the per-CPU instances", msg_size);
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu) {
		struct kwasm_program **inst = per_cpu_ptr(ex->instances, cpu);
		long bytes;

		if (cpu == first && num_possible_cpus() > 1) {
			*inst = ex->engine;
			ex->ninstances++;
			continue;
		}
		kwasm_rt_meter_start();
		ret = kwasm_instantiate(ex->engine, ex->name, inst, msg, msg_size);
		bytes = kwasm_rt_meter_stop();
		if (ret)
			return ret;
		ex->instance_bytes = max_t(long, bytes, 0);
		ex->ninstances++;
	}
	return 0;
}

/* Prepares a loaded program for attachment; owns @engine from now on, even on failure. */
static int kwasm_exec_new(struct kwasm_program *engine, const char *name, u64 fuel,
			  bool percpu, struct kwasm_exec **out, char *msg, size_t msg_size)
{
	u32 i, n = kwasm_engine_attach_count(engine);
	struct kwasm_exec *ex;
	int ret;

	ex = kzalloc(struct_size(ex, points, n), GFP_KERNEL_ACCOUNT);
	if (!ex) {
		kwasm_engine_free(engine);
		strscpy(msg, "out of memory", msg_size);
		return -ENOMEM;
	}
	ex->npoints = n;
	ex->engine = engine;
	ex->name = kstrdup(name, GFP_KERNEL_ACCOUNT);
	ex->batch = kcalloc(2 * max(n, 1U), sizeof(*ex->batch), GFP_KERNEL_ACCOUNT);
	if (!ex->name || !ex->batch)
		goto fail_nomem;
	raw_spin_lock_init(&ex->lock);
	ratelimit_state_init(&ex->log_ratelimit, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
	ex->maps = kwasm_engine_maps(engine);
	ex->fuel = fuel;
	ex->comm = kwasm_engine_comm_filter(engine);
	ex->entry_ns = kwasm_engine_uses_entry_ns(engine);
	kwasm_engine_sizes(engine, &ex->code_bytes, &ex->memory_bytes);
	for (i = 0; i < n; i++) {
		struct kwasm_point *pt = &ex->points[i];

		pt->exec = ex;
		pt->index = i;
		pt->counters = alloc_percpu_gfp(struct kwasm_point_counters, GFP_KERNEL_ACCOUNT);
		if (!pt->counters)
			goto fail_nomem;
		kwasm_engine_attach_point(engine, i, &pt->info);
		/* Module init checked that every engine kind has a row. */
		pt->kind = kwasm_kind_find(pt->info.kind);
		if (WARN_ON_ONCE(!pt->kind))
			goto fail_nomem;
		pt->syscall = kwasm_symbol_is_syscall(pt->info.symbol);
		pt->strings = kwasm_syscall_string_mask(pt->info.symbol);
		atomic64_set(&pt->missed, 0);
	}
	if (percpu) {
		ret = kwasm_exec_instantiate(ex, msg, msg_size);
		if (ret) {
			kwasm_exec_release(ex);
			return ret;
		}
	}
	*out = ex;
	return 0;

fail_nomem:
	kwasm_exec_release(ex);
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
 * @percpu: an instance per possible CPU (per-CPU mode) rather than one shared by all
 * @out: set to the new exec
 * @msg: where a load error's sentence goes
 * @msg_size: its size
 *
 * Process context.
 *
 * Return: 0, or a negative errno (and @msg says why).
 */
int kwasm_exec_load(const u8 *code, size_t len, const struct kwasm_limits *limits,
		    const char *name, u64 fuel, bool percpu, struct kwasm_exec **out, char *msg,
		    size_t msg_size)
{
	struct kwasm_limits l = *limits;
	struct kwasm_program *engine;
	int ret;

	/* Maps get a table per possible CPU, indexed by raw_smp_processor_id(). */
	l.cpus = nr_cpu_ids;
	ret = kwasm_load(code, len, &l, name, &engine, msg, msg_size);
	if (ret)
		return ret;
	return kwasm_exec_new(engine, name, fuel, percpu, out, msg, msg_size);
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
	kwasm_exec_release(ex);
}

/*
 * Shared mode: takes the program's lock for a hit, waiting for at most as many calls as
 * there are online CPUs (each bounded by fuel) to end, what a fair lock could make it
 * wait for. Sets *@waited if it had to wait. Interrupts are off.
 */
static bool kwasm_lock_bounded(struct kwasm_exec *ex, bool *waited)
{
	u64 seen;

	if (raw_spin_trylock(&ex->lock))
		return true;
	*waited = true;
	seen = READ_ONCE(ex->calls_ended);
	for (;;) {
		cpu_relax();
		if (raw_spin_trylock(&ex->lock))
			return true;
		if (READ_ONCE(ex->calls_ended) - seen >= num_online_cpus())
			return false;
	}
}
NOKPROBE_SYMBOL(kwasm_lock_bounded);

/*
 * Enters @ex on this CPU: interrupts off, this CPU marked busy and, in shared mode, the
 * program's lock held; returns the instance to call. Returns NULL, for the caller to
 * count a miss, when this CPU is already inside a program or, for a hit (@hit_counters
 * set; report waits as long as it takes), when kwasm_lock_bounded() gave up. Preemption
 * must be disabled. Interrupts go off before the busy flag is tested, so that an
 * interrupt (report's IPI included) never finds it set by a context it interrupted
 * before that context disabled them.
 */
static nokprobe_inline struct kwasm_program *
kwasm_enter(struct kwasm_exec *ex, unsigned long *flags, struct kwasm_point_counters *hit_counters)
{
	bool waited = false;

	local_irq_save(*flags);
	if (this_cpu_read(kwasm_cpu_busy)) {
		local_irq_restore(*flags);
		return NULL;
	}
	this_cpu_write(kwasm_cpu_busy, 1);
	barrier();
	if (ex->instances)
		return *this_cpu_ptr(ex->instances);
	if (!hit_counters) {
		raw_spin_lock(&ex->lock);
		return ex->engine;
	}
	if (kwasm_lock_bounded(ex, &waited)) {
		if (waited)
			WRITE_ONCE(hit_counters->waited, hit_counters->waited + 1);
		return ex->engine;
	}
	WRITE_ONCE(hit_counters->dropped, hit_counters->dropped + 1);
	barrier();
	this_cpu_write(kwasm_cpu_busy, 0);
	local_irq_restore(*flags);
	return NULL;
}

static nokprobe_inline void kwasm_exit(struct kwasm_exec *ex, unsigned long flags)
{
	if (!ex->instances) {
		WRITE_ONCE(ex->calls_ended, ex->calls_ended + 1);
		raw_spin_unlock(&ex->lock);
	}
	barrier();
	this_cpu_write(kwasm_cpu_busy, 0);
	local_irq_restore(flags);
}

/* The comm filter (probe-abi.rst): a hit for another task costs only this comparison. */
bool kwasm_comm_matches(const struct kwasm_exec *ex)
{
	return !ex->comm || !strncmp(current->comm, ex->comm, TASK_COMM_LEN);
}
NOKPROBE_SYMBOL(kwasm_comm_matches);

/**
 * kwasm_run() - run the handler of @hit->point: on the program's one instance,
 * serialized with other CPUs, or on this CPU's own (per-CPU mode)
 * @hit: the hit, as its attach kind delivered it
 *
 * A hit that cannot enter (see kwasm_enter()) is counted as missed. The counters are
 * this CPU's, written inside the program and read by kwasm_exec_stats() without
 * entering it. Preemption must be disabled, as it is in every attach kind's handler.
 */
void kwasm_run(struct kwasm_hit *hit)
{
	struct kwasm_point *pt = hit->point;
	struct kwasm_exec *ex = pt->exec;
	const u64 *p = hit->params;
	struct kwasm_point_counters *c;
	struct kwasm_program *inst;
	struct kwasm_trap trap;
	unsigned long flags;
	u64 t0 = 0;
	bool timed;
	int ret;

	if (!kwasm_comm_matches(ex))
		return;
	/*
	 * Written only by this CPU, inside the program, with the busy flag set: the
	 * point's, or those of the one of a wildcard's functions that fired.
	 */
	c = this_cpu_ptr(hit->counters ?: pt->counters);
	inst = kwasm_enter(ex, &flags, c);
	if (!inst) {
		atomic64_inc(hit->missed ?: &pt->missed);
		return;
	}
	/* A tracepoint's arguments are its handler's parameters as they are: no copy. */
	if (!p) {
		p = kwasm_no_params;
		if (pt->info.nparams) {
			u64 *params = *this_cpu_ptr(&kwasm_params);

			/* The engine takes all six; a kind fills only the handler's. */
			memset(params, 0, KWASM_MAX_PARAMS * sizeof(*params));
			pt->kind->params(hit, params);
			p = params;
		}
	}
	timed = !(c->hits & (KWASM_TIME_EVERY - 1)) || c->hits == 1;
	if (timed)
		t0 = ktime_get_mono_fast_ns();
	ret = kwasm_engine_call(inst, pt->index, hit, raw_smp_processor_id(), p,
				pt->strings, READ_ONCE(ex->fuel), &trap);
	if (timed) {
		u64 ns = ktime_get_mono_fast_ns() - t0;

		if (!c->hits)
			WRITE_ONCE(c->first, ns);
		WRITE_ONCE(c->ns, c->ns + ns);
		WRITE_ONCE(c->timed, c->timed + 1);
	}
	WRITE_ONCE(c->hits, c->hits + 1);
	if (ret) {
		WRITE_ONCE(c->traps, c->traps + 1);
		if (ret == KWASM_TRAP_FUEL)
			WRITE_ONCE(c->fuel_exhausted, c->fuel_exhausted + 1);
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
	struct kwasm_point **pts = (struct kwasm_point **)ex->batch;
	u32 i, k, n;
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
	for (k = 0; k < ARRAY_SIZE(kwasm_kinds); k++) {
		const struct kwasm_attach_kind *kind = kwasm_kinds[k].kind;
		u32 j = 0;

		if (!kind->attach_all)
			continue;
		for (i = 0, n = 0; i < ex->npoints; i++)
			if (ex->points[i].kind == kind)
				pts[n++] = &ex->points[i];
		if (!n)
			continue;
		ret = kind->attach_all(pts, n, ex->batch + ex->npoints, &j);
		if (ret) {
			*failed = pts[j]->index;
			kwasm_exec_detach(ex);
			return ret;
		}
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

/* Adds one CPU's counters to @out. */
static void kwasm_stats_add(struct kwasm_point_stats *out, const struct kwasm_point_counters *c)
{
	u64 hits = READ_ONCE(c->hits), timed = READ_ONCE(c->timed);
	u64 ns = READ_ONCE(c->ns), first = READ_ONCE(c->first);

	out->hits += hits;
	out->traps += READ_ONCE(c->traps);
	out->fuel_exhausted += READ_ONCE(c->fuel_exhausted);
	/*
	 * The first hit as it was, the others' average for the rest (KWASM_TIME_EVERY);
	 * with one timed hit, that one for all. Read while the CPU may be writing: ns
	 * without first yet is left to the second case.
	 */
	hits = max(hits, timed);
	if (timed >= 2 && ns >= first)
		out->ns += first + mul_u64_u64_div_u64(ns - first, hits - 1, timed - 1);
	else if (timed)
		out->ns += mul_u64_u64_div_u64(ns, hits, timed);
	out->waited += READ_ONCE(c->waited);
	out->dropped += READ_ONCE(c->dropped);
}

/**
 * kwasm_stats_sum() - sum every CPU's counters of one attach point or function
 * @counters: the per-CPU counters
 * @out: where the sums go, added to what is there
 *
 * Summed without entering the program: each counter is one word written with
 * WRITE_ONCE by its CPU, and a reader must not hold up handlers (or count them missed).
 */
void kwasm_stats_sum(const struct kwasm_point_counters __percpu *counters,
		     struct kwasm_point_stats *out)
{
	int cpu;

	for_each_possible_cpu(cpu)
		kwasm_stats_add(out, per_cpu_ptr(counters, cpu));
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
	u32 j, n, skipped;

	out->export = pt->info.name;
	out->registrar = pt->failed ?: pt->kind->registrar;
	out->hits = out->traps = out->fuel_exhausted = out->ns = 0;
	out->waited = out->dropped = 0;
	kwasm_stats_sum(pt->counters, out);
	out->missed = atomic64_read(&pt->missed) +
		      (pt->registered ? pt->kind->nmissed(pt) : 0);
	/* A wildcard's hits are counted by function: the point's line is their sum. */
	n = pt->kind->functions ? pt->kind->functions(pt, &skipped) : 0;
	for (j = 0; j < n; j++) {
		struct kwasm_point_stats f;

		pt->kind->function_stats(pt, j, &f);
		out->hits += f.hits;
		out->missed += f.missed;
		out->traps += f.traps;
		out->fuel_exhausted += f.fuel_exhausted;
		out->ns += f.ns;
		out->waited += f.waited;
		out->dropped += f.dropped;
	}
}

/**
 * kwasm_exec_functions() - how many functions one attach point is on, if a wildcard
 * @ex: the exec
 * @index: the attach point
 * @skipped: set to how many functions its pattern matched that it skipped
 *
 * Return: the number of functions, 0 for an attach point on one (or none attached yet).
 */
u32 kwasm_exec_functions(const struct kwasm_exec *ex, u32 index, u32 *skipped)
{
	const struct kwasm_point *pt = &ex->points[index];

	*skipped = 0;
	return pt->kind->functions ? pt->kind->functions(pt, skipped) : 0;
}

/**
 * kwasm_exec_function_stats() - read the counters of one of a wildcard's functions
 * @ex: the exec
 * @index: the attach point
 * @j: the function, below kwasm_exec_functions()
 * @out: filled with its counters; its export is the function's name
 */
void kwasm_exec_function_stats(const struct kwasm_exec *ex, u32 index, u32 j,
			       struct kwasm_point_stats *out)
{
	const struct kwasm_point *pt = &ex->points[index];

	pt->kind->function_stats(pt, j, out);
}

/* One CPU's report, in per-CPU mode. */
struct kwasm_report_call {
	struct kwasm_exec *ex;
	struct kwasm_program *inst;
	u8 *buf;
	size_t size, len;
	bool truncated;
	struct kwasm_trap trap;
	int ret;
};

/*
 * Runs report on one CPU's instance, on that CPU with interrupts off: in its IPI (or
 * locally, from smp_call_function_single() on this CPU), or in process context for a CPU
 * that is offline, where no handler can run while the hotplug lock is held.
 */
static void kwasm_report_on_cpu(void *arg)
{
	struct kwasm_report_call *c = arg;
	struct kwasm_hit hit = { .exec = c->ex };

	/* Interrupts were off wherever this CPU was inside a program. */
	if (WARN_ON_ONCE(this_cpu_read(kwasm_cpu_busy))) {
		c->ret = -EBUSY;
		return;
	}
	this_cpu_write(kwasm_cpu_busy, 1);
	barrier();
	c->ret = kwasm_engine_report(c->inst, &hit, READ_ONCE(c->ex->fuel), c->buf, c->size,
				     &c->len, &c->truncated, &c->trap);
	barrier();
	this_cpu_write(kwasm_cpu_busy, 0);
}

/* Whether @cpu's instance has run a handler: an offline CPU's counts only then. */
static bool kwasm_cpu_ran(const struct kwasm_exec *ex, int cpu)
{
	u32 i;

	for (i = 0; i < ex->npoints; i++)
		if (READ_ONCE(per_cpu_ptr(ex->points[i].counters, cpu)->hits))
			return true;
	return false;
}

/* Appends @src to @buf (at *@len, @size bytes in all), every line after "cpuN: ". */
static bool kwasm_report_append(char *buf, size_t size, size_t *len, int cpu,
				const u8 *src, size_t n)
{
	size_t i = 0;

	do {
		const u8 *nl = memchr(src + i, '\n', n - i);
		size_t line = nl ? nl - (src + i) : n - i;
		int w = snprintf(buf + *len, size - *len, "cpu%d: %.*s\n", cpu, (int)line,
				 src + i);

		if (w >= size - *len) {
			*len = size;
			return false;
		}
		*len += w;
		i += line + 1;
	} while (i < n);
	return true;
}

/*
 * Per-CPU mode's report: each CPU's instance in turn, online CPUs and offline ones that
 * ran a handler, each on its own CPU, so that it holds up only that CPU's handlers, for
 * one call. Every line of CPU N's string is shown after "cpuN: ".
 */
static int kwasm_exec_report_percpu(struct kwasm_exec *ex, char *buf, size_t size,
				    size_t *len, bool *truncated, const char **trap,
				    int *trap_cpu)
{
	struct kwasm_report_call c = { .ex = ex, .size = size };
	int cpu, ret = 0;

	*len = 0;
	*truncated = false;
	c.buf = kmalloc(size, GFP_KERNEL);
	if (!c.buf)
		return -ENOMEM;
	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		unsigned long flags;

		c.inst = *per_cpu_ptr(ex->instances, cpu);
		c.len = 0;
		c.truncated = false;
		if (cpu_online(cpu)) {
			ret = smp_call_function_single(cpu, kwasm_report_on_cpu, &c, 1);
		} else if (kwasm_cpu_ran(ex, cpu)) {
			local_irq_save(flags);
			kwasm_report_on_cpu(&c);
			local_irq_restore(flags);
		} else {
			continue;
		}
		ret = ret ?: c.ret;
		if (ret)
			break;
		if (c.truncated ||
		    !kwasm_report_append(buf, size, len, cpu, c.buf, c.len)) {
			*truncated = true;
			break;
		}
	}
	cpus_read_unlock();
	kfree(c.buf);
	if (ret > 0) {
		*trap = c.trap.message;
		*trap_cpu = cpu;
		return -EIO;
	}
	return ret;
}

/**
 * kwasm_exec_report() - call the program's report export
 * @ex: the exec
 * @buf: where the string goes (not NUL-terminated)
 * @size: its size
 * @len: set to the string's length in @buf
 * @truncated: set when the string was longer than @size
 * @trap: set to the trap's message when it trapped
 * @trap_cpu: set then to the CPU whose instance trapped (per-CPU mode), or -1
 *
 * Shared mode: runs under the same discipline as a handler, with the program's fuel,
 * but waits for the program's lock as long as it takes (process context). Per-CPU mode:
 * on each CPU's instance in turn (kwasm_exec_report_percpu()).
 *
 * Return: 0, -EOPNOTSUPP without a report export, -EIO if it trapped.
 */
int kwasm_exec_report(struct kwasm_exec *ex, char *buf, size_t size, size_t *len,
		      bool *truncated, const char **trap, int *trap_cpu)
{
	struct kwasm_hit hit = { .exec = ex };
	struct kwasm_trap t = { 0 };
	struct kwasm_program *inst;
	unsigned long flags;
	int ret;

	*trap_cpu = -1;
	if (ex->instances)
		return kwasm_exec_report_percpu(ex, buf, size, len, truncated, trap, trap_cpu);
	preempt_disable();
	/* Process context is never inside a program: entering cannot fail. */
	inst = kwasm_enter(ex, &flags, NULL);
	if (WARN_ON_ONCE(!inst)) {
		preempt_enable();
		return -EBUSY;
	}
	ret = kwasm_engine_report(inst, &hit, READ_ONCE(ex->fuel), buf, size, len,
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
 * kwasm_exec_instances() - per-CPU mode's instances and what each costs
 * @ex: the exec
 * @instances: set to the number of instances, 0 in shared mode
 * @instance_bytes: set to the kernel memory one per-CPU instance holds, as measured
 *                  when it was made (slab and vmalloc, as allocated)
 */
void kwasm_exec_instances(const struct kwasm_exec *ex, u32 *instances, size_t *instance_bytes)
{
	*instances = ex->ninstances;
	*instance_bytes = ex->instance_bytes;
}

/**
 * kwasm_exec_maps() - how many maps the program declared
 * @ex: the exec
 * @bytes: set to the bytes of their tables, every possible CPU's counted
 *
 * Return: the number of maps.
 */
u32 kwasm_exec_maps(const struct kwasm_exec *ex, size_t *bytes)
{
	return kwasm_engine_maps_count(ex->maps, bytes);
}

/**
 * kwasm_exec_maps_print() - print the maps, merged across CPUs, as bpftrace does
 * @ex: the exec
 * @buf: where the text goes (not NUL-terminated), or NULL
 * @size: its size
 *
 * Process context: the merge allocates. Takes no lock that handlers take: each CPU's
 * table has one writer, that CPU, and the engine reads them with atomic loads.
 *
 * Return: the whole text's length, which may exceed @size.
 */
size_t kwasm_exec_maps_print(const struct kwasm_exec *ex, u8 *buf, size_t size)
{
	might_sleep();
	return kwasm_engine_maps_print(ex->maps, buf, size);
}

/**
 * kwasm_exec_maps_stats() - a stats line per map (kind, entries, drops when full)
 * @ex: the exec
 * @buf: where the text goes (not NUL-terminated), or NULL
 * @size: its size
 *
 * Process context, as kwasm_exec_maps_print().
 *
 * Return: the whole text's length.
 */
size_t kwasm_exec_maps_stats(const struct kwasm_exec *ex, u8 *buf, size_t size)
{
	might_sleep();
	return kwasm_engine_maps_stats(ex->maps, buf, size);
}

/**
 * kwasm_exec_maps_clear() - empty every map, while handlers may be running
 * @ex: the exec
 *
 * Each CPU zeroes its own tables on its next update; nothing waits.
 */
void kwasm_exec_maps_clear(struct kwasm_exec *ex)
{
	kwasm_engine_maps_clear(ex->maps);
}

/**
 * kwasm_exec_uses_stream() - whether the program imports a trace stream host function
 * @ex: the exec
 */
bool kwasm_exec_uses_stream(const struct kwasm_exec *ex)
{
	return kwasm_engine_uses_stream(ex->engine);
}

/**
 * kwasm_exec_set_stream() - give the program its trace stream, or take it away
 * @ex: the exec, detached
 * @st: the stream, or NULL
 */
void kwasm_exec_set_stream(struct kwasm_exec *ex, struct kwasm_stream *st)
{
	WRITE_ONCE(ex->stream, st);
}
