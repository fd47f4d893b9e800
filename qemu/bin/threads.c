// SPDX-License-Identifier: GPL-2.0
/*
 * Test helper for task identity: a process of N threads (argv[1], the main one
 * included), all alive at once, each calling getpgid() M times (argv[2]). Prints the
 * process id, then each thread's id, main thread first, one per line.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

static long calls;

static void *work(void *tid)
{
	long i;

	*(long *)tid = syscall(SYS_gettid);
	for (i = 0; i < calls; i++)
		syscall(SYS_getpgid, 0);
	return NULL;
}

int main(int argc, char **argv)
{
	int i, n = argc > 1 ? atoi(argv[1]) : 2;
	long tids[64];
	pthread_t t[64];

	calls = argc > 2 ? atol(argv[2]) : 1;
	if (n < 1 || n > 64)
		return 2;
	for (i = 1; i < n; i++)
		if (pthread_create(&t[i], NULL, work, &tids[i]))
			return 1;
	work(&tids[0]);
	for (i = 1; i < n; i++)
		if (pthread_join(t[i], NULL))
			return 1;
	printf("%d\n", getpid());
	for (i = 0; i < n; i++)
		printf("%ld\n", tids[i]);
	return 0;
}
