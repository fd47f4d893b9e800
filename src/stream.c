// SPDX-License-Identifier: GPL-2.0
/*
 * A program's trace stream (Documentation/usage.rst, "The trace stream"): a tracefs
 * instance, instances/kwasm-NAME, made by the kernel's own tracing (no buffer of ours),
 * with one event, kwasm:kwasm_record (kwasm_trace.h), enabled in it. A record is that
 * event, reserved and committed in the instance's own event file as a tracepoint's
 * probe would (trace_event_buffer_reserve(), trace_event_buffer_commit()): the
 * lock-free ring buffer, no lock, no allocation, no sleeping, and safe in NMI context,
 * where tracepoints write it too. Readers get tracefs' trace_pipe (blocking, consuming)
 * and trace files, whose lines carry task-comm-pid, CPU, flags and timestamp: enabling
 * the event starts the kernel's recording of comms, which a bare __trace_array_puts()
 * into an instance does not (the task showed as "<...>"). The text is kwasm's formatter's
 * (format.rs), formatted within the program's fuel, not formatted again here.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/trace.h>
#include <linux/trace_events.h>
#include "kwasm_internal.h"

#define CREATE_TRACE_POINTS
#include "kwasm_trace.h"

/*
 * Each CPU's own, written only inside a program on that CPU: no cache line that every
 * CPU's records would have to take in turn.
 */
struct kwasm_stream_cpu {
	u64 written, lost;
};

struct kwasm_stream {
	struct trace_array *tr;
	struct trace_event_file *file;	/* kwasm:kwasm_record in the instance */
	struct kwasm_stream_cpu __percpu *counts;
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
 * Return: 0, -ENOMEM, -ENODEV when tracefs cannot make the instance, or what enabling
 * the event in it returned.
 */
int kwasm_stream_open(const char *program, struct kwasm_stream **out)
{
	size_t len = strlen("kwasm-") + strlen(program) + 1;
	struct kwasm_stream *st;
	int ret;

	st = kzalloc(struct_size(st, name, len), GFP_KERNEL_ACCOUNT);
	if (!st)
		return -ENOMEM;
	snprintf(st->name, len, "kwasm-%s", program);
	st->counts = alloc_percpu_gfp(struct kwasm_stream_cpu, GFP_KERNEL_ACCOUNT);
	if (!st->counts) {
		kfree(st);
		return -ENOMEM;
	}
	/* The instance gets the event directories of kwasm's system only. */
	st->tr = trace_array_get_by_name(st->name, "kwasm");
	if (!st->tr) {
		free_percpu(st->counts);
		kfree(st);
		return -ENODEV;
	}
	ret = trace_array_set_clr_event(st->tr, "kwasm", "kwasm_record", true);
	if (ret)
		goto fail;
	st->file = trace_get_event_file(st->name, "kwasm", "kwasm_record");
	if (IS_ERR(st->file)) {
		ret = PTR_ERR(st->file);
		goto fail;
	}
	*out = st;
	return 0;
fail:
	trace_array_put(st->tr);
	trace_array_destroy(st->tr);
	free_percpu(st->counts);
	kfree(st);
	return ret;
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
	trace_put_event_file(st->file);
	trace_array_put(st->tr);
	ret = trace_array_destroy(st->tr);
	if (ret)
		pr_warn("%s: instances/%s is open (%d): it stays until rmdir removes it\n",
			st->name + strlen("kwasm-"), st->name, ret);
	free_percpu(st->counts);
	kfree(st);
}

/**
 * kwasm_stream_write() - write one record, from any context, inside a program (this CPU
 * marked busy, so no other write on this CPU can interrupt it)
 * @st: the stream
 * @ip: the address the record is shown at (tracefs prints its symbol), or 0
 * @msg: the record (1 to KWASM_STREAM_RECORD_MAX bytes; one line: a last newline is
 *       dropped, as tracefs ends each event's line)
 * @len: its length
 *
 * Return: 0, or -ENOBUFS when the ring buffer refused it (full with overwrite off,
 * tracing off in the instance, or written from inside the ring buffer) or the event is
 * disabled in the instance: counted as lost.
 */
int kwasm_stream_write(struct kwasm_stream *st, unsigned long ip, const u8 *msg, u32 len)
{
	struct trace_event_data_offsets_kwasm_record offsets;
	struct trace_event_raw_kwasm_record *entry;
	struct trace_event_buffer fbuffer;
	char *text;
	int size;

	if (len && msg[len - 1] == '\n')
		len--;
	/* What the event's generated probe does, into this instance's file alone. */
	if (!(READ_ONCE(st->file->flags) & EVENT_FILE_FL_ENABLED) ||
	    trace_trigger_soft_disabled(st->file))
		goto lost;
	size = trace_event_get_offsets_kwasm_record(&offsets, ip, (const char *)msg, len);
	entry = trace_event_buffer_reserve(&fbuffer, st->file, sizeof(*entry) + size);
	if (!entry)
		goto lost;
	entry->ip = ip;
	entry->__data_loc_msg = offsets.msg;
	text = (char *)entry + (offsets.msg & 0xffff);
	memcpy(text, msg, len);
	text[len] = '\0';
	trace_event_buffer_commit(&fbuffer);
	this_cpu_inc(st->counts->written);
	return 0;
lost:
	this_cpu_inc(st->counts->lost);
	return -ENOBUFS;
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
	int cpu;

	*written = 0;
	*lost = 0;
	for_each_possible_cpu(cpu) {
		const struct kwasm_stream_cpu *c = per_cpu_ptr(st->counts, cpu);

		*written += READ_ONCE(c->written);
		*lost += READ_ONCE(c->lost);
	}
}
