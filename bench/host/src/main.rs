// SPDX-License-Identifier: GPL-2.0

//! The engine alone on the host, through its C ABI, against native Rust (the floor),
//! wasm3 and WAMR's fast interpreter: the same handler workloads, measured side by side
//! in one run (`cd bench/host && cargo run --release`).
//!
//! Every round runs every engine once on every workload (a batch of calls, about
//! [`BATCH_NS`] long), rotating which engine goes first; each cell of the table is the
//! median of [`ROUNDS`] rounds, so drift in the machine's speed hits all engines alike.
//! kwasm is built with the kernel build's profile (opt-level 2, LTO, one codegen unit)
//! and its wasmi features (portable dispatch), both taken from the root workspace.

use std::ffi::{c_char, c_void, CStr};
use std::hint::black_box;
use std::ptr::{null, null_mut};
use std::time::Instant;

use kwasm_engine::{HostOps, Limits};

/// Rounds; each cell is their median.
const ROUNDS: usize = 31;
/// The aimed-at length of one batch, in nanoseconds.
const BATCH_NS: f64 = 20e6;
/// The fuel kwasm gives every call (what the kernel module runs handlers with).
const FUEL: u64 = 100_000;
/// The value stack of every engine: kwasm's default (`Limits::stack_bytes`), so that
/// no engine allocates more than another at load.
const STACK_BYTES: u32 = 64 << 10;
/// The size of the buffer `report` copies into: the kernel module's.
const REPORT_BUF: usize = 4096;
/// How many bytes the `report` workload formats.
const REPORT_LEN: usize = 1024;
/// What the load row's module aims at, in bytes.
const BIG_MODULE_BYTES: usize = 64 << 10;

// The engine's C ABI (src/kwasm_engine.h), the very functions the kernel module calls:
// the benchmark pays what the module pays, the C calling convention included.
use kwasm_engine::capi::{
    kwasm_engine_attach_count, kwasm_engine_attach_point, kwasm_engine_call, kwasm_engine_free,
    kwasm_engine_load, kwasm_engine_report, AttachInfo, TrapInfo,
};
use kwasm_engine::Program;

// The host callbacks. Only `ktime_ns` and `task` (the CPU of a map update) are reached by
// the workloads; the others make the table complete.

unsafe extern "C" fn arg(_: *mut c_void, n: u32, v: *mut u64) -> i32 {
    // SAFETY: The engine passes a valid `v`.
    unsafe { *v = u64::from(n) + 1000 };
    0
}
unsafe extern "C" fn ret(_: *mut c_void, v: *mut u64) -> i32 {
    // SAFETY: As above.
    unsafe { *v = 0 };
    0
}
unsafe extern "C" fn read(_: *mut c_void, _: u32, _: *mut u8, _: u64, _: u32) -> i32 {
    0
}
unsafe extern "C" fn ktime_cb(_: *mut c_void) -> u64 {
    ktime()
}
/// `task`: CPU 0 (the only one of the default limits' maps), pid and tgid 1.
unsafe extern "C" fn task(_: *mut c_void, what: u32) -> i32 {
    i32::from(what != kwasm_engine::TASK_CPU)
}
unsafe extern "C" fn comm(_: *mut c_void, _: *mut u8, _: u32) -> i32 {
    0
}
unsafe extern "C" fn print(_: *mut c_void, _: *const u8, _: u32) {}
unsafe extern "C" fn kstack(_: *mut c_void, _: *mut u8, _: u32) -> i32 {
    0
}
unsafe extern "C" fn func_ip(_: *mut c_void, value: *mut u64) -> i32 {
    // SAFETY: The engine passes a valid `value`.
    unsafe { *value = 0xffff_ffff_8100_0000 };
    0
}

/// `symbol`: every address is in one symbol.
unsafe extern "C" fn symbol(_: *mut c_void, _: u64, offset: u32, dst: *mut u8, len: u32) -> i32 {
    let name: &[u8] = if offset != 0 { b"sym+0x0/0x10" } else { b"sym" };
    let n = name.len().min(len as usize);
    // SAFETY: The engine passes a buffer writable for `len` bytes.
    unsafe { std::ptr::copy_nonoverlapping(name.as_ptr(), dst, n) };
    n as i32
}
unsafe extern "C" fn stream(_: *mut c_void, _: *const u8, _: u32) -> i32 {
    0
}

/// The engine keeps a pointer to its host table for the program's life: a static.
static OPS: HostOps = HostOps {
    arg,
    ret,
    syscall_arg: arg,
    read,
    ktime_ns: ktime_cb,
    task,
    comm,
    print,
    symbol,
    stream,
    kstack,
    entry_ns: ret,
    func_ip,
};

/// The one clock every engine's `kwasm.ktime_ns` reads, and native code too.
fn ktime() -> u64 {
    std::time::UNIX_EPOCH
        .elapsed()
        .map_or(0, |d| d.as_nanos() as u64)
}

// ---------------------------------------------------------------------------------------
// The workloads.
// ---------------------------------------------------------------------------------------

