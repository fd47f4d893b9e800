/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kwasm probe SDK for C: the host functions of Documentation/probe-abi.rst and macros that
 * turn a function into a handler export. Build a probe from the top of kwasm's tree with
 * these flags, the ones scripts/build-probes.sh uses and writing-probes.rst shows (make
 * check compares the three). The 16 KiB stack, a quarter of wasm-ld's default, keeps a
 * small probe's memory to one 64 KiB page:
 *
 *   clang --target=wasm32 -O2 -nostdlib -mbulk-memory -ffreestanding \
 *         -I probes/include -Wl,--no-entry -Wl,-z,stack-size=16384 \
 *         -o probe.wasm probe.c
 *
 * A handler runs in the probed function's context (atomic): keep it short; every call
 * has a fuel budget, and running out is a trap that counts in stats.
 */
#ifndef KWASM_H
#define KWASM_H

typedef unsigned char u8;
typedef unsigned int u32;
typedef int s32;
typedef unsigned long long u64;
typedef long long s64;

#define KWASM_IMPORT(name) __attribute__((import_module("kwasm"), import_name(#name)))

/* The probed function's n-th argument (in a post handler: its value at entry). */
KWASM_IMPORT(arg) s64 kwasm_arg(s32 n);
/* The probed function's return value (post handlers only). */
KWASM_IMPORT(ret) s64 kwasm_ret(void);
/* For syscall entry points (__x64_sys_*): the user's n-th syscall argument. */
KWASM_IMPORT(syscall_arg) s64 kwasm_syscall_arg(s32 n);
/* Copies without faulting: 0 or -EFAULT. */
KWASM_IMPORT(read_kernel) s32 kwasm_read_kernel(s64 src, void *dst, s32 len);
KWASM_IMPORT(read_user) s32 kwasm_read_user(s64 src, void *dst, s32 len);
/* NUL-terminated copies, cut to len - 1 bytes: the length, or a negative errno. */
KWASM_IMPORT(read_kernel_str) s32 kwasm_read_kernel_str(s64 src, char *dst, s32 len);
KWASM_IMPORT(read_user_str) s32 kwasm_read_user_str(s64 src, char *dst, s32 len);
/* Monotonic nanoseconds. */
KWASM_IMPORT(ktime_ns) s64 kwasm_ktime_ns(void);
/*
 * The current task, named as bpftrace names it: kwasm_pid() is the process id (what
 * getpid() returns, the kernel's tgid), the same in every thread of a process;
 * kwasm_tid() is the thread id (gettid(), the kernel's pid). A filter on a process
 * wants kwasm_pid(); per-thread state, like an entry time for the return, kwasm_tid().
 * Until 2026-12, kwasm_pid() returned the thread id.
 */
KWASM_IMPORT(tgid) s32 kwasm_pid(void);
KWASM_IMPORT(pid) s32 kwasm_tid(void);
/* The process id under the kernel's name: kwasm_pid(). */
static inline s32 kwasm_tgid(void)
{
	return kwasm_pid();
}
/* The current CPU. */
KWASM_IMPORT(cpu) s32 kwasm_cpu(void);
/* The current task's name, NUL-terminated; returns its length. */
KWASM_IMPORT(comm) s32 kwasm_comm(char *dst, s32 len);
/* A rate-limited line in dmesg: "kwasm: PROGRAM: message". */
KWASM_IMPORT(print) void kwasm_print(const char *msg, s32 len);
/* In a handler: the hit's kernel stack, innermost first, at most max (127) addresses;
 * returns how many. */
KWASM_IMPORT(kstack) s32 kwasm_kstack(u64 *dst, s32 max);
/* The name of the kernel symbol holding addr ("vfs_read", "fn [module]", or the address
 * in hex), NUL-terminated, cut to len; returns its length. */
KWASM_IMPORT(ksym) s32 kwasm_ksym(u64 addr, char *dst, s32 len);

#define KWASM_EXPORT(name) __attribute__((export_name(name), used))

/* KWASM_PRE(sym) { ... } runs on entry of kernel function sym; it may declare up to six
 * int/long long parameters: KWASM_PRE(sym, long long path, int mode) { ... }. */
