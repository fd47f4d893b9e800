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
 * Post handlers only: kwasm_ktime_ns() when the probed function was entered, by this
 * call, so kwasm_ktime_ns() - kwasm_entry_ns() is how long it ran (in any mode, across
 * sleeps and CPU migrations).
 */
KWASM_IMPORT(entry_ns) s64 kwasm_entry_ns(void);
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
/* In a kprobe or wildcard handler: the address of the function the hit is in (for a
 * wildcard, the one of its functions that fired), as /proc/kallsyms lists it; name it
 * with kwasm_ksym(). Traps in a tracepoint handler. */
KWASM_IMPORT(func_ip) u64 kwasm_func_ip(void);

/*
 * Formatting in the kernel (probe-abi.rst, "Formatting"): printf's %d %i %u %x %X %o %c
 * %s %%, with flags, width, precision and the hh h l ll z lengths (l and ll: 64 bits),
 * %p/%px (an address in hex) and %pS/%ps (the kernel symbol of an address, with and
 * without +offset/size). Arguments are 64-bit words, at most 12; a %s argument is a
 * string in this probe's memory. A refused format (%n, an unknown conversion, more or
 * fewer arguments than conversions) traps. The macros below pack the arguments.
 *
 * kwasm_format() writes at most min(dst_len, 512) bytes, NUL included, and returns the
 * length before the NUL; kwasm_stream_printf() and kwasm_stream() write one record (at
 * most 512 bytes) to the program's trace stream, instances/kwasm-NAME in tracefs:
 * 0, or a negative errno when the record was lost (stats counts it). Streams are for
 * handlers only.
 */
KWASM_IMPORT(format) s32 kwasm_format(const char *fmt, s32 fmt_len, const u64 *args, s32 nargs,
				      char *dst, s32 dst_len);
KWASM_IMPORT(stream) s32 kwasm_stream(const char *msg, s32 len);
KWASM_IMPORT(stream_printf) s32 kwasm_stream_printf(const char *fmt, s32 fmt_len, const u64 *args,
						    s32 nargs);

/* __KWASM_ARGS(a, b, ...) is "(u64)(a), (u64)(b), ...": up to 12, or it does not build. */
#define __KWASM_N(...) __KWASM_N_(_, ##__VA_ARGS__, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define __KWASM_N_(_, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, n, ...) n
#define __KWASM_CAT(a, b) __KWASM_CAT_(a, b)
#define __KWASM_CAT_(a, b) a##b
#define __KWASM_ARGS(...) __KWASM_CAT(__KWASM_A, __KWASM_N(__VA_ARGS__))(__VA_ARGS__)
#define __KWASM_A0()
#define __KWASM_A1(a) (u64)(a)
#define __KWASM_A2(a, ...) (u64)(a), __KWASM_A1(__VA_ARGS__)
#define __KWASM_A3(a, ...) (u64)(a), __KWASM_A2(__VA_ARGS__)
#define __KWASM_A4(a, ...) (u64)(a), __KWASM_A3(__VA_ARGS__)
#define __KWASM_A5(a, ...) (u64)(a), __KWASM_A4(__VA_ARGS__)
#define __KWASM_A6(a, ...) (u64)(a), __KWASM_A5(__VA_ARGS__)
#define __KWASM_A7(a, ...) (u64)(a), __KWASM_A6(__VA_ARGS__)
#define __KWASM_A8(a, ...) (u64)(a), __KWASM_A7(__VA_ARGS__)
#define __KWASM_A9(a, ...) (u64)(a), __KWASM_A8(__VA_ARGS__)
#define __KWASM_A10(a, ...) (u64)(a), __KWASM_A9(__VA_ARGS__)
#define __KWASM_A11(a, ...) (u64)(a), __KWASM_A10(__VA_ARGS__)
#define __KWASM_A12(a, ...) (u64)(a), __KWASM_A11(__VA_ARGS__)

/* kwasm_printf("open %s by %d\n", path, pid): one record to the trace stream. */
#define kwasm_printf(fmt, ...)                                                        \
	({                                                                            \
		const u64 __kwasm_a[] = { __KWASM_ARGS(__VA_ARGS__) };                \
		kwasm_stream_printf(fmt, __builtin_strlen(fmt), __kwasm_a,            \
				    sizeof(__kwasm_a) / sizeof(u64));                 \
	})

