// SPDX-License-Identifier: GPL-2.0
/*
 * Log lines of programs. Lines from calls (traps, print()) may come from any context,
 * the lock holder included: they are deferred (the console is printed later from
 * irq_work, never by the caller) and rate-limited per program, so one noisy program
 * silences only itself.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include "kwasm_internal.h"

/*
 * printk_deferred(), which 7.3 does not export: the line goes to the log buffer and the
 * console is printed later from irq_work, so the caller never waits on a console lock.
 */
static __printf(1, 2) void kwasm_printk_deferred(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vprintk_emit(0, LOGLEVEL_SCHED, NULL, fmt, args);
	va_end(args);
}
NOKPROBE_SYMBOL(kwasm_printk_deferred);

/* For log lines from the start function, which runs before the program has an exec. */
static DEFINE_RATELIMIT_STATE(kwasm_load_ratelimit, DEFAULT_RATELIMIT_INTERVAL,
			      DEFAULT_RATELIMIT_BURST);

/**
 * kwasm_trap_log() - log that a handler trapped, deferred and rate-limited per program
 * @pt: its attach point
 * @trap: the trap
 */
void kwasm_trap_log(const struct kwasm_point *pt, const struct kwasm_trap *trap)
{
	if (__ratelimit(&pt->exec->log_ratelimit))
		kwasm_printk_deferred(KERN_WARNING pr_fmt("%s: %s trapped: %s\n"),
				pt->exec->name, pt->info.name, trap->message);
}
NOKPROBE_SYMBOL(kwasm_trap_log);

/**
 * kwasm_hit_print() - log a probe's print() line, deferred and rate-limited per program
 * @hit: the call's context
 * @msg: the message (not NUL-terminated)
 * @len: its length
 */
void kwasm_hit_print(const struct kwasm_hit *hit, const u8 *msg, u32 len)
{
	struct ratelimit_state *rs = hit->exec ? &hit->exec->log_ratelimit : &kwasm_load_ratelimit;
	const char *name = hit->exec ? hit->exec->name : hit->name;

	if (__ratelimit(rs))
		kwasm_printk_deferred(KERN_INFO pr_fmt("%s: %.*s\n"), name, (int)len, msg);
}
NOKPROBE_SYMBOL(kwasm_hit_print);

/**
 * kwasm_log_warn() - log a program's error from process context, rate-limited
 * @program: the program's name
 * @msg: what went wrong
 */
void kwasm_log_warn(const char *program, const char *msg)
{
	pr_warn_ratelimited("%s: %s\n", program, msg);
}
