// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's runtime callbacks: memory and panics. The engine is a separate Rust crate
 * graph with its own global allocator; these are what it calls.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include "kwasm_engine.h"

/*
 * Whether an allocation may sleep. The engine runs in process context when loading a
 * program and in atomic context (a kprobe handler, or under a program's spinlock) when
 * calling it; without CONFIG_PREEMPT_COUNT we cannot tell, and assume atomic.
 */
static gfp_t kwasm_rt_gfp(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_COUNT) && preemptible())
		return GFP_KERNEL_ACCOUNT | __GFP_NOWARN;
	return GFP_ATOMIC | __GFP_NOWARN;
}

/**
 * kwasm_rt_alloc() - allocate memory for the engine
 * @size: bytes wanted
 * @align: alignment wanted, a power of two
 *
 * kmalloc aligns power-of-two sizes naturally and every size to ARCH_KMALLOC_MINALIGN,
 * so padding the size to a multiple of @align is enough. In process context large
 * requests may fall back to vmalloc.
 *
 * Return: the memory, or NULL.
 */
void *kwasm_rt_alloc(size_t size, size_t align)
{
	gfp_t gfp = kwasm_rt_gfp();

	if (align > PAGE_SIZE)
		return NULL;
	if (align > ARCH_KMALLOC_MINALIGN)
		size = roundup_pow_of_two(max(size, align));
	if (gfpflags_allow_blocking(gfp))
		return kvmalloc(size, gfp);
	return kmalloc(size, gfp);
}

/**
 * kwasm_rt_free() - free what kwasm_rt_alloc() returned
 * @ptr: the memory, or NULL
 */
void kwasm_rt_free(void *ptr)
{
	kvfree(ptr);
}

/**
 * kwasm_rt_panic() - the engine panicked
 * @msg: the panic message (not NUL-terminated)
 * @len: its length
 *
 * A panic in the engine is a bug in kwasm (Wasm traps are not panics), so this is BUG()
 * like the kernel crate's own panic handler.
 */
void kwasm_rt_panic(const char *msg, size_t len)
{
	pr_emerg("engine panic: %.*s\n", (int)len, msg);
	BUG();
}
