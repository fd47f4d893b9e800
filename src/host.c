// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side of the probe's host functions (Documentation/probe-abi.rst): the
 * struct kwasm_host_ops table the engine calls. Each callback gets the struct kwasm_hit
 * of the call, runs in the call's context (atomic, possibly NMI) and uses only
 * primitives safe there: what the attach kind reads (registers, arguments), the
 * _nofault copies, the NMI-safe clock, current's fields, print() lines deferred and
 * rate-limited per program (log.c), kallsyms lookups and the trace stream's lock-free
 * ring buffer (stream.c).
 * The engine has already checked every destination against the probe's memory.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/unaligned.h>
#include <asm/unwind.h>
#include "kwasm_internal.h"

/* The longest message print() logs. */
#define KWASM_PRINT_MAX	256

/* arg(n), ret(): what the attach kind that delivered the hit says. */
static int kwasm_host_arg(void *ctx, u32 n, u64 *value)
{
	const struct kwasm_hit *hit = ctx;

	return hit->point ? hit->point->kind->arg(hit, n, value) : -EINVAL;
}
NOKPROBE_SYMBOL(kwasm_host_arg);

static int kwasm_host_ret(void *ctx, u64 *value)
{
	const struct kwasm_hit *hit = ctx;

	return hit->point ? hit->point->kind->ret(hit, value) : -EINVAL;
}
NOKPROBE_SYMBOL(kwasm_host_ret);

static int kwasm_host_entry_ns(void *ctx, u64 *value)
{
	const struct kwasm_hit *hit = ctx;

	if (!hit->point || !hit->point->kind->entry_ns)
		return -EINVAL;
	return hit->point->kind->entry_ns(hit, value);
}
NOKPROBE_SYMBOL(kwasm_host_entry_ns);

/* func_ip(): set by the attach kind that delivered the hit (a tracepoint has none). */
static int kwasm_host_func_ip(void *ctx, u64 *value)
{
	const struct kwasm_hit *hit = ctx;

	if (!hit->func_ip)
		return -EINVAL;
	*value = hit->func_ip;
	return 0;
}
NOKPROBE_SYMBOL(kwasm_host_func_ip);

static int kwasm_host_syscall_arg(void *ctx, u32 n, u64 *value)
{
	return kwasm_syscall_arg(ctx, n, value);
}
NOKPROBE_SYMBOL(kwasm_host_syscall_arg);

/*
 * Copies a NUL-terminated string in chunks that never cross a page, so a fault means the
 * string really runs into unmapped memory. Returns its length, the copy NUL-terminated
 * and cut to @len - 1 bytes.
 */
static int kwasm_read_str(u8 *dst, u64 src, u32 len, bool user)
{
	u32 done = 0;

	if (!len)
		return 0;
	while (done < len - 1) {
		u32 chunk = min3(len - 1 - done, 64U,
				 (u32)(PAGE_SIZE - offset_in_page(src + done)));
		long ret;
		u8 *nul;

		if (user)
			ret = copy_from_user_nofault(dst + done,
						     (const void __user *)(uintptr_t)(src + done),
						     chunk);
		else
			ret = copy_from_kernel_nofault(dst + done, (const void *)(uintptr_t)(src + done),
						       chunk);
		if (ret) {
			dst[done] = 0;
			return -EFAULT;
		}
		nul = memchr(dst + done, 0, chunk);
		if (nul)
			return nul - dst;
		done += chunk;
	}
	dst[done] = 0;
	return done;
}
NOKPROBE_SYMBOL(kwasm_read_str);

static int kwasm_host_read(void *ctx, u32 kind, u8 *dst, u64 src, u32 len)
{
	switch (kind) {
	case KWASM_READ_KERNEL:
		return copy_from_kernel_nofault(dst, (const void *)(uintptr_t)src, len) ? -EFAULT : 0;
	case KWASM_READ_USER:
		return copy_from_user_nofault(dst, (const void __user *)(uintptr_t)src, len) ?
		       -EFAULT : 0;
	case KWASM_READ_KERNEL_STR:
		return kwasm_read_str(dst, src, len, false);
	case KWASM_READ_USER_STR:
		return kwasm_read_str(dst, src, len, true);
	}
	return -EINVAL;
}
NOKPROBE_SYMBOL(kwasm_host_read);

static u64 kwasm_host_ktime_ns(void *ctx)
{
	return ktime_get_mono_fast_ns();
}
NOKPROBE_SYMBOL(kwasm_host_ktime_ns);

static int kwasm_host_task(void *ctx, u32 what)
{
	switch (what) {
	case KWASM_TASK_PID:
		return current->pid;
	case KWASM_TASK_TGID:
		return current->tgid;
	case KWASM_TASK_CPU:
		return raw_smp_processor_id();
	}
	return -1;
}
NOKPROBE_SYMBOL(kwasm_host_task);

