// SPDX-License-Identifier: GPL-2.0
/*
 * mkdir_mode PATH MODE: one mkdir(2) with exactly MODE (octal), which busybox's
 * `mkdir -m` does not promise (it may mkdir with 0777 and chmod after).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: mkdir_mode PATH MODE\n");
		return 2;
	}
	if (mkdir(argv[1], strtol(argv[2], NULL, 8))) {
		perror("mkdir");
		return 1;
	}
	return 0;
}
