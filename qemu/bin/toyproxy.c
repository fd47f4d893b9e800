// SPDX-License-Identifier: GPL-2.0
/*
 * Test helper for connect_counter (the comm filter on connect()): N connect() calls and
 * nothing else that connects. "toyproxy N tcp PORT" connects to 127.0.0.1:PORT, "toyproxy
 * N unix PATH" to a UNIX stream socket; a refused connect is a connect all the same.
 * Prints how many succeeded.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int i, n, tcp, ok = 0;

	if (argc != 4 || (strcmp(argv[2], "tcp") && strcmp(argv[2], "unix"))) {
		fprintf(stderr, "usage: toyproxy N tcp PORT | toyproxy N unix PATH\n");
		return 2;
	}
	n = atoi(argv[1]);
	tcp = !strcmp(argv[2], "tcp");
	in.sin_port = htons(atoi(argv[3]));
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	strncpy(un.sun_path, argv[3], sizeof(un.sun_path) - 1);
	for (i = 0; i < n; i++) {
		int fd = socket(tcp ? AF_INET : AF_UNIX, SOCK_STREAM, 0);

		if (fd < 0) {
			perror("socket");
			return 1;
		}
		if (tcp ? !connect(fd, (struct sockaddr *)&in, sizeof(in)) :
			  !connect(fd, (struct sockaddr *)&un, sizeof(un)))
			ok++;
		close(fd);
	}
	printf("%d\n", ok);
	return 0;
}
