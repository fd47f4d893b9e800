// SPDX-License-Identifier: GPL-2.0
/* wasm3-style with a comm filter: counts vfork calls made by the program "vforker" only. */

#define EXPORT(name) __attribute__((export_name(name)))

char comm[] = "vforker";
static char out[32];
static unsigned long long count;

EXPORT("kprobe:__x64_sys_vfork:pre") void on_vfork(void)
{
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
