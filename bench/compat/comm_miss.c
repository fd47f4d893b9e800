// SPDX-License-Identifier: GPL-2.0
/* Bench: a wasm3-style counter restricted to a task that never runs, so every hit is a
 * comm-filter miss: the cost of a hit for another task. */

#define EXPORT(name) __attribute__((export_name(name)))

char comm[] = "no-such-task";
static unsigned long long count;

EXPORT("kprobe:__x64_sys_getpgid:pre") void on_getpgid(void)
{
	count++;
}
