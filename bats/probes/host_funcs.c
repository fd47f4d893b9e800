// SPDX-License-Identifier: GPL-2.0
/*
 * Host functions and handler parameters in the kernel beyond syscall entry points:
 * parameters of internal functions (filename_create, vfs_mkdir), a post handler taking
 * an int, the kernel and user reads with their -EFAULT returns, cpu() and print().
 */
#include <kwasm.h>

static s64 dfd = 1, kstr_len = -1, user_len = -1, mode = -1, ret = 1, cpu = -1;
static s64 fault_kernel = 1, fault_user = 1, dir_is_kernel;
static char kstr[64], ustr[64], scratch[8];

/* filename_create(int dfd, struct filename *name, ...): name->name is at offset 0. */
KWASM_PRE(filename_create, int fd, long long name)
{
	long long str = 0;

	dfd = fd;
	if (!kwasm_read_kernel(name, &str, 8))
		kstr_len = kwasm_read_kernel_str(str, kstr, sizeof(kstr));
	fault_kernel = kwasm_read_kernel(0, scratch, 8);
}

/* vfs_mkdir(idmap, dir, dentry, umode_t mode, ...) */
KWASM_PRE(vfs_mkdir, long long idmap, long long dir, long long dentry, int m)
{
	mode = m;
	dir_is_kernel = dir < 0;	/* the kernel half of x86-64 addresses */
	cpu = kwasm_cpu();
	kwasm_print("vfs_mkdir seen", 14);
}

KWASM_PRE(__x64_sys_mkdir)
{
	user_len = kwasm_read_user_str(kwasm_syscall_arg(0), ustr, sizeof(ustr));
	fault_user = kwasm_read_user(16, scratch, 8);
}

KWASM_POST(__x64_sys_mkdir, int r)
{
	ret = r;
}

static void field(struct kwasm_buf *b, const char *name, s64 v)
{
	kwasm_puts(b, name);
	kwasm_puti(b, v);
}

KWASM_REPORT
{
	KWASM_BUF(out, 512);

	field(&out, "dfd=", dfd);
	kwasm_puts(&out, " kstr=");
	kwasm_puts(&out, kstr);
	field(&out, " kstr_len=", kstr_len);
	kwasm_puts(&out, " ustr=");
	kwasm_puts(&out, ustr);
	field(&out, " user_len=", user_len);
	field(&out, " mode=", mode);
	field(&out, " dir_is_kernel=", dir_is_kernel);
	field(&out, " cpu=", cpu);
	field(&out, " fault_kernel=", fault_kernel);
	field(&out, " fault_user=", fault_user);
	field(&out, " ret=", ret);
	return out.p;
}
