// SPDX-License-Identifier: GPL-2.0
/*
 * Probes a function that its own handlers make the kernel call: the mkdir handler reads
 * kernel memory through copy_from_kernel_nofault, which is probed too. The nested hit
 * must be skipped and counted as missed, never deadlock.
 */
#include <kwasm.h>

static u64 mkdirs, nested;
static char scratch[16];

KWASM_PRE(__x64_sys_mkdir)
{
	mkdirs++;
	kwasm_read_kernel(kwasm_arg(0), scratch, 8);
}

KWASM_PRE(copy_from_kernel_nofault)
{
	nested++;
}

KWASM_REPORT
{
	KWASM_BUF(out, 64);

	kwasm_puts(&out, "mkdirs=");
	kwasm_putu(&out, mkdirs);
	return out.p;
}
