// SPDX-License-Identifier: GPL-2.0

//! The types and constants of the engine's C ABI, defined once.
//!
//! The C header `src/kwasm_engine.h` is generated from this file and the functions of
//! `ffi.rs` by cbindgen at build time (`engine/cbindgen.toml`), and the module's Rust
//! includes this file as it is (`src/engine.rs`): the three sides cannot disagree. Keep
//! it free of anything but `core`, so that both crate graphs can build it.

use core::ffi::{c_char, c_void};

/// The opaque per-call context the kernel side gets back in every callback.
pub type Ctx = *mut c_void;

/// Most parameters a `pre` handler may declare (the register arguments on x86_64).
pub const MAX_PARAMS: usize = 6;

/// Most return addresses one `kstack` call copies (perf's `PERF_MAX_STACK_DEPTH`).
pub const KSTACK_MAX_FRAMES: u32 = 127;

/// `HostOps::read` kinds: kernel memory.
pub const READ_KERNEL: u32 = 0;
/// Reads user memory.
pub const READ_USER: u32 = 1;
/// Reads a NUL-terminated kernel string.
pub const READ_KERNEL_STR: u32 = 2;
/// Reads a NUL-terminated user string.
pub const READ_USER_STR: u32 = 3;

/// `HostOps::task` questions: the current thread id.
pub const TASK_PID: u32 = 0;
/// The current thread group id.
pub const TASK_TGID: u32 = 1;
/// The current CPU.
pub const TASK_CPU: u32 = 2;

/// Bytes of a map descriptor, the argument of `map_declare` (probe-abi.rst, "Maps").
pub const MAP_DECL_BYTES: u32 = 80;
/// Map kinds, as a descriptor gives them: bpftrace's `count()`.
pub const MAP_COUNT: u32 = 1;
/// `sum()`.
pub const MAP_SUM: u32 = 2;
/// `min()`.
pub const MAP_MIN: u32 = 3;
/// `max()`.
pub const MAP_MAX: u32 = 4;
/// `avg()`.
pub const MAP_AVG: u32 = 5;
/// `stats()`.
pub const MAP_STATS: u32 = 6;
/// `hist()`: a log2 histogram.
pub const MAP_HIST: u32 = 7;
/// `lhist(min, max, step)`: a linear histogram.
pub const MAP_LHIST: u32 = 8;
/// Key part types: no part.
pub const MAP_KEY_NONE: u32 = 0;
/// An unsigned 64-bit integer.
pub const MAP_KEY_U64: u32 = 1;
/// A signed 64-bit integer.
pub const MAP_KEY_I64: u32 = 2;
/// A string of at most the descriptor's `str_len` bytes.
pub const MAP_KEY_STR: u32 = 3;

/// Trap codes, as calls return them: out of fuel.
pub const TRAP_FUEL: u32 = 1;
/// A load or store, or a pointer given to the host, outside linear memory.
pub const TRAP_MEMORY: u32 = 2;
/// Too deep a recursion, or too large a stack.
pub const TRAP_STACK: u32 = 3;
/// `unreachable` was executed.
pub const TRAP_UNREACHABLE: u32 = 4;
/// Integer division by zero, overflow, or a float that does not convert.
pub const TRAP_INTEGER: u32 = 5;
/// A host function was called wrongly (bad argument, or not available here).
pub const TRAP_HOST: u32 = 6;
/// Anything else (tables, indirect calls, growth limits, out of memory).
pub const TRAP_OTHER: u32 = 7;

/// The engine's runtime, which the kernel side implements (`src/rt.c`) and the engine's
/// staticlib declares (`engine/kernel/lib.rs`); both are checked against these types at
/// build time. `kwasm_rt_alloc`: memory of at least `size` bytes aligned to `align`, or
/// null.
pub type RtAlloc = unsafe extern "C" fn(size: usize, align: usize) -> *mut c_void;
/// `kwasm_rt_free`: frees what `kwasm_rt_alloc` returned, with the size and alignment it
/// was allocated with.
pub type RtFree = unsafe extern "C" fn(ptr: *mut c_void, size: usize, align: usize);
/// `kwasm_rt_panic`: reports an engine bug (`len` bytes of `msg`); does not return.
pub type RtPanic = unsafe extern "C" fn(msg: *const c_char, len: usize) -> !;

/// Limits on one program; the kernel side fills them from module parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Limits {
    /// Largest Wasm module accepted, in bytes.
    pub max_code_bytes: u64,
    /// Largest linear memory, in 64 KiB pages (initial size and growth).
    pub max_memory_pages: u32,
    /// Largest table, in elements.
    pub max_table_elements: u32,
    /// Most attach points (`kprobe:` exports) in one program.
    pub max_attach_points: u32,
    /// The value stack of a call, in bytes; allocated once at load.
    pub stack_bytes: u32,
    /// Deepest Wasm call nesting.
    pub max_call_depth: u32,
    /// Fuel for the `start` function at load.
    pub start_fuel: u64,
    /// Bytes of all of a program's maps, every CPU's table counted.
    pub max_map_bytes: u64,
    /// Most maps in one program.
    pub max_maps: u32,
    /// Most entries (keys) in one CPU's table of a map.
    pub max_map_entries: u32,
    /// Possible CPUs: each map has a table per CPU, indexed by the CPU's number. Set by
    /// the kernel side (`nr_cpu_ids`), not a module parameter.
    pub cpus: u32,
}

