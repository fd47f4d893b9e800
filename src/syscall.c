// SPDX-License-Identifier: GPL-2.0
/*
 * What kwasm knows about syscall entry points: which symbols are ones, which of their
 * parameters are user strings (from the tree's include/linux/syscalls.h, at build time),
 * and the user's arguments, read from the pt_regs a syscall entry point gets.
 * This is the one arch-specific knowledge of symbols in kwasm.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/syscall.h>
#include "kwasm_internal.h"
#include "syscall_strings.h"

#define KWASM_SYSCALL_PREFIX	"__x64_sys_"

/* Whether @symbol is a syscall entry point, whose single argument is the user's pt_regs. */
bool kwasm_symbol_is_syscall(const char *symbol)
{
	return IS_ENABLED(CONFIG_X86_64) && str_has_prefix(symbol, KWASM_SYSCALL_PREFIX);
}

/* The string parameters of syscall entry point @symbol, as a bit mask. */
u32 kwasm_syscall_string_mask(const char *symbol)
{
	size_t i;

	if (!kwasm_symbol_is_syscall(symbol))
		return 0;
	symbol += strlen(KWASM_SYSCALL_PREFIX);
	for (i = 0; i < ARRAY_SIZE(kwasm_syscall_strings); i++)
		if (!strcmp(kwasm_syscall_strings[i].name, symbol))
			return kwasm_syscall_strings[i].mask;
	return 0;
}

/*
 * The user's six syscall arguments, at a syscall entry point, whose only argument is the
 * user's pt_regs; it is read without faulting (the probe may sit on a symbol that merely
 * looks like an entry point). Returns 0, -EINVAL off a syscall entry point, or -EFAULT.
 */
static int kwasm_syscall_get_args(const struct kwasm_hit *hit, unsigned long args[6])
{
	struct pt_regs user;
	u64 uregs;

	if (!hit->point || !hit->point->syscall)
		return -EINVAL;
	if (hit->point->kind->arg(hit, 0, &uregs))
		return -EINVAL;
	if (copy_from_kernel_nofault(&user, (void *)(uintptr_t)uregs, sizeof(user)))
		return -EFAULT;
	syscall_get_arguments(current, &user, args);
	return 0;
}
NOKPROBE_SYMBOL(kwasm_syscall_get_args);

/**
 * kwasm_syscall_arg() - the user's @n-th syscall argument, at a syscall entry point
 * @hit: the call
 * @n: the argument, 0-5
 * @value: set to it
 *
 * Return: 0, -EINVAL off a syscall entry point, or -EFAULT.
 */
int kwasm_syscall_arg(const struct kwasm_hit *hit, u32 n, u64 *value)
{
	unsigned long args[6];
	int ret;

	if (n >= 6)
		return -EINVAL;
	ret = kwasm_syscall_get_args(hit, args);
	if (ret)
		return ret;
	*value = args[n];
	return 0;
}
NOKPROBE_SYMBOL(kwasm_syscall_arg);

/**
 * kwasm_syscall_params() - a syscall entry point's handler parameters
 * @hit: the call
 * @params: set to the user's syscall arguments, 0 where they cannot be read
 *
 * The user's registers are copied once for all of them.
 */
void kwasm_syscall_params(const struct kwasm_hit *hit, u64 *params)
{
	unsigned long args[6];
	u32 i;

	if (kwasm_syscall_get_args(hit, args))
		memset(args, 0, sizeof(args));
	for (i = 0; i < hit->point->info.nparams && i < 6; i++)
		params[i] = args[i];
}
NOKPROBE_SYMBOL(kwasm_syscall_params);