static int kwasm_host_comm(void *ctx, u8 *dst, u32 len)
{
	ssize_t n;

	if (!len)
		return 0;
	n = strscpy((char *)dst, current->comm, min_t(u32, len, TASK_COMM_LEN));
	return n < 0 ? (int)min_t(u32, len, TASK_COMM_LEN) - 1 : n;
}
NOKPROBE_SYMBOL(kwasm_host_comm);

static void kwasm_host_print(void *ctx, const u8 *msg, u32 len)
{
	kwasm_hit_print(ctx, msg, min_t(u32, len, KWASM_PRINT_MAX));
}
NOKPROBE_SYMBOL(kwasm_host_print);

/*
 * %pS and %ps of format(), and ksym(): sprint_symbol(), as vsnprintf's %pS and
 * bpf_snprintf() use it (with " [module]" after a module's symbols).
 * kallsyms_lookup() searches the kernel's tables without locks and modules' under RCU,
 * so it is safe in any context, NMI included.
 */
static DEFINE_PER_CPU(char [KSYM_SYMBOL_LEN], kwasm_symbol_buf);

static int kwasm_host_symbol(void *ctx, u64 addr, u32 offset, u8 *dst, u32 len)
{
	/*
	 * Over 600 bytes: not for the stack under the engine's frames, in an NMI perhaps. A
	 * call runs with this CPU marked busy (kwasm_cpu_busy) and interrupts off, so it
	 * has the buffer to itself.
	 */
	char *name = this_cpu_ptr(kwasm_symbol_buf);
	int n;

	if (offset)
		n = sprint_symbol(name, addr);
	else
		n = sprint_symbol_no_offset(name, addr);
	n = min_t(int, n, len);
	memcpy(dst, name, n);
	return n;
}
NOKPROBE_SYMBOL(kwasm_host_symbol);

/*
 * stream() and stream_printf(): a record into the program's tracefs instance, shown at
 * the address the hit is at (for a return handler, where the function returned to).
 */
static int kwasm_host_stream(void *ctx, const u8 *msg, u32 len)
{
	const struct kwasm_hit *hit = ctx;
	struct kwasm_stream *st = hit->exec ? READ_ONCE(hit->exec->stream) : NULL;

	if (!st)
		return -ENOENT;
	return kwasm_stream_write(st, hit->regs ? instruction_pointer(hit->regs) : 0, msg,
				  min_t(u32, len, KWASM_STREAM_RECORD_MAX));
}
NOKPROBE_SYMBOL(kwasm_host_stream);

/*
 * kstack(): the current hit's kernel stack, walked with the unwinder the kernel's own
 * stack traces use (ORC on x86_64). It reads only the stacks and the unwind tables,
 * bounded by get_stack_info(), and takes no lock: perf unwinds with it from NMIs, and so
 * may an int3 kprobe's handler here. (stack_trace_save() walks the same way but cannot
 * start from a hit's registers: stack_trace_save_regs() is not exported.)
 *
 * A kprobe's hit starts from its registers: the probed function first (a kretprobe's,
 * once kretprobes have put the real return address back, its caller). A tracepoint's
 * has none: the walk starts here and drops every frame inside kwasm (this file, the
 * engine, exec.c, the kind's probe), so it starts at the tracepoint's caller.
 */
static int kwasm_host_kstack(void *ctx, u8 *dst, u32 max)
{
	const struct kwasm_hit *hit = ctx;
	struct unwind_state state;
	bool ours = !hit->regs;
	u32 n = 0;

	if (hit->regs && max) {
		put_unaligned_le64(instruction_pointer(hit->regs), dst);
		n++;
	}
	for (unwind_start(&state, current, hit->regs, NULL);
	     n < max && !unwind_done(&state); unwind_next_frame(&state)) {
		unsigned long addr = unwind_get_return_address(&state);

		if (!addr)
			break;
		if (ours && within_module(addr, THIS_MODULE))
			continue;
		ours = false;
		put_unaligned_le64(addr, dst + 8 * n);
		n++;
	}
	return n;
}
NOKPROBE_SYMBOL(kwasm_host_kstack);

const struct kwasm_host_ops kwasm_host_ops = {
	.arg = kwasm_host_arg,
	.ret = kwasm_host_ret,
	.syscall_arg = kwasm_host_syscall_arg,
	.read = kwasm_host_read,
	.ktime_ns = kwasm_host_ktime_ns,
	.task = kwasm_host_task,
	.comm = kwasm_host_comm,
	.print = kwasm_host_print,
	.symbol = kwasm_host_symbol,
	.stream = kwasm_host_stream,
	.kstack = kwasm_host_kstack,
	.entry_ns = kwasm_host_entry_ns,
	.func_ip = kwasm_host_func_ip,
};
