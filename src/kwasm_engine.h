/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C ABI between the kwasm module and its engine (engine/, Rust + wasmi).
 *
 * The engine knows nothing of the kernel. It gets memory through kwasm_rt_alloc() and
 * kwasm_rt_free(), reports its own bugs through kwasm_rt_panic(), and answers the probe's
 * host functions through a struct kwasm_host_ops table of callbacks, each given back the
 * opaque context pointer of the call. Every (pointer, length) a probe passes is checked
 * against its linear memory before a callback sees it.
 *
 * A program handle is used by one caller at a time (the module serializes calls).
 * Handler calls and report allocate nothing, except one small error object when a call
 * traps other than by running out of fuel.
 */
#ifndef KWASM_ENGINE_H
#define KWASM_ENGINE_H

#include <linux/types.h>

struct kwasm_program;

/* Limits on one program (engine/src/limits.rs). */
struct kwasm_limits {
	u64 max_code_bytes;
	u32 max_memory_pages;
	u32 max_table_elements;
	u32 max_attach_points;
	u32 stack_bytes;
	u32 max_call_depth;
	u64 start_fuel;
};

/* kwasm_host_ops.read kinds. */
#define KWASM_READ_KERNEL	0
#define KWASM_READ_USER		1
#define KWASM_READ_KERNEL_STR	2
#define KWASM_READ_USER_STR	3

/* kwasm_host_ops.task questions. */
#define KWASM_TASK_PID		0
#define KWASM_TASK_TGID		1
#define KWASM_TASK_CPU		2

/* Callbacks answering host functions; none may sleep. 0 or -errno where an int. */
struct kwasm_host_ops {
	int (*arg)(void *ctx, u32 n, u64 *value);
	int (*ret)(void *ctx, u64 *value);
	int (*syscall_arg)(void *ctx, u32 n, u64 *value);
	int (*read)(void *ctx, u32 kind, u8 *dst, u64 src, u32 len);
	u64 (*ktime_ns)(void *ctx);
	int (*task)(void *ctx, u32 what);
	int (*comm)(void *ctx, u8 *dst, u32 len);
	void (*print)(void *ctx, const u8 *msg, u32 len);
};

/* Attach point kinds. */
#define KWASM_PRE	0
#define KWASM_POST	1

struct kwasm_attach {
	const char *symbol;	/* NUL-terminated, lives as long as the program */
	const char *export;	/* the export's name, likewise */
	u32 kind;		/* KWASM_PRE or KWASM_POST */
	u32 nparams;		/* parameters the handler declares */
};

/* Trap kinds, as kwasm_engine_call() and kwasm_engine_report() return them. */
#define KWASM_TRAP_FUEL		1
#define KWASM_TRAP_MEMORY	2
#define KWASM_TRAP_STACK	3
#define KWASM_TRAP_UNREACHABLE	4
#define KWASM_TRAP_INTEGER	5
#define KWASM_TRAP_HOST		6
#define KWASM_TRAP_OTHER	7

struct kwasm_trap {
	u32 kind;
	const char *message;	/* static, NUL-terminated */
};

#define KWASM_MAX_PARAMS	6

/* Implemented by the engine. */
int kwasm_engine_load(const u8 *code, size_t len, const struct kwasm_limits *limits,
		      const struct kwasm_host_ops *ops, void *ctx,
		      struct kwasm_program **out, char *msg, size_t msg_size);
void kwasm_engine_free(struct kwasm_program *program);
u32 kwasm_engine_attach_count(const struct kwasm_program *program);
int kwasm_engine_attach_point(const struct kwasm_program *program, u32 index,
			      struct kwasm_attach *out);
bool kwasm_engine_has_report(const struct kwasm_program *program);
void kwasm_engine_sizes(const struct kwasm_program *program, size_t *code_bytes,
			size_t *memory_bytes);
int kwasm_engine_call(struct kwasm_program *program, u32 index, void *ctx,
		      const u64 params[KWASM_MAX_PARAMS], u32 strings, u64 fuel,
		      struct kwasm_trap *trap);
const char *kwasm_engine_comm_filter(const struct kwasm_program *program);
int kwasm_engine_report(struct kwasm_program *program, void *ctx, u64 fuel, char *buf,
			size_t size, size_t *len, bool *truncated, struct kwasm_trap *trap);
int kwasm_engine_selftest(s64 *got);

/* Implemented by the module for the engine. */
void *kwasm_rt_alloc(size_t size, size_t align);
void kwasm_rt_free(void *ptr);
void __noreturn kwasm_rt_panic(const char *msg, size_t len);

#endif /* KWASM_ENGINE_H */
