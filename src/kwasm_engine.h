/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C ABI between the kwasm module and its engine (engine/, Rust + wasmi).
 *
 * The engine knows nothing of the kernel: it asks for memory through kwasm_rt_alloc()
 * and kwasm_rt_free(), and reports its own bugs through kwasm_rt_panic().
 */
#ifndef KWASM_ENGINE_H
#define KWASM_ENGINE_H

#include <linux/types.h>

/* Implemented by the engine. */
int kwasm_engine_selftest(s64 *got);

/* Implemented by the module for the engine. */
void *kwasm_rt_alloc(size_t size, size_t align);
void kwasm_rt_free(void *ptr);
void __noreturn kwasm_rt_panic(const char *msg, size_t len);

#endif /* KWASM_ENGINE_H */
