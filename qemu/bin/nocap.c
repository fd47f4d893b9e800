// SPDX-License-Identifier: GPL-2.0
/*
 * nocap COMMAND [ARG...]: runs COMMAND as root without CAP_SYS_ADMIN, so the test suite
 * can reach kwasm's capable() checks (a non-root user is already stopped by the modes).
 * Drops the capability from the bounding set, so that exec does not give it back to
 * root, and from this process's sets.
 */
#include <linux/capability.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct __user_cap_header_struct head = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: nocap COMMAND [ARG...]\n");
		return 2;
	}
	if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) ||
	    syscall(SYS_capget, &head, data)) {
		perror("nocap");
		return 1;
	}
	for (i = 0; i < 2; i++) {
		unsigned int bit = CAP_SYS_ADMIN - 32 * i;

		if (bit < 32) {
			data[i].effective &= ~(1U << bit);
			data[i].permitted &= ~(1U << bit);
			data[i].inheritable &= ~(1U << bit);
		}
	}
	if (syscall(SYS_capset, &head, data)) {
		perror("nocap");
		return 1;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
