// SPDX-License-Identifier: GPL-2.0
/*
 * readbytes: bytes read through vfs_read() by process, top 10, from a post handler
 * adding up the return value: "PID COMM BYTES".
 */
#include <kwasm.h>

static struct kwasm_table bytes;

KWASM_POST(vfs_read, s64 ret)
{
	int i;

	if (ret <= 0)
		return;
	i = kwasm_table_slot(&bytes, kwasm_pid());
	if (i < 0) {
		bytes.dropped += ret;
		return;
	}
	if (!bytes.names[i][0])
		kwasm_comm(bytes.names[i], 16);
	bytes.counts[i] += ret;
}

KWASM_REPORT
{
	KWASM_BUF(out, 1024);
	int i, r;

	kwasm_puts(&out, "PID     COMM            BYTES\n");
	for (r = 0; r < 10 && (i = kwasm_table_rank(&bytes, r)) >= 0; r++) {
		u32 start = out.len;

		kwasm_putu(&out, bytes.keys[i]);
		kwasm_pad(&out, start, 8);
		start = out.len;
		kwasm_puts(&out, bytes.names[i]);
		kwasm_pad(&out, start, 16);
		kwasm_putu(&out, bytes.counts[i]);
		kwasm_putc(&out, '\n');
	}
	return out.p;
}
