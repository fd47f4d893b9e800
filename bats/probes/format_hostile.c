// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile formats, one per handler call: the n-th mkdir (counted in the report) tries the
 * n-th. Each must trap with its own message, reading nothing outside the sandbox.
 */
#include <kwasm.h>

static u32 n;

KWASM_PRE(__x64_sys_mkdir)
{
	static const u64 args[13];
	char out[16];

	switch (n++) {
	case 0:
		kwasm_printf("%n", out);
		break;
	case 1:
		kwasm_printf("%d %d", 1);
		break;
	case 2:
		kwasm_printf("%d", 1, 2);
		break;
	case 3:
		kwasm_stream_printf("%d%d%d%d%d%d%d%d%d%d%d%d%d", 26, args, 13);
		break;
	case 4:
		/* Far outside the 1-page memory. */
		kwasm_printf("%s", 0x7fff0000);
		break;
	case 5:
		kwasm_printf("%f", 1);
		break;
	case 6:
		kwasm_stream_printf("%d", 2, (const u64 *)0x7ffffff0, 1);
		break;
	case 7:
		kwasm_snprintf((char *)0x7ffffff0, 64, "x");
		break;
	}
}
