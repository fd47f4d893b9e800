// SPDX-License-Identifier: GPL-2.0
/* wasm3-style with a parameter kwasm cannot fill: a load error that names the export. */

#define EXPORT(name) __attribute__((export_name(name)))

EXPORT("kprobe:__x64_sys_mkdir:pre") void on_mkdir(float pathname)
{
	(void)pathname;
}