/// The handler workloads. The `(global $n` line is where the load
/// row's module adds its functions.
const WAT: &str = r#"(module
    (import "kwasm" "ktime_ns" (func $ktime (result i64)))
    (memory (export "memory") 1)
    (global $n (mut i64) (i64.const 0))
    (func (export "kprobe:empty:pre"))
    (func (export "kprobe:counter:pre") (global.set $n (i64.add (global.get $n) (i64.const 1))))
    (func (export "tracepoint:raw_syscalls:sys_enter") (param $regs i64) (param $id i64)
        (if (i64.eq (local.get $id) (i64.const 121))
            (then (global.set $n (i64.add (global.get $n) (i64.const 1))))))
    (func (export "kprobe:hist:pre") (local $b i32)
        (local.set $b (i32.sub (i32.const 64) (i32.wrap_i64 (i64.clz (call $ktime)))))
        (i64.store (i32.shl (local.get $b) (i32.const 3))
            (i64.add (i64.load (i32.shl (local.get $b) (i32.const 3))) (i64.const 1))))
    (func (export "kprobe:loop:pre") (local $i i32) (local $acc i64)
        (loop $l
            (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))
        (global.set $n (local.get $acc)))
    (func (export "report") (result i32) (local $i i32)
        (loop $l
            (i32.store8 (i32.add (i32.const 1024) (local.get $i))
                (i32.add (i32.const 97) (i32.rem_u (local.get $i) (i32.const 26))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const 1024))))
        (i32.store8 (i32.const 2048) (i32.const 0))
        (i32.const 1024)))"#;

/// kwasm's map workloads (no other engine has kernel-side maps): bpftrace's
/// `@hits = count()` (no key: its cells at 1024, updated in place) and `@calls[key] =
/// count()` on one u64 key (a host call), declared by `start` with 80-byte descriptors
/// (probe-abi.rst, "Maps", "Cells") as the C SDK declares them.
const MAP_WAT: &str = r#"(module
    (import "kwasm" "map_declare" (func $declare (param i32 i32) (result i32)))
    (import "kwasm" "map_update" (func $update (param i32 i64 i64)))
    (memory (export "memory") 1)
    (data (i32.const 0) "hits")
    (data (i32.const 32) "\01\00\00\00\00\00\00\00\01\00\00\00\00\04\00\00")
    (data (i32.const 80) "calls")
    (data (i32.const 112) "\01\00\00\00\01\00\00\00\00\04\00\00")
    (global $hits (mut i32) (i32.const 0))
    (global $calls (mut i32) (i32.const 0))
    (func $declare_maps
        (global.set $hits (call $declare (i32.const 0) (i32.const 80)))
        (global.set $calls (call $declare (i32.const 80) (i32.const 80))))
    (start $declare_maps)
    (func (export "kprobe:map_count:pre")
        (i64.store (i32.const 1024) (i64.add (i64.load (i32.const 1024)) (i64.const 1))))
    (func (export "kprobe:map_count_key:pre")
        (call $update (global.get $calls) (i64.const 4242) (i64.const 0))))"#;

/// One small function of the load row's module, different for each `k` so that no
/// engine can share work between them: a loop, memory traffic, a call and branches,
/// about 100 bytes of code.
fn filler_func(k: usize) -> String {
    let prev = if k == 0 {
        String::from("(local.get $b)")
    } else {
        format!("(call $f{} (local.get $a) (local.get $b))", k - 1)
    };
    format!(
        r#"
    (func $f{k} (param $a i32) (param $b i64) (result i64) (local $i i32) (local $acc i64)
        (local.set $acc (i64.xor (local.get $b) (i64.const {c1})))
        (loop $l
            (local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const {c2}))
                (i64.extend_i32_u (local.get $i))))
            (i64.store (i32.and (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 3)))
                (i32.const 0xff8)) (local.get $acc))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const {n}))))
        (block $done
            (br_if $done (i32.ne (local.get $a) (i32.const {c3})))
            (local.set $acc (i64.rotl (local.get $acc) {prev})))
        (if (result i64) (i64.eqz (i64.and (local.get $acc) (i64.const 1)))
            (then (i64.load (i32.and (local.get $a) (i32.const 0xff8))))
            (else (i64.sub (local.get $acc) (i64.shr_u (local.get $acc) (i64.const {sh}))))))"#,
        c1 = 0x9e37_79b9_u64.wrapping_mul(k as u64 + 1),
        c2 = 2 * k + 3,
        c3 = 7 * k + 1,
        n = 8 + k % 9,
        sh = 1 + k % 31,
    )
}

/// The handlers plus `n` filler functions, compiled, without custom sections.
fn big_module(n: usize) -> Vec<u8> {
    let funcs: String = (0..n).map(filler_func).collect();
    strip_custom_sections(
        &wat::parse_str(WAT.replacen("(global $n", &format!("{funcs}\n    (global $n"), 1))
            .unwrap(),
    )
}

