// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side of the probe's host functions (Documentation/probe-abi.rst): the
 * struct kwasm_host_ops table the engine calls. Each callback gets the struct kwasm_hit of the call, runs in
 * the call's context (atomic, possibly NMI) and uses only primitives safe there: register
 * reads, the _nofault copies, the NMI-safe clock, current's fields, and print() lines
 * deferred and rate-limited per program (kwasm_hit_print()).
 * The engine has already checked every destination against the probe's memory.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/syscall.h>
#include "kwasm_engine.h"
#include "kwasm_exec.h"

/* The longest message print() logs. */
#define KWASM_PRINT_MAX	256

static int kwasm_host_arg(void *ctx, u32 n, u64 *value)
{
	struct kwasm_hit *hit = ctx;

	if (n >= KWASM_MAX_PARAMS)
		return -EINVAL;
	if (hit->entry_args)
		*value = hit->entry_args[n];
	else
		*value = regs_get_kernel_argument(hit->regs, n);
	return 0;
}
NOKPROBE_SYMBOL(kwasm_host_arg);

static int kwasm_host_ret(void *ctx, u64 *value)
{
	struct kwasm_hit *hit = ctx;

	*value = regs_return_value(hit->regs);
	return 0;
}
NOKPROBE_SYMBOL(kwasm_host_ret);

/*
 * A syscall entry point's only argument is the user's pt_regs; read it without faulting
 * (the probe may sit on a symbol that merely looks like one).
 */
static int kwasm_host_syscall_arg(void *ctx, u32 n, u64 *value)
{
	struct kwasm_hit *hit = ctx;
	unsigned long args[6];
	struct pt_regs user;
	unsigned long uregs;

	if (!hit->point || !kwasm_point_is_syscall(hit->point) || n >= 6)
		return -EINVAL;
	uregs = hit->entry_args ? hit->entry_args[0] : regs_get_kernel_argument(hit->regs, 0);
	if (copy_from_kernel_nofault(&user, (void *)uregs, sizeof(user)))
		return -EFAULT;
	syscall_get_arguments(current, &user, args);
	*value = args[n];
	return 0;
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

const struct kwasm_host_ops kwasm_host_ops = {
	.arg = kwasm_host_arg,
	.ret = kwasm_host_ret,
	.syscall_arg = kwasm_host_syscall_arg,
	.read = kwasm_host_read,
	.ktime_ns = kwasm_host_ktime_ns,
	.task = kwasm_host_task,
	.comm = kwasm_host_comm,
	.print = kwasm_host_print,
};