#define KWASM_PRE(sym, ...) \
	KWASM_EXPORT("kprobe:" #sym ":pre") void kwasm_pre_##sym(__VA_ARGS__)
/* KWASM_POST(sym) { ... } runs when sym returns; it may take the return value:
 * KWASM_POST(sym, long long ret) { ... }. */
#define KWASM_POST(sym, ...) \
	KWASM_EXPORT("kprobe:" #sym ":post") void kwasm_post_##sym(__VA_ARGS__)
/* KWASM_TRACEPOINT(group, event) { ... } runs on trace event group:event (tracefs's
 * events/group/event); it may declare up to six int/long long parameters, the tracepoint's
 * TP_PROTO arguments in order (int for arguments narrower than 64 bits):
 * KWASM_TRACEPOINT(sched, sched_switch, int preempt, long long prev, long long next) { ... } */
#define KWASM_TRACEPOINT(group, event, ...) \
	KWASM_EXPORT("tracepoint:" #group ":" #event) \
	void kwasm_tp_##group##__##event(__VA_ARGS__)
/* KWASM_REPORT { ...; return str; } is what `cat report` shows. */
#define KWASM_REPORT KWASM_EXPORT("report") const char *kwasm_report(void)

/* Formatting into a buffer, for reports. */
struct kwasm_buf {
	char *p;
	u32 len, cap;
};

/* A buffer over mem, empty: its first byte is cleared, so a report that writes nothing
 * shows nothing rather than what the previous report left there. */
static inline struct kwasm_buf kwasm_buf_start(char *mem, u32 size)
{
	struct kwasm_buf b = { mem, 0, size };

	mem[0] = 0;
	return b;
}

/* KWASM_BUF(out, size) declares `struct kwasm_buf out` over a static array of size bytes,
 * empty each time the declaration runs (once per report). */
#define KWASM_BUF(name, size) \
	static char name##_mem[size]; \
	struct kwasm_buf name = kwasm_buf_start(name##_mem, size)

static inline void kwasm_putc(struct kwasm_buf *b, char c)
{
	if (b->len + 1 < b->cap)
		b->p[b->len++] = c;
	b->p[b->len] = 0;
}

static inline void kwasm_puts(struct kwasm_buf *b, const char *s)
{
	while (*s)
		kwasm_putc(b, *s++);
}

static inline void kwasm_putu(struct kwasm_buf *b, u64 v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		kwasm_putc(b, tmp[--n]);
}

static inline void kwasm_puti(struct kwasm_buf *b, s64 v)
{
	if (v < 0) {
		kwasm_putc(b, '-');
		kwasm_putu(b, -(u64)v);
	} else {
		kwasm_putu(b, v);
	}
}

static inline void kwasm_buf_reset(struct kwasm_buf *b)
{
	b->len = 0;
	b->p[0] = 0;
}

static inline void kwasm_pad(struct kwasm_buf *b, u32 from, u32 width)
{
	while (b->len < from + width && b->len + 1 < b->cap)
		kwasm_putc(b, ' ');
}

/* The length of a NUL-terminated string. */
static inline u32 kwasm_strlen(const char *s)
{
	u32 n = 0;

	while (s[n])
		n++;
	return n;
}

/* A log2 histogram: slot 0 counts 0, slot k counts [2^(k-1), 2^k). */
struct kwasm_hist {
	u64 slots[65];
};

static inline void kwasm_hist_add(struct kwasm_hist *h, u64 v)
{
	h->slots[v ? 64 - __builtin_clzll(v) : 0]++;
}

/* 1, 2, ..., 512, 1K, ..., 512K, 1M, ... as bpftrace writes bucket bounds. */
static inline void kwasm_put_pow2(struct kwasm_buf *b, int k)
{
	static const char suffix[] = " KMGTPE";
	int unit = k / 10;

	kwasm_putu(b, 1ULL << (k - unit * 10));
	if (unit)
		kwasm_putc(b, suffix[unit]);
}

/* Renders like bpftrace's hist(): "[lo, hi)   count |@@@@   |", 52 columns of bars. */
static inline void kwasm_hist_render(struct kwasm_buf *b, const struct kwasm_hist *h)
{
	int first = -1, last = -1, k, i;
	u64 max = 0;

	for (k = 0; k < 65; k++) {
		if (!h->slots[k])
			continue;
		if (first < 0)
			first = k;
		last = k;
		if (h->slots[k] > max)
			max = h->slots[k];
	}
	for (k = first; k >= 0 && k <= last; k++) {
		u32 start = b->len, bars = max ? h->slots[k] * 52 / max : 0;

		if (k == 0) {
			kwasm_puts(b, "[0]");
		} else if (k == 1) {
			kwasm_puts(b, "[1]");
		} else {
			kwasm_putc(b, '[');
			kwasm_put_pow2(b, k - 1);
			kwasm_puts(b, ", ");
			kwasm_put_pow2(b, k);
			kwasm_putc(b, ')');
		}
		kwasm_pad(b, start, 20);
		start = b->len;
		kwasm_putu(b, h->slots[k]);
		kwasm_pad(b, start, 8);
		kwasm_puts(b, "|");
		for (i = 0; i < 52; i++)
			kwasm_putc(b, i < (int)bars ? '@' : ' ');
		kwasm_puts(b, "|\n");
	}
}

/* A small table of counters keyed by a number, each with a name (e.g. pid and comm). */
#define KWASM_TABLE_SIZE 64

struct kwasm_table {
	u64 keys[KWASM_TABLE_SIZE];
	u64 counts[KWASM_TABLE_SIZE];
	char names[KWASM_TABLE_SIZE][16];
	u32 used;
	u64 dropped;	/* increments that found the table full */
};

/* The slot of key, added (with name from fill) if new; -1 when the table is full. */
static inline int kwasm_table_slot(struct kwasm_table *t, u64 key)
{
	u32 i;

	for (i = 0; i < t->used; i++)
		if (t->keys[i] == key)
			return i;
	if (t->used == KWASM_TABLE_SIZE)
		return -1;
	t->keys[t->used] = key;
	t->counts[t->used] = 0;
	t->names[t->used][0] = 0;
	return t->used++;
}

static inline void kwasm_table_add(struct kwasm_table *t, u64 key, u64 n)
{
	int i = kwasm_table_slot(t, key);

	if (i < 0)
		t->dropped += n;
	else
		t->counts[i] += n;
}

/* The index of the i-th largest count (0: largest), or -1. */
static inline int kwasm_table_rank(const struct kwasm_table *t, u32 rank)
{
	u8 taken[KWASM_TABLE_SIZE] = { 0 };
	int best = -1;
	u32 r, i;

	for (r = 0; r <= rank; r++) {
		best = -1;
		for (i = 0; i < t->used; i++)
			if (!taken[i] && (best < 0 || t->counts[i] > t->counts[best]))
				best = i;
		if (best < 0)
			return -1;
		taken[best] = 1;
	}
	return best;
}

#endif /* KWASM_H */
