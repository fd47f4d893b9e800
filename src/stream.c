// SPDX-License-Identifier: GPL-2.0
/*
 * A program's trace stream (Documentation/usage.rst, "The trace stream"): a tracefs
 * instance, instances/kwasm-NAME, made by the kernel's own tracing (no buffer of ours).
 * Records go into the instance's ring buffer with __trace_array_puts(), which reserves
 * and commits in the lock-free ring buffer (ring_buffer_lock_reserve()): no lock, no
 * allocation, no sleeping, and safe in NMI context, where the kernel's own tracers write
 * it too. Readers get tracefs' trace_pipe (blocking, consuming) and trace files, whose
 * lines carry task-pid, CPU, flags and timestamp. trace_array_printk() is not used: it
 * formats again with vsnprintf into per-CPU buffers, which kwasm's formatter (format.rs)
 * has already done within the program's fuel.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/kprobes.h>
#include <linux/slab.h>
#include <linux/trace.h>
#include "kwasm_internal.h"

struct kwasm_stream {
	struct trace_array *tr;
	atomic64_t written, lost;
	char name[];		/* the instance's: kwasm-NAME */
};

/**
 * kwasm_stream_open() - make (or find) the tracefs instance kwasm-@program
 * @program: the program's name
 * @out: set to the new stream
 *
 * Process context. An instance of that name that already exists (one a reader kept open
 * when its program went, say) is used as it is.
 *
 * Return: 0, -ENOMEM, or -ENODEV when tracefs cannot make the instance.
 */
int kwasm_stream_open(const char *program, struct kwasm_stream **out)
{
	size_t len = strlen("kwasm-") + strlen(program) + 1;
	struct kwasm_stream *st;

	st = kzalloc(struct_size(st, name, len), GFP_KERNEL_ACCOUNT);
	if (!st)
		return -ENOMEM;
	snprintf(st->name, len, "kwasm-%s", program);
	/* "" for systems: the instance gets no event directories, only the stream. */
	st->tr = trace_array_get_by_name(st->name, "");
	if (!st->tr) {
		kfree(st);
		return -ENODEV;
	}
	*out = st;
	return 0;
}

/**
 * kwasm_stream_close() - remove the instance and free the stream
 * @st: the stream, or NULL; no handler may be writing to it any more
 *
 * Process context. An instance a reader holds open (trace_pipe, trace) cannot be removed:
 * it stays, an ordinary instance that `rmdir instances/kwasm-NAME` removes once the
 * reader is gone, and the module's part is freed now.
 */
void kwasm_stream_close(struct kwasm_stream *st)
{
	int ret;

	if (!st)
		return;
	trace_array_put(st->tr);
	ret = trace_array_destroy(st->tr);
	if (ret)
		pr_warn("%s: instances/%s is open (%d): it stays until rmdir removes it\n",
			st->name + strlen("kwasm-"), st->name, ret);
	kfree(st);
}

/**
 * kwasm_stream_write() - write one record, from any context
 * @st: the stream
 * @ip: the address the record is shown at (tracefs prints its symbol), or 0
 * @msg: the record (1 to KWASM_STREAM_RECORD_MAX bytes; a newline is added if it lacks one)
 * @len: its length
 *
 * Return: 0, or -ENOBUFS when the ring buffer refused it (full with overwrite off,
 * tracing off in the instance, or written from inside the ring buffer): counted as lost.
 */
int kwasm_stream_write(struct kwasm_stream *st, unsigned long ip, const u8 *msg, u32 len)
{
	if (!__trace_array_puts(st->tr, ip, (const char *)msg, len)) {
		atomic64_inc(&st->lost);
		return -ENOBUFS;
	}
	atomic64_inc(&st->written);
	return 0;
}
NOKPROBE_SYMBOL(kwasm_stream_write);

/**
 * kwasm_stream_counts() - records written and lost so far
 * @st: the stream
 * @written: set to the records the ring buffer took
 * @lost: set to those it refused
 */
void kwasm_stream_counts(const struct kwasm_stream *st, u64 *written, u64 *lost)
{
	*written = atomic64_read(&st->written);
	*lost = atomic64_read(&st->lost);
}
