// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoint attach kind: "tracepoint:GROUP:EVENT" runs on the tracepoint behind the
 * trace event GROUP/EVENT (tracefs's events/GROUP/EVENT), with its TP_PROTO arguments.
 *
 * The event is looked up with trace_get_event_file(), which checks the group as well as
 * the event (a tracepoint itself knows only its event name, so for_each_kernel_tracepoint()
 * could not tell "sched:sched_switch" from "bogus:sched_switch"), finds events of loaded
 * modules too, and pins such a module while the probe is attached.
 *
 * One probe function serves every tracepoint, whatever its prototype: the tracepoint
 * calls it as void (*)(void *data, PROTO), and it is declared as
 * void (*)(void *data, u64 a0, ..., u64 a5). On x86_64 (SysV ABI) data arrives in %rdi
 * and the first five arguments in %rsi, %rdx, %rcx, %r8 and %r9, the sixth on the
 * caller's stack; every TP_PROTO argument is a pointer or an integer (no struct is passed
 * by value, no float), so each occupies exactly one of those slots, in order. The caller
 * pops its own arguments and the probe returns nothing, so declaring more parameters than
 * the prototype has only reads registers (or a caller's stack slot) that hold stale
 * values: a0..a5 past the prototype are meaningless, never a fault. An argument narrower
 * than 64 bits has undefined upper bits in its register, hence i32 parameters for them.
 *
 * Control-flow integrity (CONFIG_CFI: kCFI, FineIBT) checks at every indirect call that
 * the callee's type hash matches the call's prototype: the mismatch above would stop the
 * kernel. Such a kernel gets EOPNOTSUPP at attach time, with a line saying why.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/trace_events.h>
#include <linux/tracepoint.h>
#include "../kwasm_internal.h"

#if IS_ENABLED(CONFIG_CFI) || IS_ENABLED(CONFIG_CFI_CLANG) || !IS_ENABLED(CONFIG_EVENT_TRACING)
#define KWASM_TRACEPOINTS	0
#else
#define KWASM_TRACEPOINTS	1
#endif

struct kwasm_tracepoint {
	struct trace_event_file *file;	/* holds the event (and its module) while attached */
	struct tracepoint *tp;
};

static int kwasm_tracepoint_arg(const struct kwasm_hit *hit, u32 n, u64 *value)
{
	if (n >= KWASM_MAX_PARAMS)
		return -EINVAL;
	*value = hit->entry_args[n];
	return 0;
}
NOKPROBE_SYMBOL(kwasm_tracepoint_arg);

static int kwasm_tracepoint_ret(const struct kwasm_hit *hit, u64 *value)
{
	return -EINVAL;
}
NOKPROBE_SYMBOL(kwasm_tracepoint_ret);

#if KWASM_TRACEPOINTS

/*
 * The probe of every tracepoint (see the top of the file for why one signature fits all).
 * Tracepoints call their probes under SRCU, or for faultable ones (syscalls) under RCU
 * tasks trace, with preemption enabled: kwasm_run() needs it disabled.
 */
static void kwasm_tracepoint_probe(void *data, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4,
				   u64 a5)
{
	const u64 args[KWASM_MAX_PARAMS] = { a0, a1, a2, a3, a4, a5 };
	const struct kwasm_point *pt = data;
	/* Every member named, as in kwasm_pre_hit() (kprobe.c). */
	struct kwasm_hit hit = {
		.exec = pt->exec,
		.point = data,
		.regs = NULL,
		.entry_args = args,
		.params = args,
		.name = NULL,
		.func_ip = 0,
		.counters = NULL,
		.missed = NULL,
	};

	preempt_disable_notrace();
	kwasm_run(&hit);
	preempt_enable_notrace();
}
NOKPROBE_SYMBOL(kwasm_tracepoint_probe);

static int kwasm_tracepoint_attach(struct kwasm_point *pt)
{
	struct kwasm_tracepoint *t = pt->priv;
	const char *event;
	char *group;
	int ret;

	/* The engine checked the form GROUP:EVENT. */
	event = strchr(pt->info.symbol, ':');
	if (WARN_ON_ONCE(!event))
		return -EINVAL;
	group = kmemdup_nul(pt->info.symbol, event - pt->info.symbol, GFP_KERNEL);
	if (!group)
		return -ENOMEM;
	pt->failed = "trace_get_event_file";
	t->file = trace_get_event_file(NULL, group, event + 1);
	kfree(group);
	if (IS_ERR(t->file)) {
		ret = PTR_ERR(t->file);
		t->file = NULL;
		/* Not found is EINVAL there; here it is what an unknown symbol is. */
		return ret == -EINVAL ? -ENOENT : ret;
	}
	if (!(t->file->event_call->flags & TRACE_EVENT_FL_TRACEPOINT)) {
		/* A kprobe, synthetic or syscalls event: no tracepoint of its own. */
		pt->failed = "trace_get_event_file (not a tracepoint event)";
		ret = -EOPNOTSUPP;
		goto fail;
	}
	t->tp = t->file->event_call->tp;
	pt->failed = "tracepoint_probe_register";
	ret = tracepoint_probe_register(t->tp, kwasm_tracepoint_probe, pt);
	if (ret)
		goto fail;
	return 0;

fail:
	trace_put_event_file(t->file);
	t->file = NULL;
	return ret;
}

/* In one call: one wait for all of them. */
static void kwasm_tracepoint_detach(struct kwasm_point **pts, u32 n, void **scratch)
{
	u32 i;

	for (i = 0; i < n; i++) {
		struct kwasm_tracepoint *t = pts[i]->priv;

		/*
		 * It cannot fail for a probe that is registered: when the smaller array
		 * cannot be allocated, the kernel puts a stub in the probe's place.
		 */
		WARN_ON_ONCE(tracepoint_probe_unregister(t->tp, kwasm_tracepoint_probe, pts[i]));
	}
	/* Waits for SRCU readers (every tracepoint) and RCU tasks trace (faultable ones). */
	tracepoint_synchronize_unregister();
	for (i = 0; i < n; i++) {
		struct kwasm_tracepoint *t = pts[i]->priv;

		trace_put_event_file(t->file);
		t->file = NULL;
	}
}

#else /* !KWASM_TRACEPOINTS */

static int kwasm_tracepoint_attach(struct kwasm_point *pt)
{
	if (!IS_ENABLED(CONFIG_EVENT_TRACING)) {
		pt->failed = "trace_get_event_file (CONFIG_EVENT_TRACING is off)";
	} else {
		pt->failed = "tracepoint_probe_register (refused under CONFIG_CFI)";
		pr_warn_once("tracepoints: kwasm's one probe for every prototype fails CFI's type check on this kernel\n");
	}
	return -EOPNOTSUPP;
}

static void kwasm_tracepoint_detach(struct kwasm_point **pts, u32 n, void **scratch)
{
}

#endif /* KWASM_TRACEPOINTS */

/* The tracepoint API drops nothing by itself: every miss is kwasm_run()'s. */
static u64 kwasm_tracepoint_nmissed(const struct kwasm_point *pt)
{
	return 0;
}

const struct kwasm_attach_kind kwasm_tracepoint_kind = {
	.priv_size = sizeof(struct kwasm_tracepoint),
	.attach = kwasm_tracepoint_attach,
	.detach = kwasm_tracepoint_detach,
	.nmissed = kwasm_tracepoint_nmissed,
	/* Its hits carry their parameters (hit->params). */
	.arg = kwasm_tracepoint_arg,
	.ret = kwasm_tracepoint_ret,
	.registrar = "tracepoint_probe_register",
};
