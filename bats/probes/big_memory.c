// SPDX-License-Identifier: GPL-2.0
/* Linear memory of 3 pages (16 KiB stack + 128 KiB of data): over max_memory_pages=2. */
#include <kwasm.h>

static char big[128 * 1024];

KWASM_REPORT
{
	big[0] = 'x';
	big[1] = 0;
	return big;
}
