// SPDX-License-Identifier: GPL-2.0
/*
 * Counts mkdir results by errno with a post handler reading ret(), and checks that
 * arg(0) in the post handler is the value the pre handler saw at entry.
 */
#include <kwasm.h>

static u64 ok, eexist, enoent, other, args_match, args_differ;
static s64 entry_arg0;

KWASM_PRE(__x64_sys_mkdir)
{
	entry_arg0 = kwasm_arg(0);
}

KWASM_POST(__x64_sys_mkdir)
{
	s64 r = kwasm_ret();

	if (r == 0)
		ok++;
	else if (r == -17)
		eexist++;
	else if (r == -2)
		enoent++;
	else
		other++;
	if (kwasm_arg(0) == entry_arg0)
		args_match++;
	else
		args_differ++;
}

KWASM_REPORT
{
	KWASM_BUF(out, 200);

	kwasm_puts(&out, "ok=");
	kwasm_putu(&out, ok);
	kwasm_puts(&out, " EEXIST=");
	kwasm_putu(&out, eexist);
	kwasm_puts(&out, " ENOENT=");
	kwasm_putu(&out, enoent);
	kwasm_puts(&out, " other=");
	kwasm_putu(&out, other);
	kwasm_puts(&out, " entry_args_match=");
	kwasm_putu(&out, args_match);
	kwasm_puts(&out, " differ=");
	kwasm_putu(&out, args_differ);
	return out.p;
}
