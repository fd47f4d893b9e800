/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C ABI between the kwasm module and its engine (engine/, Rust + wasmi), generated
 * from engine/src/cabi.rs and engine/src/ffi.rs by cbindgen: do not edit.
 *
 * The engine knows nothing of the kernel. It gets memory through kwasm_rt_alloc() and
 * kwasm_rt_free(), reports its own bugs through kwasm_rt_panic() (src/rt.c), and answers
 * the probe's host functions through a struct kwasm_host_ops table of callbacks, each
 * given back the opaque context pointer of the call. Every (pointer, length) a probe
 * passes is checked against its linear memory before a callback sees it. A program
 * handle is used by one caller at a time (the module serializes calls).
 */

#ifndef KWASM_ENGINE_H
#define KWASM_ENGINE_H

#include <linux/types.h>

#define KWASM_MAX_PARAMS 6

#define KWASM_PRE 0

#define KWASM_POST 1

#define KWASM_READ_KERNEL 0

#define KWASM_READ_USER 1

#define KWASM_READ_KERNEL_STR 2

#define KWASM_READ_USER_STR 3

#define KWASM_TASK_PID 0

#define KWASM_TASK_TGID 1

#define KWASM_TASK_CPU 2

#define KWASM_TRAP_FUEL 1

#define KWASM_TRAP_MEMORY 2

#define KWASM_TRAP_STACK 3

#define KWASM_TRAP_UNREACHABLE 4

#define KWASM_TRAP_INTEGER 5

#define KWASM_TRAP_HOST 6

#define KWASM_TRAP_OTHER 7

struct kwasm_program;

struct kwasm_limits {
  uint64_t max_code_bytes;
  uint32_t max_memory_pages;
  uint32_t max_table_elements;
  uint32_t max_attach_points;
  uint32_t stack_bytes;
  uint32_t max_call_depth;
  uint64_t start_fuel;
};
#define kwasm_limits_DEFAULT DEFAULT_LIMITS

typedef void *kwasm_ctx;

struct kwasm_host_ops {
  int32_t (*arg)(kwasm_ctx ctx, uint32_t n, uint64_t *value);
  int32_t (*ret)(kwasm_ctx ctx, uint64_t *value);
  int32_t (*syscall_arg)(kwasm_ctx ctx, uint32_t n, uint64_t *value);
  int32_t (*read)(kwasm_ctx ctx, uint32_t kind, uint8_t *dst, uint64_t src, uint32_t len);
  uint64_t (*ktime_ns)(kwasm_ctx ctx);
  int32_t (*task)(kwasm_ctx ctx, uint32_t what);
  int32_t (*comm)(kwasm_ctx ctx, uint8_t *dst, uint32_t len);
  void (*print)(kwasm_ctx ctx, const uint8_t *msg, uint32_t len);
};

struct kwasm_attach {
  const char *symbol;
  const char *name;
  uint32_t kind;
  uint32_t nparams;
};

struct kwasm_trap {
  uint32_t kind;
  const char *message;
};

int32_t kwasm_engine_load(const uint8_t *code, size_t len, const struct kwasm_limits *limits, const struct kwasm_host_ops *ops, void *ctx, struct kwasm_program **out, char *msg, size_t msg_size);

void kwasm_engine_free(struct kwasm_program *program);

uint32_t kwasm_engine_attach_count(const struct kwasm_program *program);

int32_t kwasm_engine_attach_point(const struct kwasm_program *program, uint32_t index, struct kwasm_attach *out);

const char *kwasm_engine_comm_filter(const struct kwasm_program *program);

bool kwasm_engine_has_report(const struct kwasm_program *program);

void kwasm_engine_sizes(const struct kwasm_program *program, size_t *code_bytes, size_t *memory_bytes);

int32_t kwasm_engine_call(struct kwasm_program *program, uint32_t index, void *ctx, const uint64_t *params, uint32_t strings, uint64_t fuel, struct kwasm_trap *trap);

int32_t kwasm_engine_report(struct kwasm_program *program, void *ctx, uint64_t fuel, uint8_t *buf, size_t size, size_t *len, bool *truncated, struct kwasm_trap *trap);

int32_t kwasm_engine_selftest(int64_t *got);

#endif  /* KWASM_ENGINE_H */