impl Limits {
    /// The defaults; the module's parameters replace some of them.
    pub const DEFAULT: Self = DEFAULT_LIMITS;
}

/// [`Limits::DEFAULT`], as cbindgen cannot leave out an associated constant.
const DEFAULT_LIMITS: Limits = Limits {
    max_code_bytes: 1 << 20,
    max_memory_pages: 16,
    max_table_elements: 1024,
    max_attach_points: 128,
    stack_bytes: 64 << 10,
    max_call_depth: 256,
    start_fuel: 1_000_000,
    max_map_bytes: 16 << 20,
    max_maps: 32,
    max_map_entries: 10240,
    cpus: 1,
};

/// The callbacks that answer host functions. Each runs in the context of the call
/// (atomic in a probe handler) and must not sleep.
#[repr(C)]
pub struct HostOps {
    /// Stores the probed function's `n`-th argument (at entry) in `*value`; 0 or -errno.
    pub arg: unsafe extern "C" fn(ctx: Ctx, n: u32, value: *mut u64) -> i32,
    /// Stores the probed function's return value in `*value`; 0 or -errno.
    pub ret: unsafe extern "C" fn(ctx: Ctx, value: *mut u64) -> i32,
    /// Stores the user's `n`-th syscall argument in `*value`; 0, or -errno when the probe
    /// is not on a syscall entry point.
    pub syscall_arg: unsafe extern "C" fn(ctx: Ctx, n: u32, value: *mut u64) -> i32,
    /// Copies `len` bytes (or a string of at most `len` bytes with its NUL) from `src`
    /// without faulting: 0 (string: its length) or -errno. `dst` is checked.
    pub read: unsafe extern "C" fn(ctx: Ctx, kind: u32, dst: *mut u8, src: u64, len: u32) -> i32,
    /// Monotonic nanoseconds, safe in any context.
    pub ktime_ns: unsafe extern "C" fn(ctx: Ctx) -> u64,
    /// The current pid, tgid or CPU.
    pub task: unsafe extern "C" fn(ctx: Ctx, what: u32) -> i32,
    /// Copies the current task's name (NUL-terminated, cut to `len`); returns its length.
    pub comm: unsafe extern "C" fn(ctx: Ctx, dst: *mut u8, len: u32) -> i32,
    /// Logs `len` bytes (rate-limited); `msg` is checked.
    pub print: unsafe extern "C" fn(ctx: Ctx, msg: *const u8, len: u32),
    /// Writes the kernel symbol of `addr` into `dst` (at most `len` bytes, no NUL), with
    /// `+offset/size` if `offset` is non-zero, or the address in hex if it is in no
    /// symbol; returns the length written. Safe in any context.
    pub symbol:
        unsafe extern "C" fn(ctx: Ctx, addr: u64, offset: u32, dst: *mut u8, len: u32) -> i32,
    /// Writes a record of `len` (1 to [`STREAM_RECORD_MAX`]) bytes to the program's trace
    /// stream without blocking: 0, or -errno when it was lost (counted). `msg` is checked.
    pub stream: unsafe extern "C" fn(ctx: Ctx, msg: *const u8, len: u32) -> i32,
    /// Stores the address of the function the hit is in (its symbol's start: a kprobe's
    /// function, or the one of a wildcard's functions that fired) in `*value`; 0, or
    /// -errno when the attach point is on no function (a tracepoint).
    pub func_ip: unsafe extern "C" fn(ctx: Ctx, value: *mut u64) -> i32,
    /// Copies the current hit's kernel stack, innermost first, at most `max` addresses
    /// ([`KSTACK_MAX_FRAMES`] at most), each as 8 little-endian bytes at any alignment;
    /// returns how many. `dst` is checked for `8 * max` bytes.
    pub kstack: unsafe extern "C" fn(ctx: Ctx, dst: *mut u8, max: u32) -> i32,
    /// Stores in `*value` the [`HostOps::ktime_ns`] time at which the function whose
    /// return this hit is was entered; 0, or -errno for a hit that is not a return.
    pub entry_ns: unsafe extern "C" fn(ctx: Ctx, value: *mut u64) -> i32,
}

/// The longest record of the trace stream, and the most `format` writes in one call.
pub const STREAM_RECORD_MAX: u32 = 512;

/// One attach point, as C sees it.
#[repr(C)]
pub struct AttachInfo {
    /// What it attaches to (a kernel symbol), NUL-terminated, owned by the program.
    pub symbol: *const c_char,
    /// The export's name, NUL-terminated, owned by the program.
    pub name: *const c_char,
    /// Its attach kind's name (`kretprobe`), NUL-terminated, static: the key of the
    /// attachment layer's table of kinds.
    pub kind: *const c_char,
    /// How many parameters the handler declares.
    pub nparams: u32,
}

/// A trap, as C sees it.
#[repr(C)]
pub struct TrapInfo {
    /// The trap code ([`TRAP_FUEL`], ...).
    pub kind: u32,
    /// A static, NUL-terminated sentence.
    pub message: *const c_char,
}
