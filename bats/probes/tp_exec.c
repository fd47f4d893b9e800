// SPDX-License-Identifier: GPL-2.0
/*
 * sched:sched_process_exec(p, old_pid, bprm) for programs named kwasm_exec: counts them,
 * and how often old_pid was the thread's id (always: the suite's execs are single-threaded)
 * and bprm->filename (read through the pointer argument) ended in "/kwasm_exec".
 */
#include <kwasm.h>

static u64 execs, pid_matches, name_matches;

static int ends_with(const char *s, int len, const char *tail)
{
	int n = kwasm_strlen(tail), i;

	if (len < n)
		return 0;
	for (i = 0; i < n; i++)
		if (s[len - n + i] != tail[i])
			return 0;
	return 1;
}

KWASM_TRACEPOINT(sched, sched_process_exec, long long p, int old_pid, long long bprm)
{
	char comm[16], name[64];
	u64 field;
	int off;

	/* The new program's name: the tracepoint fires once exec has set it. */
	if (kwasm_comm(comm, sizeof(comm)) != 10 || !ends_with(comm, 10, "kwasm_exec"))
		return;
	execs++;
	if (old_pid == kwasm_tid())
		pid_matches++;
	/*
	 * bprm's layout varies with the configuration: look in its first 64 words for a
	 * pointer to a kernel string ending in "/kwasm_exec", as bprm->filename is.
	 */
	for (off = 0; off < 64 * 8; off += 8) {
		int len;

		if (kwasm_read_kernel(bprm + off, &field, 8))
			break;
		if (field < 0xffff800000000000ull)
			continue;
		len = kwasm_read_kernel_str(field, name, sizeof(name));
		if (len > 0 && ends_with(name, len, "/kwasm_exec")) {
			name_matches++;
			break;
		}
	}
}

KWASM_REPORT
{
	KWASM_BUF(out, 96);

	kwasm_puts(&out, "execs=");
	kwasm_putu(&out, execs);
	kwasm_puts(&out, " old_pid_is_tid=");
	kwasm_putu(&out, pid_matches);
	kwasm_puts(&out, " filename=");
	kwasm_putu(&out, name_matches);
	kwasm_putc(&out, '\n');
	return out.p;
}