/// The largest module of filler functions no bigger than [`BIG_MODULE_BYTES`], and how
/// many functions it has: mostly code, as a real program of that size is, not one big
/// data segment (which every engine just copies).
fn sized_big_module() -> (Vec<u8>, usize) {
    let (mut lo, mut hi) = (0, 4096);
    while lo + 1 < hi {
        let mid = (lo + hi) / 2;
        if big_module(mid).len() <= BIG_MODULE_BYTES {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (big_module(lo), lo)
}

/// A module's sections: id, payload size, and the section's bytes (header included).
fn sections(module: &[u8]) -> Vec<(u8, usize, std::ops::Range<usize>)> {
    let leb = |pos: &mut usize| {
        let (mut value, mut shift) = (0usize, 0);
        loop {
            let byte = module[*pos];
            *pos += 1;
            value |= usize::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return value;
            }
            shift += 7;
        }
    };
    let mut out = Vec::new();
    let mut pos = 8; // Magic and version.
    while pos < module.len() {
        let start = pos;
        let id = module[pos];
        pos += 1;
        let size = leb(&mut pos);
        pos += size;
        out.push((id, size, start..pos));
    }
    out
}

/// The module without its custom sections: the `name` section that `wat` writes for
/// every `$identifier` would otherwise be a quarter of the load row's module.
fn strip_custom_sections(module: &[u8]) -> Vec<u8> {
    let mut out = module[..8].to_vec();
    for (_, _, range) in sections(module).into_iter().filter(|(id, _, _)| *id != 0) {
        out.extend_from_slice(&module[range]);
    }
    out
}

/// The size of a module's code section (id 10), to show that the load row loads code.
fn code_section_bytes(module: &[u8]) -> usize {
    sections(module)
        .iter()
        .find(|(id, _, _)| *id == 10)
        .map_or(0, |(_, size, _)| *size)
}

/// The rows of the table.
#[derive(Clone, Copy)]
enum Workload {
    Empty,
    Counter,
    Hist,
    Loop,
    Report,
    Load,
    /// kwasm only: a map `count()`, no key.
    MapCount,
    /// kwasm only: a map `count()` on a u64 key.
    MapCountKey,
}

const WORKLOADS: [Workload; 8] = [
    Workload::Empty,
    Workload::Counter,
    Workload::MapCount,
    Workload::MapCountKey,
    Workload::Hist,
    Workload::Loop,
    Workload::Report,
    Workload::Load,
];

impl Workload {
    fn name(self, big: &[u8]) -> String {
        match self {
            Workload::Empty => "empty handler".into(),
            Workload::Counter => "counter".into(),
            Workload::Hist => "ktime + log2 bucket".into(),
            Workload::Loop => "1000-iteration loop".into(),
            Workload::Report => "report, 1 KiB string".into(),
            Workload::Load => format!("load module, {} B", big.len()),
            Workload::MapCount => "map count()".into(),
            Workload::MapCountKey => "map count(), u64 key".into(),
        }
    }
}

/// The exported handlers, in the order of [`Workload`].
const HANDLERS: [&str; 4] = [
    "kprobe:empty:pre",
    "kprobe:counter:pre",
    "kprobe:hist:pre",
    "kprobe:loop:pre",
];

/// The string `report` formats: `a..z` repeated.
fn expected_report() -> Vec<u8> {
    (0..REPORT_LEN).map(|i| b'a' + (i % 26) as u8).collect()
}

/// Copies the NUL-terminated string at `ptr` in `memory` into `out`, as kwasm's
/// `report` does: the length copied.
fn copy_report(memory: &[u8], ptr: usize, out: &mut [u8]) -> usize {
    let tail = &memory[ptr..];
    let len = tail
        .iter()
        .position(|&b| b == 0)
        .expect("report's string has a NUL");
    let n = len.min(out.len());
    out[..n].copy_from_slice(&tail[..n]);
    n
}

/// An engine under test: `batch` runs `iters` operations of one workload.
trait Bench {
    fn batch(&mut self, w: Workload, iters: u32);
    /// Calls `report` once and gives the string it copied out.
    fn report_once(&mut self) -> Vec<u8>;
}

// ---------------------------------------------------------------------------------------
// Native Rust: the same work with no engine, the floor.
// ---------------------------------------------------------------------------------------

struct Native {
    n: u64,
    slots: [u64; 65],
    /// Stands for a program's linear memory: `report` formats here, then copies out.
    memory: Vec<u8>,
    out: [u8; REPORT_BUF],
}

impl Native {
    fn report(&mut self) -> usize {
        let mem = black_box(&mut self.memory[..]);
        for (i, b) in mem[1024..1024 + REPORT_LEN].iter_mut().enumerate() {
            *b = b'a' + (i % 26) as u8;
        }
        mem[1024 + REPORT_LEN] = 0;
        copy_report(black_box(&self.memory[..]), 1024, &mut self.out)
    }
}

impl Bench for Native {
    fn batch(&mut self, w: Workload, iters: u32) {
        match w {
            Workload::Empty => (0..iters).for_each(|_| black_box(())),
            Workload::Counter => (0..iters).for_each(|_| self.n = black_box(self.n) + 1),
            Workload::Hist => (0..iters).for_each(|_| {
                let t = ktime();
                let b = black_box((64 - t.leading_zeros()) as usize);
                self.slots[b] += 1;
            }),
            Workload::Loop => (0..iters).for_each(|_| {
                let mut acc = 0u64;
                for i in 0..1000u32 {
                    acc = black_box(acc + u64::from(i));
                }
                self.n = black_box(acc);
            }),
            Workload::Report => (0..iters).for_each(|_| {
                black_box(self.report());
            }),
            Workload::Load | Workload::MapCount | Workload::MapCountKey => {
                unreachable!("no native row for loading or maps")
            }
        }
    }

    fn report_once(&mut self) -> Vec<u8> {
        let n = self.report();
        self.out[..n].to_vec()
    }
}

// ---------------------------------------------------------------------------------------
// kwasm, through its C ABI.
// ---------------------------------------------------------------------------------------

struct Kwasm {
    program: *mut Program,
    /// Attach point index of each handler, in the order of [`HANDLERS`].
    index: [u32; 4],
    /// The map workloads' program ([`MAP_WAT`]) and its two handlers' indexes.
    maps: *mut Program,
    map_index: [u32; 2],
    big: Vec<u8>,
    out: [u8; REPORT_BUF],
}

/// Loads `code` through the C ABI, or panics with the engine's message.
fn kwasm_load(code: &[u8]) -> *mut Program {
    let mut out = null_mut();
    let mut msg = [0 as c_char; 256];
    // SAFETY: Every pointer is valid for the call; `OPS` is static, as the engine needs.
    let ret = unsafe {
        kwasm_engine_load(
            code.as_ptr(),
            code.len(),
            &Limits::default(),
            &OPS,
            null_mut(),
            &mut out,
            msg.as_mut_ptr(),
            msg.len(),
        )
    };
    if ret != 0 {
        // SAFETY: The engine NUL-terminates `msg` within its size.
        panic!("kwasm_engine_load: {ret}: {:?}", unsafe {
            CStr::from_ptr(msg.as_ptr())
        });
    }
    out
}

/// Calls handler `index` of `program` through the C ABI, as the kernel module does.
#[inline(always)]
fn call_handler(program: *mut Program, index: u32) {
    call_handler_with(program, index, &[0; 6]);
}

#[inline(always)]
fn call_handler_with(program: *mut Program, index: u32, params: &[u64; 6]) {
    let mut trap = TrapInfo {
        kind: 0,
        message: null(),
    };
    // SAFETY: A live handle used by this thread only; six parameters; `trap` writable.
    let ret = unsafe {
        kwasm_engine_call(
            program,
            index,
            null_mut(),
            0,
            params.as_ptr(),
            0,
            FUEL,
            &mut trap,
        )
    };
    assert_eq!(ret, 0, "kwasm trapped");
}

/// The attach point index of each of `handlers` (export names) in `program`: attach
/// points are sorted by export name, not declared in order.
fn handler_indexes<const N: usize>(program: *mut Program, handlers: [&str; N]) -> [u32; N] {
    // SAFETY: `program` is live; `info` is writable and its name lives as long as the
    // program.
    let names: Vec<String> = unsafe {
        (0..kwasm_engine_attach_count(program))
            .map(|i| {
                let mut info = AttachInfo {
                    symbol: null(),
                    name: null(),
                    kind: null(),
                    nparams: 0,
                };
                assert_eq!(kwasm_engine_attach_point(program, i, &mut info), 0);
                CStr::from_ptr(info.name).to_str().unwrap().to_owned()
            })
            .collect()
    };
    handlers.map(|h| names.iter().position(|s| s == h).unwrap() as u32)
}

impl Kwasm {
    fn new(code: &[u8], big: &[u8]) -> Self {
        let program = kwasm_load(code);
        let maps = kwasm_load(&wat::parse_str(MAP_WAT).unwrap());
        Self {
            program,
            index: handler_indexes(program, HANDLERS),
            maps,
            map_index: handler_indexes(maps, ["kprobe:map_count:pre", "kprobe:map_count_key:pre"]),
            big: big.to_vec(),
            out: [0; REPORT_BUF],
        }
    }

    /// Calls handler `index` of the handlers' program.
    #[inline(always)]
    fn call(&mut self, index: u32) {
        call_handler(self.program, index);
    }

    fn report(&mut self) -> usize {
        let (mut len, mut truncated) = (0, false);
        let mut trap = TrapInfo {
            kind: 0,
            message: null(),
        };
        // SAFETY: A live handle used by this thread only; `out` holds `REPORT_BUF` bytes;
        // the other out-pointers are writable.
        let ret = unsafe {
            kwasm_engine_report(
                self.program,
                null_mut(),
                FUEL,
                self.out.as_mut_ptr(),
                REPORT_BUF,
                &mut len,
                &mut truncated,
                &mut trap,
            )
        };
        assert_eq!((ret, truncated), (0, false), "kwasm report failed");
        len
    }
}

impl Drop for Kwasm {
    fn drop(&mut self) {
        // SAFETY: The handles came from `kwasm_engine_load` and are freed once.
        unsafe {
            kwasm_engine_free(self.program);
            kwasm_engine_free(self.maps);
        }
    }
}

impl Bench for Kwasm {
    fn batch(&mut self, w: Workload, iters: u32) {
        match w {
            Workload::Empty | Workload::Counter | Workload::Hist | Workload::Loop => {
                let index = self.index[w as usize];
                (0..iters).for_each(|_| self.call(index));
            }
            Workload::MapCount | Workload::MapCountKey => {
                let index = self.map_index[matches!(w, Workload::MapCountKey) as usize];
                (0..iters).for_each(|_| call_handler(self.maps, index));
            }
            Workload::Report => (0..iters).for_each(|_| {
                black_box(self.report());
            }),
            Workload::Load => (0..iters).for_each(|_| {
                let p = kwasm_load(black_box(&self.big));
                // SAFETY: Just loaded, freed once.
                unsafe { kwasm_engine_free(p) };
            }),
        }
    }

    fn report_once(&mut self) -> Vec<u8> {
        let n = self.report();
        self.out[..n].to_vec()
    }
}

// ---------------------------------------------------------------------------------------
// wasm3, through wasm3x's typed calls (its cheapest call path).
// ---------------------------------------------------------------------------------------

/// A wasm3 engine compiling eagerly, as kwasm does (wasm3's default is lazy, which would
/// leave compilation out of the load row), with kwasm's stack size.
fn wasm3_engine() -> wasm3x::Engine {
    let mut config = wasm3x::Config::new();
    config
        .compilation_mode(wasm3x::CompilationMode::Eager)
        .stack_size(STACK_BYTES as usize);
    wasm3x::Engine::new(&config)
}

fn wasm3_linker(engine: &wasm3x::Engine) -> wasm3x::Linker<()> {
    let mut linker = wasm3x::Linker::new(engine);
    linker
        .func_wrap("kwasm", "ktime_ns", || ktime() as i64)
        .unwrap();
    linker
}

/// A store (a wasm3 runtime) with `code` instantiated in it; wasm3 allows one module per
/// runtime for name lookups to be this module's.
fn wasm3_instantiate(
    engine: &wasm3x::Engine,
    linker: &wasm3x::Linker<()>,
    code: &[u8],
) -> (wasm3x::Store<()>, wasm3x::Instance) {
    let mut store = wasm3x::Store::new(engine, ());
    let module = wasm3x::Module::new(engine, code).unwrap();
    let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
    (store, instance)
}

struct Wasm3 {
    engine: wasm3x::Engine,
    linker: wasm3x::Linker<()>,
    store: wasm3x::Store<()>,
    handlers: [wasm3x::TypedFunc<(), ()>; 4],
    report: wasm3x::TypedFunc<(), i32>,
    memory: wasm3x::Memory,
    big: Vec<u8>,
    out: [u8; REPORT_BUF],
}

impl Wasm3 {
    fn new(code: &[u8], big: &[u8]) -> Self {
        let engine = wasm3_engine();
        let linker = wasm3_linker(&engine);
        let (store, instance) = wasm3_instantiate(&engine, &linker, code);
        let handlers = HANDLERS.map(|h| instance.get_typed_func::<(), ()>(&store, h).unwrap());
        let report = instance
            .get_typed_func::<(), i32>(&store, "report")
            .unwrap();
        let memory = instance.get_memory(&store).unwrap();
        Self {
            engine,
            linker,
            store,
            handlers,
            report,
            memory,
            big: big.to_vec(),
            out: [0; REPORT_BUF],
        }
    }

    fn report(&mut self) -> usize {
        let ptr = self.report.call(&mut self.store, ()).unwrap() as u32 as usize;
        copy_report(self.memory.data(&self.store), ptr, &mut self.out)
    }
}

/// One call of a wasm3 handler, by a name a profiler can toggle on (the profile mode of
/// `main`): what `kwasm_engine_call` is for kwasm.
#[unsafe(no_mangle)]
#[inline(never)]
fn kwasm_bench_wasm3_call(f: &wasm3x::TypedFunc<(), ()>, store: &mut wasm3x::Store<()>) {
    f.call(store, ()).unwrap();
}

impl Bench for Wasm3 {
    fn batch(&mut self, w: Workload, iters: u32) {
        match w {
            Workload::Empty | Workload::Counter | Workload::Hist | Workload::Loop => {
                let f = &self.handlers[w as usize];
                (0..iters).for_each(|_| f.call(&mut self.store, ()).unwrap());
            }
            Workload::Report => (0..iters).for_each(|_| {
                black_box(self.report());
            }),
            // A runtime, the module parsed and instantiated, everything compiled.
            Workload::Load => (0..iters).for_each(|_| {
                drop(black_box(wasm3_instantiate(
                    &self.engine,
                    &self.linker,
                    black_box(&self.big),
                )));
            }),
            Workload::MapCount | Workload::MapCountKey => unreachable!("kwasm's maps only"),
        }
    }

    fn report_once(&mut self) -> Vec<u8> {
        let n = self.report();
        self.out[..n].to_vec()
    }
}

// ---------------------------------------------------------------------------------------
// WAMR's fast interpreter, through wamrx's `Func::call` (it has no typed calls).
// ---------------------------------------------------------------------------------------

/// kwasm's stack size for WAMR's interpreter stack (its default is 8 MiB).
fn wamr_config() -> wamrx::InstanceConfig {
    let mut config = wamrx::InstanceConfig::new();
    config.exec_stack_size(STACK_BYTES);
    config
}

/// The module loaded (parsed, validated, compiled to WAMR's fast-interpreter code) and
/// instantiated.
fn wamr_instantiate(
    engine: &wamrx::Engine,
    linker: &wamrx::Linker,
    code: &[u8],
) -> wamrx::Instance {
    let module = wamrx::Module::new(engine, code).unwrap();
    linker.instantiate_with(module, &wamr_config()).unwrap()
}

/// What outlives the benchmark's borrows of it: [`Wamr`] holds functions that borrow
/// the instance.
struct WamrOwner {
    engine: wamrx::Engine,
    linker: wamrx::Linker,
    instance: wamrx::Instance,
}

impl WamrOwner {
    fn new(code: &[u8]) -> Self {
        let engine = wamrx::Engine::new().unwrap();
        let mut linker = wamrx::Linker::new(&engine);
        // WAMR resolves imports when it loads a module: define them before any load.
        let ty = wamrx::FuncType::new([], [wamrx::ValType::I64]);
        linker
            .define_func("kwasm", "ktime_ns", ty, |_, results| {
                results[0] = wamrx::Val::I64(ktime() as i64)
            })
            .unwrap();
        let instance = wamr_instantiate(&engine, &linker, code);
        Self {
            engine,
            linker,
            instance,
        }
    }
}

struct Wamr<'a> {
    owner: &'a WamrOwner,
    handlers: [wamrx::Func<'a>; 4],
    report: wamrx::Func<'a>,
    memory: wamrx::Memory<'a>,
    big: Vec<u8>,
    out: [u8; REPORT_BUF],
}

impl<'a> Wamr<'a> {
    fn new(owner: &'a WamrOwner, big: &[u8]) -> Self {
        let i = &owner.instance;
        Self {
            owner,
            handlers: HANDLERS.map(|h| i.get_func(h).unwrap()),
            report: i.get_func("report").unwrap(),
            memory: i.get_memory("memory").unwrap(),
            big: big.to_vec(),
            out: [0; REPORT_BUF],
        }
    }

    fn report(&mut self) -> usize {
        let mut result = [wamrx::Val::I32(0)];
        self.report.call(&[], &mut result).unwrap();
        let wamrx::Val::I32(ptr) = result[0] else {
            panic!("report returned {:?}", result[0])
        };
        copy_report(self.memory.data(), ptr as u32 as usize, &mut self.out)
    }
}

impl Bench for Wamr<'_> {
    fn batch(&mut self, w: Workload, iters: u32) {
        match w {
            Workload::Empty | Workload::Counter | Workload::Hist | Workload::Loop => {
                let f = &self.handlers[w as usize];
                (0..iters).for_each(|_| f.call(&[], &mut []).unwrap());
            }
            Workload::Report => (0..iters).for_each(|_| {
                black_box(self.report());
            }),
            Workload::Load => (0..iters).for_each(|_| {
                drop(black_box(wamr_instantiate(
                    &self.owner.engine,
                    &self.owner.linker,
                    black_box(&self.big),
                )));
            }),
            Workload::MapCount | Workload::MapCountKey => unreachable!("kwasm's maps only"),
        }
    }

    fn report_once(&mut self) -> Vec<u8> {
        let n = self.report();
        self.out[..n].to_vec()
    }
}

