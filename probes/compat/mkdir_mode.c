// SPDX-License-Identifier: GPL-2.0
/* wasm3-style: records the mode of the last mkdir (mkdir -m 777 gives 511). */

#define EXPORT(name) __attribute__((export_name(name)))

char buffer[256];
unsigned int buffer_size = sizeof(buffer);
static char out[16];
static unsigned int last_mode;

EXPORT("kprobe:__x64_sys_mkdir:pre") void on_mkdir(const char *pathname, unsigned short mode)
{
	(void)pathname;
	last_mode = mode;
}

EXPORT("report") const char *report(void)
{
	char tmp[12];
	int n = 0, i = 0;
	unsigned int v = last_mode;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		out[i++] = tmp[--n];
	out[i] = 0;
	return out;
}
