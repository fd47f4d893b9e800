// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel stacks of the first vfs_mkdir call: at entry (a kprobe) and at its return
 * (a kretprobe), reported as symbol names, one stack a line; a last line shows ksym()
 * cutting a name to 4 bytes and kstack() with room for 1000 giving at most 127.
 */
#include <kwasm.h>

#define FRAMES 24

static u64 pre[FRAMES], post[FRAMES], big[1000];
static s32 npre, npost, nbig = -1;

KWASM_PRE(vfs_mkdir)
{
	if (!npre)
		npre = kwasm_kstack(pre, FRAMES);
}

KWASM_POST(vfs_mkdir)
{
	if (!npost)
		npost = kwasm_kstack(post, FRAMES);
	if (nbig < 0)
		nbig = kwasm_kstack(big, 1000);
}

static void put_stack(struct kwasm_buf *b, const char *what, const u64 *s, s32 n)
{
	char name[128];
	s32 i;

	kwasm_puts(b, what);
	for (i = 0; i < n; i++) {
		kwasm_ksym(s[i], name, sizeof(name));
		kwasm_putc(b, ' ');
		kwasm_puts(b, name);
	}
	kwasm_putc(b, '\n');
}

KWASM_REPORT
{
	KWASM_BUF(out, 8192);
	char cut[4];
	s32 len;

	put_stack(&out, "pre:", pre, npre);
	put_stack(&out, "post:", post, npost);
	len = kwasm_ksym(pre[0], cut, sizeof(cut));
	kwasm_puts(&out, "cut=");
	kwasm_putu(&out, len);
	kwasm_putc(&out, ' ');
	kwasm_puts(&out, cut);
	kwasm_puts(&out, " big=");
	kwasm_puti(&out, nbig);
	kwasm_putc(&out, '\n');
	return out.p;
}
