/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kwasm's trace event: kwasm:kwasm_record, one record of a program's trace stream
 * (stream.c), written only into that program's tracefs instance. Nothing calls
 * trace_kwasm_record(): stream.c reserves and commits the event in the instance's own
 * event file, so that one program's records never reach another's instance. Being an
 * event is what gives a record the task's name (enabling an event starts the kernel's
 * recording of comms), a format file, filters and triggers.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kwasm

#if !defined(_KWASM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _KWASM_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(kwasm_record,

	TP_PROTO(unsigned long ip, const char *msg, u32 len),

	TP_ARGS(ip, msg, len),

	TP_STRUCT__entry(
		__field(unsigned long, ip)
		__string_len(msg, msg, len)
	),

	TP_fast_assign(
		__entry->ip = ip;
		__assign_str(msg);
	),

	TP_printk("%ps: %s", (void *)__entry->ip, __get_str(msg))
);

#endif /* _KWASM_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE kwasm_trace
#include <trace/define_trace.h>
