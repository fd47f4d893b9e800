// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's runtime callbacks: memory and panics. The engine is a separate Rust crate
 * graph with its own global allocator; these are what it calls.
 *
 * In process context (loading a program) memory comes from kvmalloc(). In atomic context
 * (a handler, or report under the program's raw spinlock) the engine allocates only when
 * a call traps other than by running out of fuel: one small error object, freed before
 * the call returns. Those come from a small static pool, so a trap never calls the slab
 * allocator under a raw spinlock and never fails for lack of memory.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/bitops.h>
#include <linux/kprobes.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include "kwasm_engine.h"

DECLARE_PER_CPU(int, kwasm_cpu_busy);

/* Enough for every CPU to be inside a trap at once, several times over. */
#define KWASM_POOL_SLOTS	128
#define KWASM_POOL_SLOT_SIZE	128

static u8 kwasm_pool[KWASM_POOL_SLOTS][KWASM_POOL_SLOT_SIZE] __aligned(KWASM_POOL_SLOT_SIZE);
static DECLARE_BITMAP(kwasm_pool_used, KWASM_POOL_SLOTS);

/*
 * Whether the engine runs in atomic context. The module marks every engine call made
 * under its spinlock; with CONFIG_PREEMPT_COUNT the kernel can also tell by itself.
 */
static bool kwasm_rt_atomic(void)
{
	return raw_cpu_read(kwasm_cpu_busy) ||
	       (IS_ENABLED(CONFIG_PREEMPT_COUNT) && !preemptible());
}

static void *kwasm_pool_alloc(size_t size, size_t align)
{
	unsigned int i;

	if (size > KWASM_POOL_SLOT_SIZE || align > KWASM_POOL_SLOT_SIZE)
		return NULL;
	for (i = 0; i < KWASM_POOL_SLOTS; i++)
		if (!test_and_set_bit_lock(i, kwasm_pool_used))
			return kwasm_pool[i];
	return NULL;
}

static bool kwasm_pool_free(void *ptr)
{
	uintptr_t p = (uintptr_t)ptr, base = (uintptr_t)kwasm_pool;

	if (p < base || p >= base + sizeof(kwasm_pool))
		return false;
	clear_bit_unlock((p - base) / KWASM_POOL_SLOT_SIZE, kwasm_pool_used);
	return true;
}

/**
 * kwasm_rt_alloc() - allocate memory for the engine
 * @size: bytes wanted
 * @align: alignment wanted, a power of two
 *
 * kmalloc aligns power-of-two sizes naturally and every size to ARCH_KMALLOC_MINALIGN,
 * so rounding the size up to a power of two covers larger alignments.
 *
 * Return: the memory, or NULL.
 */
void *kwasm_rt_alloc(size_t size, size_t align)
{
	void *p;

	if (align > PAGE_SIZE)
		return NULL;
	if (kwasm_rt_atomic()) {
		p = kwasm_pool_alloc(size, align);
		if (p)
			return p;
	}
	if (align > ARCH_KMALLOC_MINALIGN)
		size = roundup_pow_of_two(max(size, align));
	if (kwasm_rt_atomic())
		return kmalloc(size, GFP_ATOMIC | __GFP_NOWARN);
	return kvmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
}
NOKPROBE_SYMBOL(kwasm_rt_alloc);

/**
 * kwasm_rt_free() - free what kwasm_rt_alloc() returned
 * @ptr: the memory, or NULL
 */
void kwasm_rt_free(void *ptr)
{
	if (!kwasm_pool_free(ptr))
		kvfree(ptr);
}
NOKPROBE_SYMBOL(kwasm_rt_free);

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
