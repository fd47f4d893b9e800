/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The attachment layer's private structures, shared by its C files and seen by nobody
 * else (the module's Rust sees kwasm_exec.h):
 *
 *   exec.c     a loaded program's exec, the call discipline every hit runs under, report
 *   kinds/     the attach kinds, one file each (kprobe.c: kprobe and kretprobe;
 *              tracepoint.c; fprobe.c: wildcards)
 *   host.c     the host functions' callbacks
 *   syscall.c  what kwasm knows about syscall entry points
 *   log.c      log lines from calls and loads
 *   stream.c   the trace stream, a tracefs instance per program
 *   stack.c    the engine's process-context calls on a stack of their own
 *   rt.c       the engine's memory and panic callbacks
 */
#ifndef KWASM_INTERNAL_H
#define KWASM_INTERNAL_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include "kwasm_engine.h"
#include "kwasm_exec.h"

struct kwasm_point;
struct kwasm_point_stats;
struct kwasm_hit;
struct pt_regs;

/*
 * An attach kind: how the kernel delivers the events of one kind of attach point. Each
 * is defined in src/kinds/ as kwasm_NAME_kind and has a row in KWASM_ATTACH_KINDS below.
 */
struct kwasm_attach_kind {
	/* Bytes of private data each attach point of this kind gets while attached. */
	size_t priv_size;
	/* Process context: start delivering hits to kwasm_run(); 0 or -errno. */
	int (*attach)(struct kwasm_point *pt);
	/*
	 * Optional, process context: once attach() has succeeded on every point of the
	 * program, what is done for all of this kind's @n points at once; @scratch has room
	 * for @n pointers. 0, or -errno with *@failed set to the index in @pts of the point
	 * to blame; detach() undoes it, either way.
	 */
	int (*attach_all)(struct kwasm_point **pts, u32 n, void **scratch, u32 *failed);
	/*
	 * Stop delivering hits to @n points, waiting for running handlers; @scratch has
	 * room for @n pointers.
	 */
	void (*detach)(struct kwasm_point **pts, u32 n, void **scratch);
	/* Hits the mechanism itself dropped (not counted by kwasm_run()). */
	u64 (*nmissed)(const struct kwasm_point *pt);
	/*
	 * The handler's parameters (NULL for a kind whose hits carry them ready, in
	 * hit->params), and the answers of arg(n) and ret(): 0 or -errno.
	 */
	void (*params)(const struct kwasm_hit *hit, u64 *params);
	int (*arg)(const struct kwasm_hit *hit, u32 n, u64 *value);
	int (*ret)(const struct kwasm_hit *hit, u64 *value);
	/* entry_ns(): when the function this return hit is of was entered; NULL: never. */
	int (*entry_ns)(const struct kwasm_hit *hit, u64 *value);
	/*
	 * What register_*() is called in status when attaching fails, unless attach set
	 * the point's failed to what else failed (a lookup before registering).
	 */
	const char *registrar;
	/*
	 * Optional, for a kind whose one attach point is on many functions (a wildcard):
	 * how many it is on, and how many matched but were skipped; one function's
	 * counters; and freeing what attach kept for them in the point's table (it
	 * outlives detaching, for stats, until the next attach or the program's end).
	 */
	u32 (*functions)(const struct kwasm_point *pt, u32 *skipped);
	void (*function_stats)(const struct kwasm_point *pt, u32 j,
			       struct kwasm_point_stats *out);
	void (*release)(struct kwasm_point *pt);
};

/*
 * The attach kinds, by the names the engine gives them (engine/src/abi.rs, KINDS). A new
 * kind is a file in src/kinds/, a row here and a row of the engine's table; module init
 * refuses to load if an engine kind has no row here (kwasm_exec_check_kinds()).
 */
#define KWASM_ATTACH_KINDS(X)	\
	X(kprobe)		\
	X(kretprobe)		\
	X(tracepoint)		\
	X(fprobe)

#define KWASM_DECLARE_KIND(name)	extern const struct kwasm_attach_kind kwasm_##name##_kind;
KWASM_ATTACH_KINDS(KWASM_DECLARE_KIND)
#undef KWASM_DECLARE_KIND

/*
 * A CPU times its first two hits, then one in KWASM_TIME_EVERY (every
 * KWASM_TIME_EVERY-th): two clock reads per hit cost a counter's handler a large part of
 * its time under TCG. stats shows ns as the first hit's own time and the other timed
 * hits' average for the rest (kwasm_stats_add()): the first is often the slowest by far
 * (cold caches; under QEMU, translating the code) and, scaled to every hit, it made a
 * program with few hits look many times slower than it is.
 */
#define KWASM_TIME_EVERY	16

struct kwasm_point_counters {
	/*
	 * ns: the time summed over the timed hits, of which there were timed; first: the
	 * first hit's, in ns too.
	 */
	u64 hits, traps, fuel_exhausted, ns, timed, first;
	/* Shared mode: hits that waited for another CPU's call, and that gave up. */
	u64 waited, dropped;
};

struct kwasm_point {
	struct kwasm_exec *exec;
	u32 index;
	struct kwasm_attach info;
	const struct kwasm_attach_kind *kind;	/* the row of info.kind */
	void *priv;		/* the kind's, while attached */
	bool syscall;		/* on a syscall entry point (syscall.c) */
	u32 strings;		/* parameters that are user strings (syscalls only) */
	bool registered;
	/* What failed when attaching did, for status, if not the kind's registrar. */
	const char *failed;
	/* The kind's, kept from attach to the next attach or the program's end. */
	void *table;
	/* Each CPU's, written only by that CPU inside the program; summed by stats. */
	struct kwasm_point_counters __percpu *counters;
	/* Hits this CPU was already inside a program for, and the mechanism's own misses. */
	atomic64_t missed;
};

struct kwasm_exec {
	/* The loaded program: shared mode's one instance; per-CPU mode's template. */
	struct kwasm_program *engine;
	const struct kwasm_maps *maps;	/* the engine's, read and cleared without the lock */
	/* Per-CPU mode: each possible CPU's instance; NULL in shared mode. */
	struct kwasm_program * __percpu *instances;
	u32 ninstances;
	size_t instance_bytes;	/* kernel memory of one per-CPU instance, measured */
	/* Shared mode: serializes calls; calls_ended counts them, bounding a wait. */
	raw_spinlock_t lock;
	u64 calls_ended;
	struct ratelimit_state log_ratelimit;	/* this program's log lines from calls */
	void **batch;		/* 2 * npoints pointers, to detach in one call per kind */
	const char *comm;	/* handlers run only for this task name (probe-abi.rst), or NULL */
	bool entry_ns;		/* it imports entry_ns(): kretprobes save entry times */
	/* Read once at load: memory cannot grow after it, and status must not race calls. */
	size_t code_bytes, memory_bytes;
	u64 fuel;
	struct kwasm_stream *stream;	/* set while the program has a trace stream */
	const char *name;
	u32 npoints;
	struct kwasm_point points[] __counted_by(npoints);
};

/*
 * The context of one call into the engine, handed back to every host callback. The
 * attach kinds' handlers name every member in their initializers: with
 * CONFIG_INIT_STACK_ALL_ZERO, one left out makes the compiler clear the whole struct
 * first on every hit.
 */
struct kwasm_hit {
	struct kwasm_exec *exec;	/* NULL while loading (the start function) */
	struct kwasm_point *point;	/* NULL for report and start */
	struct pt_regs *regs;		/* NULL for report and start */
	/* kretprobe: the arguments saved at entry; tracepoint: its arguments */
	const u64 *entry_args;
	/* KWASM_MAX_PARAMS handler parameters, when the kind has them ready, or NULL */
	const u64 *params;
	const char *name;		/* while loading: the program's name */
	/* The address of the function the hit is in (its symbol's start), or 0. */
	unsigned long func_ip;
	/* One of a wildcard's functions: its counters, instead of the point's. */
	struct kwasm_point_counters __percpu *counters;
	atomic64_t *missed;
};

/* Non-zero while this CPU is inside a call into any program (exec.c). */
DECLARE_PER_CPU(int, kwasm_cpu_busy);

/* exec.c */
void kwasm_run(struct kwasm_hit *hit);
bool kwasm_comm_matches(const struct kwasm_exec *ex);
void kwasm_stats_sum(const struct kwasm_point_counters __percpu *counters,
		     struct kwasm_point_stats *out);

/* kinds/kprobe.c */
unsigned long kwasm_symbol_start(unsigned long addr);

/* syscall.c */
bool kwasm_symbol_is_syscall(const char *symbol);
u32 kwasm_syscall_string_mask(const char *symbol);
int kwasm_syscall_arg(const struct kwasm_hit *hit, u32 n, u64 *value);
void kwasm_syscall_params(const struct kwasm_hit *hit, u64 *params);

/* log.c */
void kwasm_trap_log(const struct kwasm_point *pt, const struct kwasm_trap *trap);
void kwasm_hit_print(const struct kwasm_hit *hit, const u8 *msg, u32 len);

/* stream.c */
int kwasm_stream_write(struct kwasm_stream *st, unsigned long ip, const u8 *msg, u32 len);

/* host.c */
extern const struct kwasm_host_ops kwasm_host_ops;

/* stack.c */
int kwasm_load(const u8 *code, size_t len, const struct kwasm_limits *limits,
	       const char *name, struct kwasm_program **out, char *msg, size_t msg_size);
int kwasm_instantiate(const struct kwasm_program *program, const char *name,
		      struct kwasm_program **out, char *msg, size_t msg_size);

/*
 * rt.c; the first three are the engine's runtime, with the types of engine/src/cabi.rs
 * (the engine's staticlib checks its declarations against them too).
 */
void *kwasm_rt_alloc(size_t size, size_t align);
void kwasm_rt_free(void *ptr, size_t size, size_t align);
void __noreturn kwasm_rt_panic(const char *msg, size_t len);
void kwasm_rt_reclaim(void);
void kwasm_rt_meter_start(void);
long kwasm_rt_meter_stop(void);
static_assert(__builtin_types_compatible_p(typeof(kwasm_rt_alloc) *, kwasm_rt_alloc_fn));
static_assert(__builtin_types_compatible_p(typeof(kwasm_rt_free) *, kwasm_rt_free_fn));
static_assert(__builtin_types_compatible_p(typeof(kwasm_rt_panic) *, kwasm_rt_panic_fn));

#endif /* KWASM_INTERNAL_H */
