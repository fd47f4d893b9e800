// SPDX-License-Identifier: GPL-2.0
/*
 * sched:sched_process_exec(p, old_pid, bprm) for programs named kwasm_exec: counts them,
 * and how often old_pid was the thread's id (always: the suite's execs are single-threaded)
 * and bprm->buf, read through the pointer argument, held an ELF header: for a script,
 * exec has read its interpreter's (/bin/sh) first bytes there by the time it fires.
 */
#include <kwasm.h>

static u64 execs, pid_matches, elf;

/* "\177ELF" as a little-endian word. */
#define ELF_MAGIC	0x464c457fu

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
	char comm[16];
	u64 field;
	int off;

	/* The new program's name: the tracepoint fires once exec has set it. */
	if (kwasm_comm(comm, sizeof(comm)) != 10 || !ends_with(comm, 10, "kwasm_exec"))
		return;
	execs++;
	if (old_pid == kwasm_tid())
		pid_matches++;
	/* bprm's layout varies with the configuration: look for bprm->buf. */
	for (off = 0; off < 128 * 8; off += 8) {
		if (kwasm_read_kernel(bprm + off, &field, 8))
			break;
		if ((u32)field == ELF_MAGIC) {
			elf++;
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
	kwasm_puts(&out, " elf=");
	kwasm_putu(&out, elf);
	kwasm_putc(&out, '\n');
	return out.p;
}
