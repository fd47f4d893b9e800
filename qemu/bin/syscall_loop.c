// SPDX-License-Identifier: GPL-2.0
/*
 * Bench helper: makes one syscall N times (argv[1]) and prints nanoseconds per call:
 * getpgid(0), or with "access PATH" access(PATH, F_OK), a syscall with a user string.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	long i, n = argc > 1 ? atol(argv[1]) : 100000;
	const char *path = argc > 3 && !strcmp(argv[2], "access") ? argv[3] : NULL;
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		if (path)
			syscall(SYS_access, path, F_OK);
		else
			syscall(SYS_getpgid, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
