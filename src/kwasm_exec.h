/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attachment and execution (src/probes.c): a loaded program's kprobes and kretprobes, and
 * the discipline its handlers run under. The lifecycle (Rust) owns one struct kwasm_exec
 * per loaded program and calls these; the handlers call the engine.
 */
#ifndef KWASM_EXEC_H
#define KWASM_EXEC_H

#include <linux/types.h>

struct kwasm_exec;
struct kwasm_program;

/* What stats shows for one attach point. */
struct kwasm_point_stats {
	const char *symbol;
	u32 kind;
	u64 hits;
	u64 missed;		/* ours (busy on this CPU) plus kprobes' nmissed */
	u64 traps;
	u64 fuel_exhausted;
	u64 ns;			/* total time in the handler */
};

struct kwasm_exec *kwasm_exec_new(struct kwasm_program *engine, const char *name, u64 fuel);
void kwasm_exec_free(struct kwasm_exec *ex);
int kwasm_exec_attach(struct kwasm_exec *ex, u32 *failed);
void kwasm_exec_detach(struct kwasm_exec *ex);
void kwasm_exec_set_fuel(struct kwasm_exec *ex, u64 fuel);
u32 kwasm_exec_points(const struct kwasm_exec *ex);
void kwasm_exec_sizes(const struct kwasm_exec *ex, size_t *code_bytes, size_t *memory_bytes);
void kwasm_exec_stats(const struct kwasm_exec *ex, u32 index, struct kwasm_point_stats *out);
int kwasm_exec_report(struct kwasm_exec *ex, char *buf, size_t size, size_t *len,
		      bool *truncated, const char **trap);

extern const struct kwasm_host_ops kwasm_host_ops;

/* The engine's process-context entry points, run on a stack of their own (stack.c). */
struct kwasm_limits;
int kwasm_load(const u8 *code, size_t len, const struct kwasm_limits *limits,
	       const char *name, struct kwasm_program **out, char *msg, size_t msg_size);
int kwasm_selftest(s64 *got);

/* Frees what the engine freed in atomic context (rt.c); process context only. */
void kwasm_rt_reclaim(void);
void kwasm_log_warn(const char *program, const char *msg);

/* Shared by probes.c and host.c. */
struct kwasm_point;
struct pt_regs;

/* The context of one call into the engine, handed back to every host callback. */
struct kwasm_hit {
	struct kwasm_exec *exec;	/* NULL while loading (the start function) */
	struct kwasm_point *point;	/* NULL for report and start */
	struct pt_regs *regs;		/* NULL for report and start */
	const u64 *entry_args;		/* post: the arguments saved at entry */
	const char *name;		/* while loading: the program's name */
};

void kwasm_hit_print(const struct kwasm_hit *hit, const u8 *msg, u32 len);

bool kwasm_point_is_syscall(const struct kwasm_point *pt);

#endif /* KWASM_EXEC_H */
