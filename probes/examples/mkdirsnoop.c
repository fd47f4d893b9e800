// SPDX-License-Identifier: GPL-2.0
/*
 * mkdirsnoop: every mkdir, as it happens, on the trace stream:
 * "mkdir pid=PID comm=COMM path=PATH". Read it with
 * cat /sys/kernel/tracing/instances/kwasm-NAME/trace_pipe. The report counts them.
 */
#include <kwasm.h>

static u64 total;

KWASM_PRE(__x64_sys_mkdir, s64 pathname)
{
	char comm[16], path[128];

	kwasm_comm(comm, sizeof(comm));
	if (kwasm_read_user_str(pathname, path, sizeof(path)) < 0)
		path[0] = 0;
	kwasm_printf("mkdir pid=%d comm=%s path=%s", kwasm_pid(), comm, path);
	total++;
}

KWASM_REPORT
{
	KWASM_BUF(out, 64);

	kwasm_bprintf(&out, "%llu mkdirs\n", total);
	return out.p;
}
