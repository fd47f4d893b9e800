// SPDX-License-Identifier: GPL-2.0
/*
 * Loading a program on a stack of its own.
 *
 * Validating and compiling a module in wasmi takes more stack than a kernel thread has:
 * its parser and translator keep large structures in frames of 7 KiB each, nested, about
 * 20 KiB deep in all against THREAD_SIZE of 16 KiB. So the engine's process-context
 * entry points (load and the self-test) run on a separate 64 KiB vmalloc'd stack, switched
 * to with the same call_on_stack() the x86 interrupt code uses for its own stacks; the
 * old stack pointer is saved at the top of the new one, as there. Handler calls and
 * report are shallow (a few KiB) and run on the stack they are called on.
 *
 * This is the one architecture-specific piece of kwasm's C: on other architectures the
 * calls run on the current stack, and need a kernel with larger stacks.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/vmalloc.h>
#ifdef CONFIG_X86_64
#include <asm/irq_stack.h>
#endif
#include "kwasm_internal.h"

#define KWASM_STACK_SIZE	(64 * 1024)

struct kwasm_stack_call {
	void (*fn)(void *arg);
	void *arg;
};

static void kwasm_stack_entry(struct kwasm_stack_call *call)
{
	call->fn(call->arg);
}

/* Runs fn(arg) on a fresh stack; process context only. */
static int kwasm_call_on_own_stack(void (*fn)(void *arg), void *arg)
{
	struct kwasm_stack_call call = { .fn = fn, .arg = arg };
#ifdef CONFIG_X86_64
	void *stack = vmalloc(KWASM_STACK_SIZE);

	if (!stack)
		return -ENOMEM;
	/* As for the IRQ stacks: the top word will hold the previous stack pointer. */
	call_on_stack(stack + KWASM_STACK_SIZE - 8, kwasm_stack_entry, ASM_CALL_ARG1,
		      , [arg1] "r" (&call));
	vfree(stack);
#else
	kwasm_stack_entry(&call);
#endif
	return 0;
}

struct kwasm_load_args {
	const u8 *code;
	size_t len;
	const struct kwasm_limits *limits;
	struct kwasm_hit *ctx;
	struct kwasm_program **out;
	char *msg;
	size_t msg_size;
	int ret;
};

static void kwasm_load_on_stack(void *arg)
{
	struct kwasm_load_args *a = arg;

	a->ret = kwasm_engine_load(a->code, a->len, a->limits, &kwasm_host_ops, a->ctx, a->out,
				   a->msg, a->msg_size);
}

/**
 * kwasm_load() - kwasm_engine_load() with the module's host functions, on its own stack
 * @code: the Wasm module
 * @len: its size
 * @limits: the limits it loads under
 * @name: the program's name, for what its start function prints
 * @out: set to the engine's program
 * @msg: where a load error's sentence goes
 * @msg_size: its size
 *
 * Return: 0 or a negative errno (and @msg says why).
 */
int kwasm_load(const u8 *code, size_t len, const struct kwasm_limits *limits,
	       const char *name, struct kwasm_program **out, char *msg, size_t msg_size)
{
	struct kwasm_hit ctx = { .name = name };
	struct kwasm_load_args a = {
		.code = code, .len = len, .limits = limits, .ctx = &ctx, .out = out,
		.msg = msg, .msg_size = msg_size, .ret = -ENOMEM,
	};
	int ret;

	kwasm_rt_reclaim();
	ret = kwasm_call_on_own_stack(kwasm_load_on_stack, &a);
	if (ret) {
		strscpy(msg, "out of memory for the load stack", msg_size);
		return ret;
	}
	return a.ret;
}

struct kwasm_selftest_args {
	s64 got;
	int ret;
};

static void kwasm_selftest_on_stack(void *arg)
{
	struct kwasm_selftest_args *a = arg;

	a->ret = kwasm_engine_selftest(&a->got);
}

/**
 * kwasm_selftest() - kwasm_engine_selftest() on its own stack
 * @got: set to what the engine computed
 *
 * Return: 0 when right, else non-zero.
 */
int kwasm_selftest(s64 *got)
{
	struct kwasm_selftest_args a = { .got = -1, .ret = -1 };
	int ret = kwasm_call_on_own_stack(kwasm_selftest_on_stack, &a);

	*got = a.got;
	return ret ? ret : a.ret;
}

struct kwasm_instantiate_args {
	const struct kwasm_program *program;
	struct kwasm_hit *ctx;
	struct kwasm_program **out;
	char *msg;
	size_t msg_size;
	int ret;
};

static void kwasm_instantiate_on_stack(void *arg)
{
	struct kwasm_instantiate_args *a = arg;

	a->ret = kwasm_engine_instantiate(a->program, a->ctx, a->out, a->msg, a->msg_size);
}

/**
 * kwasm_instantiate() - kwasm_engine_instantiate() on its own stack
 * @program: the loaded program whose compiled module is instantiated again
 * @name: the program's name, for what its start function prints
 * @out: set to the new instance
 * @msg: where an error's sentence goes
 * @msg_size: its size
 *
 * Process context. The start function runs again, as deep as at load.
 *
 * Return: 0 or a negative errno (and @msg says why).
 */
int kwasm_instantiate(const struct kwasm_program *program, const char *name,
		      struct kwasm_program **out, char *msg, size_t msg_size)
{
	struct kwasm_hit ctx = { .name = name };
	struct kwasm_instantiate_args a = {
		.program = program, .ctx = &ctx, .out = out, .msg = msg, .msg_size = msg_size,
		.ret = -ENOMEM,
	};
	int ret = kwasm_call_on_own_stack(kwasm_instantiate_on_stack, &a);

	if (ret) {
		strscpy(msg, "out of memory for the load stack", msg_size);
		return ret;
	}
	return a.ret;
}
