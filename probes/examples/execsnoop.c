// SPDX-License-Identifier: GPL-2.0
/*
 * execsnoop: every execve, as it happens, on the trace stream:
 * "exec pid=PID ppid=PPID comm=COMM path=PATH", COMM being the name of the task that
 * calls execve (the new program's name comes with its first event).
 */
#include <kwasm.h>

KWASM_PRE(__x64_sys_execve, s64 filename)
{
	char comm[16], path[256];

	kwasm_comm(comm, sizeof(comm));
	if (kwasm_read_user_str(filename, path, sizeof(path)) < 0)
		path[0] = 0;
	kwasm_printf("exec pid=%d comm=%s path=%s", kwasm_pid(), comm, path);
}