// ---------------------------------------------------------------------------------------
// Measuring.
// ---------------------------------------------------------------------------------------

/// Nanoseconds per operation of one batch.
fn time_batch(e: &mut dyn Bench, w: Workload, iters: u32) -> f64 {
    let t = Instant::now();
    e.batch(w, iters);
    t.elapsed().as_nanos() as f64 / f64::from(iters)
}

/// How many operations make a batch of about [`BATCH_NS`]; the growing trial batches
/// warm the engine up.
fn calibrate(e: &mut dyn Bench, w: Workload) -> u32 {
    let mut iters = 1u32;
    loop {
        let t = Instant::now();
        e.batch(w, iters);
        let ns = t.elapsed().as_nanos() as f64;
        if ns > BATCH_NS / 10.0 || iters >= 1 << 28 {
            return ((BATCH_NS / (ns / f64::from(iters))) as u32).max(1);
        }
        iters *= 4;
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

const ENGINES: [&str; 4] = ["native", "kwasm", "wasm3", "WAMR"];

/// The example probes (`probes/examples/`) whose handlers are timed, when `make bench`
/// passes the directory they were built into.
const EXAMPLES: [&str; 8] = [
    "mkdirsnoop",
    "syscount",
    "errno",
    "latency",
    "readbytes",
    "tcpconnect",
    "runqlat",
    "stackcount",
];

/// Each example handler's cost in the engine, through the C ABI: ns per call, median of
/// 7 batches. The host callbacks answer at once (a read copies nothing), so this is the
/// engine's share of a hit; the kprobe's own cost is in the guest table.
fn examples(dir: &std::path::Path) {
    println!();
    println!("example probes, each handler through the C ABI: ns per call, median of 7 batches");
    println!(
        "{:<12} {:>7}  {:<34} {:>9}",
        "example", "bytes", "handler", "ns/call"
    );
    for name in EXAMPLES {
        let code = std::fs::read(dir.join(format!("{name}.wasm")))
            .unwrap_or_else(|e| panic!("{}/{name}.wasm: {e}", dir.display()));
        let program = kwasm_load(&code);
        // SAFETY: `program` is live until freed below and used by this thread only;
        // `info` is writable and its symbol lives as long as the program.
        unsafe {
            for i in 0..kwasm_engine_attach_count(program) {
                let mut info = AttachInfo {
                    symbol: null(),
                    name: null(),
                    kind: std::ptr::null(),
                    nparams: 0,
                };
                assert_eq!(kwasm_engine_attach_point(program, i, &mut info), 0);
                let handler = CStr::from_ptr(info.name).to_str().unwrap().to_owned();
                let params = [3u64, 0x7fff_0000_1000, 0o755, 4096, 0, 0];
                let mut batches: Vec<f64> = (0..7)
                    .map(|_| {
                        let t = Instant::now();
                        for _ in 0..20_000 {
                            let mut trap = TrapInfo {
                                kind: 0,
                                message: null(),
                            };
                            black_box(kwasm_engine_call(
                                program,
                                i,
                                null_mut(),
                                0,
                                params.as_ptr(),
                                0,
                                FUEL,
                                &mut trap,
                            ));
                        }
                        t.elapsed().as_nanos() as f64 / 20_000.0
                    })
                    .collect();
                batches.sort_by(f64::total_cmp);
                println!(
                    "{name:<12} {:>7}  {handler:<34} {:>9.0}",
                    code.len(),
                    batches[3]
                );
            }
            kwasm_engine_free(program);
        }
    }
}

/// Calls handler `index` of `program` 20000 times a batch: ns per call, median of 7.
///
/// # Safety
///
/// `program` is a live handle used by this thread only.
unsafe fn time_handler(program: *mut Program, index: u32) -> f64 {
    let params = [3u64, 0x7fff_0000_1000, 0o755, 4096, 0, 0];
    let batches: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..20_000 {
                let mut trap = TrapInfo {
                    kind: 0,
                    message: null(),
                };
                // SAFETY: By the function's requirement; `params` has six values.
                black_box(unsafe {
                    kwasm_engine_call(
                        program,
                        index,
                        null_mut(),
                        0,
                        params.as_ptr(),
                        0,
                        FUEL,
                        &mut trap,
                    )
                });
                assert!(trap.message.is_null(), "handler {index} trapped");
            }
            t.elapsed().as_nanos() as f64 / 20_000.0
        })
        .collect();
    median(batches)
}

