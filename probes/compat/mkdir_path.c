// SPDX-License-Identifier: GPL-2.0
/* wasm3-style: reports the path of the last mkdir, copied by kwasm into `buffer`. */

#define EXPORT(name) __attribute__((export_name(name)))

char buffer[256];
unsigned int buffer_size = sizeof(buffer);
static char last[256];

EXPORT("kprobe:__x64_sys_mkdir:pre") void on_mkdir(const char *pathname, unsigned short mode)
{
	int i;

	(void)mode;
	for (i = 0; i < 255 && pathname[i]; i++)
		last[i] = pathname[i];
	last[i] = 0;
}

EXPORT("report") const char *report(void)
{
	return last;
}
