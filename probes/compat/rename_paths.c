// SPDX-License-Identifier: GPL-2.0
/*
 * wasm3-style: both string parameters of rename(2), copied by kwasm one after the other
 * into `buffer`; reports "OLD -> NEW" and whether NEW followed OLD's NUL in the buffer.
 */

#define EXPORT(name) __attribute__((export_name(name)))

char buffer[256];
unsigned int buffer_size = sizeof(buffer);
static char last[600];

static int append(int at, const char *s)
{
	while (*s && at < 590)
		last[at++] = *s++;
	return at;
}

EXPORT("kprobe:__x64_sys_rename:pre") void on_rename(const char *oldname, const char *newname)
{
	const char *p = oldname;
	int at;

	while (*p)
		p++;
	at = append(0, oldname);
	at = append(at, " -> ");
	at = append(at, newname);
	at = append(at, p + 1 == newname && oldname == buffer ? " (packed)" : " (apart)");
	last[at] = 0;
}

EXPORT("report") const char *report(void)
{
	return last;
}
