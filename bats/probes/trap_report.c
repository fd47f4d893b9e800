// SPDX-License-Identifier: GPL-2.0
/* A report that returns a pointer past the end of memory: EIO, status names the trap. */
#include <kwasm.h>

KWASM_REPORT
{
	return (const char *)0x7ffffff0;
}
