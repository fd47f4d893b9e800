// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's runtime callbacks: memory and panics. The engine is a separate Rust crate
 * graph with its own global allocator; these are what it calls.
 *
 * In process context (loading a program, freeing one) memory comes from kvmalloc() and
 * goes back with kvfree().
 *
 * Calls into a program (handlers and report) run in atomic context, an int3 kprobe
 * handler in NMI context, where neither the slab nor the vmalloc allocator may be
 * entered. A call neither allocates nor frees by design (the host tests count both),
 * except that a trap other than running out of fuel allocates one small error object
 * and frees it before the call returns. So in atomic context:
 *
 * - allocations come from a small per-CPU pool: a CPU runs one call at a time (the
 *   kwasm_cpu_busy flag of exec.c), so a few slots per CPU always suffice, and taking
 *   one is a bit operation, safe in NMI;
 * - a free of anything not from the pool is never done there: the block goes on a
 *   lock-free list (llist, NMI-safe) and is freed by kwasm_rt_reclaim() in process
 *   context (the next load or free of any program, and module unload);
 * - anything the pool cannot serve, and any deferred free, is a kwasm bug: it WARNs
 *   once (the test suite fails on any WARN), and is then handled as safely as the
 *   context allows.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/bitops.h>
#include <linux/hardirq.h>
#include <linux/kprobes.h>
#include <linux/llist.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include "kwasm_internal.h"

/* A trap needs one slot of 112 bytes (wasmi 2.0.0); the rest is margin. */
#define KWASM_POOL_SLOTS	2
#define KWASM_POOL_SLOT_SIZE	256

struct kwasm_pool {
	u8 slot[KWASM_POOL_SLOTS][KWASM_POOL_SLOT_SIZE] __aligned(KWASM_POOL_SLOT_SIZE);
	unsigned long used;
};

static DEFINE_PER_CPU_ALIGNED(struct kwasm_pool, kwasm_pool);

/*
 * The meter (kwasm_rt_meter_start()): what one task's process-context allocations hold,
 * in bytes as the allocators give them. One task at a time; other tasks' allocations
 * cost them one comparison.
 */
static DEFINE_MUTEX(kwasm_meter_lock);
static struct task_struct *kwasm_meter_task;
static long kwasm_meter_bytes;

/* The size of a block as its allocator holds it: a kmalloc size class, or pages. */
static size_t kwasm_rt_block_size(const void *p, size_t size)
{
	return is_vmalloc_addr(p) ? PAGE_ALIGN(size) : ksize(p);
}

/* Blocks freed in atomic context, for kwasm_rt_reclaim(). */
static LLIST_HEAD(kwasm_deferred);

/*
 * Whether the engine runs in atomic context. The module marks every engine call made
 * under its spinlock; with CONFIG_PREEMPT_COUNT the kernel can also tell by itself.
 */
static bool kwasm_rt_atomic(void)
{
	return raw_cpu_read(kwasm_cpu_busy) ||
	       (IS_ENABLED(CONFIG_PREEMPT_COUNT) && !preemptible());
}
NOKPROBE_SYMBOL(kwasm_rt_atomic);

static void *kwasm_pool_alloc(size_t size, size_t align)
{
	struct kwasm_pool *pool = raw_cpu_ptr(&kwasm_pool);
	unsigned int i;

	if (size > KWASM_POOL_SLOT_SIZE || align > KWASM_POOL_SLOT_SIZE)
		return NULL;
	for (i = 0; i < KWASM_POOL_SLOTS; i++)
		if (!test_and_set_bit_lock(i, &pool->used))
			return pool->slot[i];
	return NULL;
}
NOKPROBE_SYMBOL(kwasm_pool_alloc);

/* Returns a pool slot: this CPU's, as a call frees on the CPU it allocated on. */
static bool kwasm_pool_free(void *ptr)
{
	uintptr_t p = (uintptr_t)ptr;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct kwasm_pool *pool = per_cpu_ptr(&kwasm_pool, cpu);
		uintptr_t base = (uintptr_t)pool->slot;

		if (p >= base && p < base + sizeof(pool->slot)) {
			clear_bit_unlock((p - base) / KWASM_POOL_SLOT_SIZE, &pool->used);
			return true;
		}
	}
	return false;
}
NOKPROBE_SYMBOL(kwasm_pool_free);

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
	if (align > ARCH_KMALLOC_MINALIGN)
		size = roundup_pow_of_two(max(size, align));
	if (!kwasm_rt_atomic()) {
		p = kvmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (p && READ_ONCE(kwasm_meter_task) == current)
			kwasm_meter_bytes += kwasm_rt_block_size(p, size);
		return p;
	}
	p = kwasm_pool_alloc(size, align);
	if (p)
		return p;
	WARN_ONCE(1, "kwasm: engine allocation of %zu bytes in atomic context\n", size);
	/*
	 * A kwasm bug (the WARN names it). Outside NMI the slab allocator copes; in NMI
	 * nothing does, and the engine's allocation-failure panic follows.
	 */
	return in_nmi() ? NULL : kmalloc(size, GFP_ATOMIC | __GFP_NOWARN);
}
NOKPROBE_SYMBOL(kwasm_rt_alloc);

/**
 * kwasm_rt_free() - free what kwasm_rt_alloc() returned
 * @ptr: the memory, or NULL
 * @size: the size it was allocated with
 * @align: the alignment it was allocated with
 */
void kwasm_rt_free(void *ptr, size_t size, size_t align)
{
	if (ZERO_OR_NULL_PTR(ptr) || kwasm_pool_free(ptr))
		return;
	if (!kwasm_rt_atomic()) {
		if (READ_ONCE(kwasm_meter_task) == current) {
			if (align > ARCH_KMALLOC_MINALIGN)
				size = roundup_pow_of_two(max(size, align));
			kwasm_meter_bytes -= kwasm_rt_block_size(ptr, size);
		}
		kvfree(ptr);
		return;
	}
	WARN_ONCE(1, "kwasm: engine free in atomic context, deferred\n");
	/* Every kvmalloc() block holds at least a pointer: kmalloc's smallest is 8 bytes. */
	llist_add((struct llist_node *)ptr, &kwasm_deferred);
}
NOKPROBE_SYMBOL(kwasm_rt_free);

/**
 * kwasm_rt_meter_start() - start counting what this task's engine allocations hold
 *
 * Process context. Until kwasm_rt_meter_stop(), other tasks wait to start a meter.
 */
void kwasm_rt_meter_start(void)
{
	mutex_lock(&kwasm_meter_lock);
	kwasm_meter_bytes = 0;
	WRITE_ONCE(kwasm_meter_task, current);
}

/**
 * kwasm_rt_meter_stop() - stop counting
 *
 * Return: the bytes that this task's engine allocations since kwasm_rt_meter_start()
 * still hold (allocated less freed), as the slab and vmalloc allocators hold them.
 */
long kwasm_rt_meter_stop(void)
{
	long bytes = kwasm_meter_bytes;

	WRITE_ONCE(kwasm_meter_task, NULL);
	mutex_unlock(&kwasm_meter_lock);
	return bytes;
}

/**
 * kwasm_rt_reclaim() - free the blocks that the engine freed in atomic context
 *
 * Process context only.
 */
void kwasm_rt_reclaim(void)
{
	struct llist_node *node, *next;

	might_sleep();
	llist_for_each_safe(node, next, llist_del_all(&kwasm_deferred))
		kvfree(node);
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