/// One record's formatting in the host's formatter against the same text built in Wasm
/// (`bench/probes/format.c`), and a whole streamed record against a counter's hit. The
/// stream callback answers at once: the ring buffer's share is in the guest.
fn formatting(bench: &std::path::Path) {
    let load = |name: &str| {
        let code = std::fs::read(bench.join(format!("{name}.wasm")))
            .unwrap_or_else(|e| panic!("{}/{name}.wasm: {e}", bench.display()));
        kwasm_load(&code)
    };
    let (format, counter) = (load("format"), load("counter"));
    // SAFETY: Both programs are live until freed below and used by this thread only.
    unsafe {
        // Handlers sorted by export name: host_format, stream_record, wasm_format.
        let [host, stream, wasm] = [0, 1, 2].map(|i| time_handler(format, i));
        let mut texts = Vec::new();
        for i in [0, 2] {
            time_handler(format, i);
            let mut buf = [0u8; 256];
            let (mut len, mut cut) = (0usize, false);
            let mut trap = TrapInfo {
                kind: 0,
                message: null(),
            };
            assert_eq!(
                kwasm_engine_report(
                    format,
                    null_mut(),
                    FUEL,
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut len,
                    &mut cut,
                    &mut trap
                ),
                0
            );
            texts.push(buf[..len].to_vec());
        }
        assert_eq!(texts[0], texts[1], "both ways format the same text");
        let count = time_handler(counter, 0);
        println!();
        println!(
            "formatting one record, {:?}: ns per call, median of 7 batches",
            String::from_utf8_lossy(&texts[0])
        );
        println!("{:<40} {:>9}", "handler", "ns/call");
        println!("{:<40} {:>9.0}", "format (host formatter)", host);
        println!(
            "{:<40} {:>9.0}",
            "the same built in Wasm (kwasm_puts/puti)", wasm
        );
        println!(
            "{:<40} {:>9.0}",
            "stream_printf (formatted and streamed)", stream
        );
        println!("{:<40} {:>9.0}", "a counter's hit, for scale", count);
        println!(
            "Wasm / host formatter: {:.1}x; streamed record / counter: {:.1}x",
            wasm / host,
            stream / count
        );
        kwasm_engine_free(format);
        kwasm_engine_free(counter);
    }
}

