/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The attachment layer as the module's Rust sees it: a loaded program's exec, its
 * attach points and their counters, report. The lifecycle (program.rs) owns one struct
 * kwasm_exec per loaded program and calls these, in process context. The Rust side
 * (src/engine.rs) is generated from this header by bindgen at build time (Kbuild), so
 * the two cannot disagree.
 */
#ifndef KWASM_EXEC_H
#define KWASM_EXEC_H

#ifdef __KWASM_BINDGEN__
/* bindgen reads this header alone, without the kernel's headers or flags. */
typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long s64;
typedef __SIZE_TYPE__ size_t;
typedef _Bool bool;
#else
#include <linux/types.h>
#endif

struct kwasm_exec;
struct kwasm_limits;
struct kwasm_stream;

/* What stats shows for one attach point. */
struct kwasm_point_stats {
	const char *export;	/* the export's name, e.g. "kprobe:vfs_read:post" */
	const char *registrar;	/* what attaching it called, e.g. "register_kretprobe" */
	u64 hits;
	u64 missed;		/* ours (busy on this CPU) plus the mechanism's own */
	u64 traps;
	u64 fuel_exhausted;
	u64 ns;			/* total time in the handler */
	u64 waited;		/* shared mode: hits that waited for another CPU's call */
	u64 dropped;		/* shared mode: hits that gave up waiting (in missed too) */
};

int kwasm_exec_load(const u8 *code, size_t len, const struct kwasm_limits *limits,
		    const char *name, u64 fuel, bool percpu, struct kwasm_exec **out, char *msg,
		    size_t msg_size);
void kwasm_exec_instances(const struct kwasm_exec *ex, u32 *instances, size_t *instance_bytes);
void kwasm_exec_free(struct kwasm_exec *ex);
int kwasm_exec_attach(struct kwasm_exec *ex, u32 *failed);
void kwasm_exec_detach(struct kwasm_exec *ex);
void kwasm_exec_set_fuel(struct kwasm_exec *ex, u64 fuel);
u32 kwasm_exec_points(const struct kwasm_exec *ex);
void kwasm_exec_sizes(const struct kwasm_exec *ex, size_t *code_bytes, size_t *memory_bytes);
void kwasm_exec_stats(const struct kwasm_exec *ex, u32 index, struct kwasm_point_stats *out);
u32 kwasm_exec_functions(const struct kwasm_exec *ex, u32 index, u32 *skipped);
void kwasm_exec_function_stats(const struct kwasm_exec *ex, u32 index, u32 j,
			       struct kwasm_point_stats *out);
int kwasm_exec_report(struct kwasm_exec *ex, char *buf, size_t size, size_t *len,
		      bool *truncated, const char **trap, int *trap_cpu);
u32 kwasm_exec_maps(const struct kwasm_exec *ex, size_t *bytes);
size_t kwasm_exec_maps_print(const struct kwasm_exec *ex, u8 *buf, size_t size);
size_t kwasm_exec_maps_stats(const struct kwasm_exec *ex, u8 *buf, size_t size);
void kwasm_exec_maps_clear(struct kwasm_exec *ex);
bool kwasm_exec_uses_stream(const struct kwasm_exec *ex);
void kwasm_exec_set_stream(struct kwasm_exec *ex, struct kwasm_stream *st);

/* A program's trace stream, a tracefs instance (stream.c). */
int kwasm_stream_open(const char *program, struct kwasm_stream **out);
void kwasm_stream_close(struct kwasm_stream *st);
void kwasm_stream_counts(const struct kwasm_stream *st, u64 *written, u64 *lost);

/* Whether the attachment layer has every attach kind the engine parses (exec.c). */
int kwasm_exec_check_kinds(const char **missing);
/* The engine's self-test, on a stack of its own (stack.c). */
int kwasm_selftest(s64 *got);
/* Logs a program's error, rate-limited (log.c). */
void kwasm_log_warn(const char *program, const char *msg);

#endif /* KWASM_EXEC_H */
