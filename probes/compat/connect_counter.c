// SPDX-License-Identifier: GPL-2.0
/*
 * The wasm3 module's connect_counter, unchanged in style: counts the connect() calls of
 * the program "toyproxy" only (the comm global), with the syscall's first parameter.
 */

#define EXPORT(name) __attribute__((export_name(name)))

char comm[] = "toyproxy";
static char out[32];
static unsigned long long count;

EXPORT("kprobe:__x64_sys_connect:pre") void on_connect(int sockfd)
{
	(void)sockfd;
	count++;
}

EXPORT("report") const char *report(void)
{
	char tmp[24];
	int n = 0, i = 0;
	unsigned long long v = count;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		out[i++] = tmp[--n];
	out[i] = 0;
	return out;
}
