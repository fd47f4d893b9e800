// SPDX-License-Identifier: GPL-2.0
/* A probe in the wasm3 module's style: plain C, --export-all, a handler taking the
 * syscall's own parameters. Counts mkdir calls. */

#define EXPORT(name) __attribute__((export_name(name)))

char buffer[256];
unsigned int buffer_size = sizeof(buffer);
static char out[32];
static unsigned long long count;

EXPORT("kprobe:__x64_sys_mkdir:pre") void on_mkdir(const char *pathname, unsigned short mode)
{
	(void)pathname;
	(void)mode;
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
