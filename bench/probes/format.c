// SPDX-License-Identifier: GPL-2.0
/*
 * Bench: one record's formatting, "pid=%d comm=%s path=%s ret=%lld", by the host's
 * formatter (format) against the same text built in Wasm with the SDK's kwasm_puts and
 * kwasm_puti, and the whole streamed record (stream_printf).
 */
#include <kwasm.h>

static char comm[16] = "mkdir";
static char path[64] = "/tmp/some/directory/made/by/the/bench";
static char out[128];

KWASM_PRE(host_format)
{
	kwasm_snprintf(out, sizeof(out), "pid=%d comm=%s path=%s ret=%lld", 4242, comm, path,
		       -17LL);
}

KWASM_PRE(wasm_format)
{
	struct kwasm_buf b = kwasm_buf_start(out, sizeof(out));

	kwasm_puts(&b, "pid=");
	kwasm_puti(&b, 4242);
	kwasm_puts(&b, " comm=");
	kwasm_puts(&b, comm);
	kwasm_puts(&b, " path=");
	kwasm_puts(&b, path);
	kwasm_puts(&b, " ret=");
	kwasm_puti(&b, -17LL);
}

KWASM_PRE(stream_record)
{
	kwasm_printf("pid=%d comm=%s path=%s ret=%lld", 4242, comm, path, -17LL);
}

KWASM_REPORT
{
	return out;
}