/* kwasm_snprintf(dst, size, fmt, ...): like snprintf, but returns the length written. */
#define kwasm_snprintf(dst, size, fmt, ...)                                           \
	({                                                                            \
		const u64 __kwasm_a[] = { __KWASM_ARGS(__VA_ARGS__) };                \
		kwasm_format(fmt, __builtin_strlen(fmt), __kwasm_a,                   \
			     sizeof(__kwasm_a) / sizeof(u64), dst, size);             \
	})

#define KWASM_EXPORT(name) __attribute__((export_name(name), used))

/* KWASM_PRE(sym) { ... } runs on entry of kernel function sym; it may declare up to six
 * int/long long parameters: KWASM_PRE(sym, long long path, int mode) { ... }. */
#define KWASM_PRE(sym, ...) \
	KWASM_EXPORT("kprobe:" #sym ":pre") void kwasm_pre_##sym(__VA_ARGS__)
/* KWASM_POST(sym) { ... } runs when sym returns; it may take the return value:
 * KWASM_POST(sym, long long ret) { ... }. */
#define KWASM_POST(sym, ...) \
	KWASM_EXPORT("kprobe:" #sym ":post") void kwasm_post_##sym(__VA_ARGS__)
/* KWASM_PRE_WILDCARD(id, "vfs_*") { ... } runs on entry of every function the glob pattern
 * matches when the program is activated (* ? [...]; probe-abi.rst, "Wildcards"), with
 * parameters as KWASM_PRE's; id only names the C function. kwasm_func_ip() says which
 * function fired. There is no :post wildcard. */
#define KWASM_PRE_WILDCARD(id, pattern, ...) \
	KWASM_EXPORT("kprobe:" pattern ":pre") void kwasm_pre_wild_##id(__VA_ARGS__)
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

/* kwasm_bprintf(&out, fmt, ...): appends formatted text to a report buffer (at most 511
 * bytes a call), cut when it is full. */
#define kwasm_bprintf(b, fmt, ...)                                                    \
	({                                                                            \
		struct kwasm_buf *__kwasm_b = (b);                                    \
		s32 __kwasm_n = kwasm_snprintf(__kwasm_b->p + __kwasm_b->len,         \
					       __kwasm_b->cap - __kwasm_b->len, fmt,  \
					       ##__VA_ARGS__);                        \
		__kwasm_b->len += __kwasm_n;                                          \
		__kwasm_n;                                                            \
	})

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

/*
 * Maps (probe-abi.rst, "Maps"): kwasm keeps them, per CPU, with no lock; `cat maps`
 * prints them as bpftrace prints its maps, and `echo 1 > clear` empties them. Declare
 * each at file scope; kwasm declares it at load (a constructor, run by the kwasm:init
 * export below), and handlers update it by name:
 *
 *   KWASM_MAP(calls, KWASM_MAP_COUNT, KWASM_KEY_U64, 1024);   @calls[pid] = count()
 *   KWASM_MAP_STR_U64(sys, KWASM_MAP_COUNT, 16, 1024);        @sys[comm, nr] = count()
 *   KWASM_HIST(usecs);                                        @usecs = hist(v)
 *
 *   kwasm_count(calls, kwasm_pid());
 *   kwasm_update(usecs, 0, v);
 *
 * An update that finds the map full (max_entries keys on this CPU) is dropped and
 * counted in stats.
 *
 * A map without a key of kind count, sum, avg, stats, hist or lhist keeps its value in
 * cells: words of this program's memory that kwasm_update() changes in place, with no
 * call into kwasm, and that kwasm adds up across CPUs when it reads or prints the map
 * (probe-abi.rst, "Cells"). `echo 1 > clear` does not zero them: read them with
 * kwasm_read(), not directly.
 */
#define KWASM_MAP_COUNT	1	/* count() */
#define KWASM_MAP_SUM	2	/* sum(v) */
#define KWASM_MAP_MIN	3	/* min(v) */
#define KWASM_MAP_MAX	4	/* max(v) */
#define KWASM_MAP_AVG	5	/* avg(v) */
#define KWASM_MAP_STATS	6	/* stats(v) */
#define KWASM_MAP_HIST	7	/* hist(v) */
#define KWASM_MAP_LHIST	8	/* lhist(v, min, max, step) */

#define KWASM_KEY_NONE	0
#define KWASM_KEY_U64	1	/* printed unsigned */
#define KWASM_KEY_I64	2	/* printed signed */
#define KWASM_KEY_STR	3	/* up to the map's string length, printed up to its NUL */

/* What kwasm_read() returns: the value as printed (count, sum, min, max, average; a
 * histogram's total count), the number of updates, their total, or bucket i. */
#define KWASM_READ_VALUE	0
#define KWASM_READ_COUNT	1
#define KWASM_READ_TOTAL	2
#define KWASM_READ_BUCKET(i)	(16 + (i))

struct kwasm_map_decl {
	char name[32];		/* printed as @name; letters, digits, '_' */
	u32 kind;		/* KWASM_MAP_* */
	u8 key[2];		/* KWASM_KEY_* of the key's first and second part */
	unsigned short str_len;	/* bytes of a string part */
	u32 max_entries;	/* keys per CPU */
	u64 *cells;		/* the value's words in this memory, or NULL: kwasm keeps it */
	s64 lhist_min, lhist_max, lhist_step;
	u64 reserved2;
};
_Static_assert(sizeof(struct kwasm_map_decl) == 80, "the descriptor of probe-abi.rst");
_Static_assert(__builtin_offsetof(struct kwasm_map_decl, cells) == 44,
	       "the descriptor of probe-abi.rst");

KWASM_IMPORT(map_declare) s32 kwasm_map_declare(const struct kwasm_map_decl *d, s32 len);
KWASM_IMPORT(map_update) void kwasm_map_update(s32 id, s64 key, s64 value);
KWASM_IMPORT(map_update_key) void kwasm_map_update_key(s32 id, const void *key, s32 len,
							s64 value);
KWASM_IMPORT(map_read) s64 kwasm_map_read(s32 id, s64 key, s32 what);
KWASM_IMPORT(map_read_key) s64 kwasm_map_read_key(s32 id, const void *key, s32 len, s32 what);

/* Runs the constructors, i.e. declares the maps, once at load. */
extern void __wasm_call_ctors(void);
__attribute__((weak, export_name("kwasm:init"))) void kwasm_init(void)
{
	__wasm_call_ctors();
}

/*
 * The words of a map's cells (probe-abi.rst, "Cells"), or 0 for a map kwasm keeps: one
 * with a key, a min or max, or an lhist whose range kwasm will refuse (it says why).
 */
#define KWASM_CELLS(kind, k0, lo, hi, step) \
	((k0) != KWASM_KEY_NONE ? 0 : \
	 (kind) == KWASM_MAP_COUNT ? 1 : \
	 (kind) == KWASM_MAP_SUM || (kind) == KWASM_MAP_AVG || (kind) == KWASM_MAP_STATS ? 2 : \
	 (kind) == KWASM_MAP_HIST ? 65 : \
	 (kind) == KWASM_MAP_LHIST && (step) > 0 && (hi) > (lo) && \
		((s64)(hi) - (s64)(lo)) / (s64)(step) <= 1000 ? \
		((s64)(hi) - (s64)(lo)) / (s64)(step) + 2 : 0)

/* bpftrace's log2 bucket, as kwasm numbers it: < 0, 0, then [2^k, 2^(k+1)) */
static inline u32 kwasm_hist_bucket(s64 v)
{
	return v < 0 ? 0 : v == 0 ? 1 : 2 + 63 - __builtin_clzll((u64)v);
}

/* bpftrace's linear bucket: below lo, [lo + k*step, lo + (k+1)*step), above hi */
static inline u32 kwasm_lhist_bucket(s64 v, s64 lo, s64 hi, s64 step)
{
	u64 last = (u64)(hi - lo) / (u64)step + 1, b;

	if (v < lo)
		return 0;
	if (v > hi)
		return last;
	b = 1 + ((u64)v - (u64)lo) / (u64)step;
	return b < last ? b : last;
}

/* One update: in the map's cells when it has them, else by kwasm (folded at -O2). */
static inline __attribute__((always_inline)) void
kwasm_map_apply(s32 id, u64 *cells, u32 kind, const s64 *lhist, s64 key, s64 value)
{
	if (!cells) {
		kwasm_map_update(id, key, value);
		return;
	}
	switch (kind) {
	case KWASM_MAP_COUNT:
		cells[0]++;
		break;
	case KWASM_MAP_SUM:
		cells[0] += value;
		cells[1]++;
		break;
	case KWASM_MAP_AVG:
	case KWASM_MAP_STATS:
		cells[0]++;
		cells[1] += value;
		break;
	case KWASM_MAP_HIST:
		cells[kwasm_hist_bucket(value)]++;
		break;
	case KWASM_MAP_LHIST:
		cells[kwasm_lhist_bucket(value, lhist[0], lhist[1], lhist[2])]++;
		break;
	}
}

#define KWASM_MAP_DECLARE(name_, kind_, k0, k1, slen, max, lo, hi, step) \
	static s32 kwasm_map_##name_ = -1; \
	enum { kwasm_ncells_##name_ = KWASM_CELLS(kind_, k0, lo, hi, step) }; \
	static u64 kwasm_cellbuf_##name_[kwasm_ncells_##name_ ? kwasm_ncells_##name_ : 1] \
		__attribute__((aligned(8), unused)); \
	static u64 *const kwasm_cells_##name_ __attribute__((unused)) = \
		kwasm_ncells_##name_ ? kwasm_cellbuf_##name_ : 0; \
	static const u32 kwasm_kind_##name_ __attribute__((unused)) = kind_; \
	static const s64 kwasm_lhist_##name_[3] __attribute__((unused)) = { lo, hi, step }; \
	__attribute__((constructor)) static void kwasm_declare_##name_(void) \
	{ \
		static const struct kwasm_map_decl d = { \
			#name_, kind_, { k0, k1 }, slen, max, \
			kwasm_ncells_##name_ ? kwasm_cellbuf_##name_ : 0, lo, hi, step, 0 \
		}; \
		kwasm_map_##name_ = kwasm_map_declare(&d, sizeof(d)); \
	}

/* A map with no key (KWASM_KEY_NONE) or an integer key (KWASM_KEY_U64, KWASM_KEY_I64). */
#define KWASM_MAP(name, kind, key, max) \
	KWASM_MAP_DECLARE(name, kind, key, KWASM_KEY_NONE, 0, max, 0, 0, 0)
/* Keyed by a string of slen bytes (a comm: 16), then by an integer. */
#define KWASM_MAP_STR(name, kind, slen, max) \
	KWASM_MAP_DECLARE(name, kind, KWASM_KEY_STR, KWASM_KEY_NONE, slen, max, 0, 0, 0)
#define KWASM_MAP_STR_U64(name, kind, slen, max) \
	KWASM_MAP_DECLARE(name, kind, KWASM_KEY_STR, KWASM_KEY_U64, slen, max, 0, 0, 0)
/* One value, no key: KWASM_COUNT(n) is bpftrace's @n = count(). */
#define KWASM_COUNT(name) KWASM_MAP(name, KWASM_MAP_COUNT, KWASM_KEY_NONE, 1)
#define KWASM_HIST(name) KWASM_MAP(name, KWASM_MAP_HIST, KWASM_KEY_NONE, 1)
/* lhist(v, lo, hi, step), keyed by key (KWASM_KEY_NONE for none) up to max keys. */
#define KWASM_LHIST(name, key, max, lo, hi, step) \
	KWASM_MAP_DECLARE(name, KWASM_MAP_LHIST, key, KWASM_KEY_NONE, 0, max, lo, hi, step)

/* Updates with an integer key (any for a map without one); count() ignores value. */
#define kwasm_update(name, key, value) \
	kwasm_map_apply(kwasm_map_##name, kwasm_cells_##name, kwasm_kind_##name, \
			kwasm_lhist_##name, (key), (value))
#define kwasm_count(name, key) kwasm_update(name, key, 0)
/* Updates with a key in memory laid out as declared (see struct kwasm_key_str_u64). */
#define kwasm_update_key(name, keyp, value) \
	kwasm_map_update_key(kwasm_map_##name, (keyp), sizeof(*(keyp)), (value))
#define kwasm_count_key(name, keyp) kwasm_update_key(name, keyp, 0)
/* Merged across CPUs: a report's custom format. */
#define kwasm_read(name, key, what) kwasm_map_read(kwasm_map_##name, (key), (what))
#define kwasm_read_key(name, keyp, what) \
	kwasm_map_read_key(kwasm_map_##name, (keyp), sizeof(*(keyp)), (what))

/* The key of a KWASM_MAP_STR_U64 map with slen 16: a comm and a number. */
struct kwasm_key_str_u64 {
	char str[16];
	u64 n;
};

#endif /* KWASM_H */