fn main() {
    let started = Instant::now();
    let code = wat::parse_str(WAT).unwrap();
    let (big, filler_funcs) = sized_big_module();

    // `KWASM_BENCH_PROFILE=N`: only N calls of kwasm's empty handler (or of the handler
    // of `KWASM_BENCH_PROFILE_WORKLOAD`: empty, counter, tp (the guest bench's
    // tp_counter, two parameters), map, map_key, or format or stream, the handlers of
    // bench/probes/format.c, whose .wasm the first argument's sibling bench/ holds as
    // for the full run), for a profiler (performance.rst, "Where an empty call goes"):
    // valgrind --tool=callgrind --toggle-collect=kwasm_engine_call target/release/kwasm-bench-host
    // With `KWASM_BENCH_PROFILE_ENGINE=wasm3`, the same calls of wasm3's handler (empty
    // or counter) instead, for --toggle-collect=kwasm_bench_wasm3_call.
    if let Some(n) = std::env::var("KWASM_BENCH_PROFILE")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        if std::env::var("KWASM_BENCH_PROFILE_ENGINE").as_deref() == Ok("wasm3") {
            let mut wasm3 = Wasm3::new(&code, &big);
            let w = match std::env::var("KWASM_BENCH_PROFILE_WORKLOAD").as_deref() {
                Ok("counter") => Workload::Counter,
                Ok("empty") | Err(_) => Workload::Empty,
                Ok(other) => {
                    panic!("KWASM_BENCH_PROFILE_WORKLOAD={other} for wasm3: empty or counter")
                }
            };
            let f = wasm3.handlers[w as usize];
            (0..n).for_each(|_| kwasm_bench_wasm3_call(&f, &mut wasm3.store));
            return;
        }
        let kwasm = Kwasm::new(&code, &big);
        let workload = std::env::var("KWASM_BENCH_PROFILE_WORKLOAD");
        let format_program = || {
            let dir = std::env::args()
                .nth(1)
                .expect("format and stream take the examples' directory");
            let path = std::path::Path::new(&dir)
                .with_file_name("bench")
                .join("format.wasm");
            let code = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            kwasm_load(&code)
        };
        let (program, index) = match workload.as_deref().unwrap_or("empty") {
            // Handlers sorted by export name: host_format, stream_record, wasm_format.
            "format" => (format_program(), 0),
            "stream" => (format_program(), 1),
            "empty" => (kwasm.program, kwasm.index[0]),
            "counter" => (kwasm.program, kwasm.index[1]),
            "tp" => (
                kwasm.program,
                handler_indexes(kwasm.program, ["tracepoint:raw_syscalls:sys_enter"])[0],
            ),
            "map" => (kwasm.maps, kwasm.map_index[0]),
            "map_key" => (kwasm.maps, kwasm.map_index[1]),
            other => {
                panic!(
                    "KWASM_BENCH_PROFILE_WORKLOAD={other}: empty, counter, tp, map, map_key, \
                     format or stream"
                )
            }
        };
        // tp's id: getpgid's, which it counts.
        let params = [0, 121, 0, 0, 0, 0];
        (0..n).for_each(|_| call_handler_with(program, index, &params));
        return;
    }

    let mut native = Native {
        n: 0,
        slots: [0; 65],
        memory: vec![0; 1 << 16],
        out: [0; REPORT_BUF],
    };
    let mut kwasm = Kwasm::new(&code, &big);
    let mut wasm3 = Wasm3::new(&code, &big);
    let wamr_owner = WamrOwner::new(&code);
    let mut wamr = Wamr::new(&wamr_owner, &big);
    let mut engines: [&mut dyn Bench; 4] = [&mut native, &mut kwasm, &mut wasm3, &mut wamr];

    // Every engine does the same work: the same string out of `report`.
    let want = expected_report();
    for (name, e) in ENGINES.iter().zip(engines.iter_mut()) {
        assert_eq!(e.report_once(), want, "{name}'s report");
    }

    // (workload, engine) -> batch size; 0 where the engine has no such row.
    let runs = |w: Workload, e: usize| match w {
        Workload::Load => e != 0,
        Workload::MapCount | Workload::MapCountKey => e == 1,
        _ => true,
    };
    let iters: Vec<[u32; 4]> = WORKLOADS
        .iter()
        .map(|&w| {
            let mut it = [0u32; 4];
            for (e, engine) in engines.iter_mut().enumerate() {
                if runs(w, e) {
                    it[e] = calibrate(&mut **engine, w);
                }
            }
            it
        })
        .collect();

    // Interleaved rounds: every engine once per workload per round, the first engine
    // rotating so none always runs right after another's batch.
    let mut samples = vec![[(); 4].map(|_| Vec::with_capacity(ROUNDS)); WORKLOADS.len()];
    for round in 0..ROUNDS {
        for (wi, &w) in WORKLOADS.iter().enumerate() {
            for k in 0..4 {
                let e = (round + k) % 4;
                if runs(w, e) {
                    samples[wi][e].push(time_batch(&mut *engines[e], w, iters[wi][e]));
                }
            }
        }
    }

    println!("kwasm engine on the host, through its C ABI: ns per operation, median of {ROUNDS} interleaved rounds");
    println!(
        "{:<24} {:>11} {:>11} {:>11} {:>11} {:>13} {:>12} {:>11}",
        "workload",
        "native ns",
        "kwasm ns",
        "wasm3 ns",
        "WAMR ns",
        "kwasm/native",
        "kwasm/wasm3",
        "kwasm/WAMR"
    );
    for (wi, &w) in WORKLOADS.iter().enumerate() {
        let m: Vec<Option<f64>> = (0..4)
            .map(|e| (!samples[wi][e].is_empty()).then(|| median(samples[wi][e].clone())))
            .collect();
        let ns = |v: Option<f64>| {
            v.map_or("-".into(), |x| {
                if x < 100.0 {
                    format!("{x:.1}")
                } else {
                    format!("{x:.0}")
                }
            })
        };
        // The native floor can be under a nanosecond: the ratio counts it as 0.1 ns at least.
        let ratio = |other: Option<f64>, floor: f64| {
            other.map_or("-".into(), |o| {
                format!("{:.2}", m[1].unwrap() / o.max(floor))
            })
        };
        println!(
            "{:<24} {:>11} {:>11} {:>11} {:>11} {:>13} {:>12} {:>11}",
            w.name(&big),
            ns(m[0]),
            ns(m[1]),
            ns(m[2]),
            ns(m[3]),
            ratio(m[0], 0.1),
            ratio(m[2], 0.0),
            ratio(m[3], 0.0)
        );
    }
    println!(
        "load: {} B, of which {} B of code in {} functions; kwasm: load + free through the C \
         ABI; wasm3: runtime + parse + instantiate; WAMR: load + instantiate",
        big.len(),
        code_section_bytes(&big),
        filler_funcs + 5
    );
    println!(
        "kwasm: opt-level 2, LTO, portable dispatch, fuel {FUEL} per call; wasm3: eager \
         compilation; WAMR: fast interpreter; run took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if let Some(dir) = std::env::args().nth(1) {
        let dir = std::path::Path::new(&dir);
        examples(dir);
        // make bench builds bench/probes beside the examples.
        formatting(&dir.with_file_name("bench"));
    }
}
