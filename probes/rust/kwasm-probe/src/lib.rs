// SPDX-License-Identifier: GPL-2.0

//! Write kwasm probes in Rust.
//!
//! A probe is a `#![no_std]` `cdylib` for `wasm32-unknown-unknown`. This crate declares
//! kwasm's host functions (Documentation/probe-abi.rst) with safe wrappers, macros that
//! export handlers under the names kwasm looks for, and the small helpers a report needs.
//!
//! ```ignore
//! #![no_std]
//! use kwasm_probe::*;
//!
//! static COUNT: Global<u64> = Global::new(0);
//!
//! kprobe!(pre __x64_sys_mkdir => fn on_mkdir() { COUNT.update(|n| n + 1); });
//! report!(fn report(out) { out.put_u64(COUNT.get()); });
//! panic_traps!();
//! ```

#![cfg_attr(not(test), no_std)]

use core::cell::{Cell, UnsafeCell};

mod sys {
    #[link(wasm_import_module = "kwasm")]
    extern "C" {
        pub(crate) fn arg(n: i32) -> i64;
        pub(crate) fn ret() -> i64;
        pub(crate) fn syscall_arg(n: i32) -> i64;
        pub(crate) fn read_kernel(src: i64, dst: *mut u8, len: i32) -> i32;
        pub(crate) fn read_user(src: i64, dst: *mut u8, len: i32) -> i32;
        pub(crate) fn read_kernel_str(src: i64, dst: *mut u8, len: i32) -> i32;
        pub(crate) fn read_user_str(src: i64, dst: *mut u8, len: i32) -> i32;
        pub(crate) fn ktime_ns() -> i64;
        pub(crate) fn entry_ns() -> i64;
        pub(crate) fn pid() -> i32;
        pub(crate) fn tgid() -> i32;
        pub(crate) fn cpu() -> i32;
        pub(crate) fn comm(dst: *mut u8, len: i32) -> i32;
        pub(crate) fn print(msg: *const u8, len: i32);
        pub(crate) fn map_declare(desc: *const u8, len: i32) -> i32;
        pub(crate) fn map_update(id: i32, key: i64, value: i64);
        pub(crate) fn map_update_key(id: i32, key: *const u8, len: i32, value: i64);
        pub(crate) fn map_read(id: i32, key: i64, what: i32) -> i64;
        pub(crate) fn map_read_key(id: i32, key: *const u8, len: i32, what: i32) -> i64;
        pub(crate) fn stream(msg: *const u8, len: i32) -> i32;
        pub(crate) fn kstack(dst: *mut u64, max: i32) -> i32;
        pub(crate) fn ksym(addr: i64, dst: *mut u8, len: i32) -> i32;
        pub(crate) fn func_ip() -> i64;
    }
}

/// A negative errno from a host function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(pub i32);

/// The probed function's `n`-th argument (in a post handler: its value at entry).
pub fn arg(n: u32) -> u64 {
    // SAFETY: A host call with no pointers; a bad `n` traps, it cannot corrupt anything.
    unsafe { sys::arg(n as i32) as u64 }
}

/// The probed function's return value (post handlers only).
pub fn ret() -> i64 {
    // SAFETY: As for `arg`.
    unsafe { sys::ret() }
}

/// The user's `n`-th syscall argument, on `__x64_sys_*` entry points.
pub fn syscall_arg(n: u32) -> u64 {
    // SAFETY: As for `arg`.
    unsafe { sys::syscall_arg(n as i32) as u64 }
}

fn status(r: i32) -> Result<usize, Errno> {
    if r < 0 {
        Err(Errno(r))
    } else {
        Ok(r as usize)
    }
}

/// Copies `dst.len()` bytes of kernel memory at `src`, without faulting.
pub fn read_kernel(src: u64, dst: &mut [u8]) -> Result<(), Errno> {
    // SAFETY: `dst` is valid for its length; the host checks it against memory too.
    status(unsafe { sys::read_kernel(src as i64, dst.as_mut_ptr(), dst.len() as i32) }).map(|_| ())
}

/// Copies `dst.len()` bytes of user memory at `src`, without faulting.
pub fn read_user(src: u64, dst: &mut [u8]) -> Result<(), Errno> {
    // SAFETY: As for `read_kernel`.
    status(unsafe { sys::read_user(src as i64, dst.as_mut_ptr(), dst.len() as i32) }).map(|_| ())
}

fn as_str(bytes: &[u8]) -> &str {
    match core::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => core::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or(""),
    }
}

/// Copies a NUL-terminated user string into `dst` (cut to fit) and returns it.
pub fn read_user_str(src: u64, dst: &mut [u8]) -> Result<&str, Errno> {
    // SAFETY: As for `read_kernel`.
    let n = status(unsafe { sys::read_user_str(src as i64, dst.as_mut_ptr(), dst.len() as i32) })?;
    Ok(as_str(&dst[..n]))
}

/// Copies a NUL-terminated kernel string into `dst` (cut to fit) and returns it.
pub fn read_kernel_str(src: u64, dst: &mut [u8]) -> Result<&str, Errno> {
    // SAFETY: As for `read_kernel`.
    let n =
        status(unsafe { sys::read_kernel_str(src as i64, dst.as_mut_ptr(), dst.len() as i32) })?;
    Ok(as_str(&dst[..n]))
}

/// Monotonic nanoseconds.
pub fn ktime_ns() -> u64 {
    // SAFETY: A host call with no pointers.
    unsafe { sys::ktime_ns() as u64 }
}

/// Post handlers only: [`ktime_ns`] when the probed function was entered, by this call,
/// so `ktime_ns() - entry_ns()` is how long it ran (in any mode, across sleeps and CPU
/// migrations).
pub fn entry_ns() -> u64 {
    // SAFETY: A host call with no pointers.
    unsafe { sys::entry_ns() as u64 }
}

/// The current process's id, as bpftrace's `pid` and `getpid()` mean it (the kernel's
/// tgid): the same in every thread of a process. Until 2026-12 this was the thread id,
/// which is now [`tid`].
pub fn pid() -> i32 {
    // SAFETY: A host call with no pointers.
    unsafe { sys::tgid() }
}

/// The current thread's id, as bpftrace's `tid` and `gettid()` mean it (the kernel's
/// pid): per-thread state, like an entry time for the return, is keyed by it.
pub fn tid() -> i32 {
    // SAFETY: A host call with no pointers.
    unsafe { sys::pid() }
}

/// The current process's id under the kernel's name: the same as [`pid`].
pub fn tgid() -> i32 {
    pid()
}

/// The current CPU.
pub fn cpu() -> i32 {
    // SAFETY: A host call with no pointers.
    unsafe { sys::cpu() }
}

/// The current task's name.
pub fn comm(dst: &mut [u8; 16]) -> &str {
    // SAFETY: `dst` is valid for 16 bytes.
    let n = unsafe { sys::comm(dst.as_mut_ptr(), 16) }.clamp(0, 15) as usize;
    as_str(&dst[..n])
}

/// A rate-limited line in dmesg: `kwasm: PROGRAM: msg`.
pub fn print(msg: &str) {
    // SAFETY: `msg` is valid for its length.
    unsafe { sys::print(msg.as_ptr(), msg.len() as i32) }
}

/// Most addresses [`kstack`] copies.
pub const KSTACK_MAX: usize = 127;

/// In a handler: copies the hit's kernel stack into `dst`, innermost first (at most
/// [`KSTACK_MAX`] addresses), and returns the part filled.
pub fn kstack(dst: &mut [u64]) -> &[u64] {
    let max = dst.len().min(KSTACK_MAX);
    // SAFETY: `dst` is valid for `max` addresses.
    let n = unsafe { sys::kstack(dst.as_mut_ptr(), max as i32) }.clamp(0, max as i32) as usize;
    &dst[..n]
}

/// The name of the kernel symbol holding `addr` (`vfs_read`, `fn [module]`, or the
/// address in hex), cut to fit `dst`.
pub fn ksym(addr: u64, dst: &mut [u8]) -> &str {
    // SAFETY: `dst` is valid for its length.
    let n = unsafe { sys::ksym(addr as i64, dst.as_mut_ptr(), dst.len() as i32) };
    as_str(&dst[..(n.max(0) as usize).min(dst.len().saturating_sub(1))])
}

/// In a kprobe or wildcard handler: the address of the function the hit is in (for a
/// wildcard, the one of its functions that fired), as `/proc/kallsyms` lists it; name it
/// with [`ksym`]. Traps in a tracepoint handler.
pub fn func_ip() -> u64 {
    // SAFETY: A host call with no pointers.
    unsafe { sys::func_ip() as u64 }
}

/// A global a probe's handlers share. kwasm serializes every call into a program and a
/// Wasm instance has one thread, so the only way to reach the value twice at once is
/// from inside [`Global::with`]'s closure; that is checked, and panics (a trap).
pub struct Global<T> {
    value: UnsafeCell<T>,
    borrowed: Cell<bool>,
}

// SAFETY: A Wasm instance runs one call at a time (kwasm serializes them), and nested
// access within a call is refused by the `borrowed` flag.
unsafe impl<T> Sync for Global<T> {}

impl<T> Global<T> {
    /// A global with an initial value.
    pub const fn new(value: T) -> Self {
        Self {
            value: UnsafeCell::new(value),
            borrowed: Cell::new(false),
        }
    }

    fn check(&self) {
        if self.borrowed.get() {
            panic!("a Global was used inside its own with()");
        }
    }

    /// Runs `f` with the value borrowed mutably. Using the same global inside `f` panics.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        self.check();
        self.borrowed.set(true);
        // SAFETY: `borrowed` was clear, so no other reference to the value exists, and
        // it stays set while `f` holds this one.
        let r = f(unsafe { &mut *self.value.get() });
        self.borrowed.set(false);
        r
    }
}

impl<T: Copy> Global<T> {
    /// Its value.
    pub fn get(&self) -> T {
        self.check();
        // SAFETY: Not borrowed (checked), and calls are serialized (see the type).
        unsafe { *self.value.get() }
    }

    /// Replaces its value with `f(value)`.
    pub fn update(&self, f: impl FnOnce(T) -> T) {
        let new = f(self.get());
        self.check();
        // SAFETY: As for `get`; `f` has returned, so it holds no reference.
        unsafe { *self.value.get() = new }
    }
}

/// What a map aggregates, as bpftrace's functions of the same names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum MapKind {
    /// `count()`.
    Count = 1,
    /// `sum(v)`.
    Sum = 2,
    /// `min(v)`.
    Min = 3,
    /// `max(v)`.
    Max = 4,
    /// `avg(v)`.
    Avg = 5,
    /// `stats(v)`.
    Stats = 6,
    /// `hist(v)`: log2 buckets.
    Hist = 7,
    /// `lhist(v, min, max, step)`: see [`MapDecl::lhist`].
    Lhist = 8,
}

/// One part of a map's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum KeyPart {
    /// No part.
    None = 0,
    /// An integer, printed unsigned.
    U64 = 1,
    /// An integer, printed signed.
    I64 = 2,
    /// A string of the map's string length ([`MapDecl::str_len`]), printed up to its NUL.
    Str = 3,
}

/// What [`Map::read`] returns: the value as `maps` prints it (a histogram's total count).
pub const READ_VALUE: i32 = 0;
/// The number of updates.
pub const READ_COUNT: i32 = 1;
/// The total of the values (sum, avg, stats).
pub const READ_TOTAL: i32 = 2;
/// Bucket `i` of a hist or lhist: `READ_BUCKET + i`.
pub const READ_BUCKET: i32 = 16;

/// A map's descriptor, as `map_declare` takes it (probe-abi.rst, "Maps").
#[derive(Clone, Copy)]
#[repr(C)]
pub struct MapDecl {
    name: [u8; 32],
    kind: u32,
    key: [u8; 2],
    str_len: u16,
    max_entries: u32,
    /// The address of the map's cells in this memory, or 0: kwasm keeps the value.
    cells: u32,
    lhist: [i64; 3],
    reserved2: u64,
}

const _: () = assert!(core::mem::size_of::<MapDecl>() == 80);

impl MapDecl {
    /// A map `@name` of `kind`, with no key.
    pub const fn new(name: &str, kind: MapKind) -> Self {
        let mut n = [0u8; 32];
        let b = name.as_bytes();
        let mut i = 0;
        while i < b.len() && i < 31 {
            n[i] = b[i];
            i += 1;
        }
        Self {
            name: n,
            kind: kind as u32,
            key: [0, 0],
            str_len: 0,
            max_entries: 1,
            cells: 0,
            lhist: [0; 3],
            reserved2: 0,
        }
    }

    /// Keyed by `first` (and `second`), at most `max_entries` keys per CPU.
    pub const fn key(mut self, first: KeyPart, second: KeyPart, max_entries: u32) -> Self {
        self.key = [first as u8, second as u8];
        self.max_entries = max_entries;
        self
    }

    /// The bytes of a string key part (16 for a comm).
    pub const fn str_len(mut self, len: u16) -> Self {
        self.str_len = len;
        self
    }

    /// `lhist`'s range: buckets of `step` from `min` to `max`.
    pub const fn lhist(mut self, min: i64, max: i64, step: i64) -> Self {
        self.lhist = [min, max, step];
        self
    }

    /// How many cells (8-byte words of this program's memory) the map keeps its value
    /// in: 0 for a map that kwasm updates, one with a key, a min or max, or an lhist
    /// whose range kwasm will refuse (it says why). probe-abi.rst, "Cells".
    pub const fn cell_words(&self) -> usize {
        let [lo, hi, step] = self.lhist;
        match (self.key[0], self.kind) {
            (0, 1) => 1,
            (0, 2 | 5 | 6) => 2,
            (0, 7) => 65,
            (0, 8) if step > 0 && hi > lo => match hi.checked_sub(lo) {
                Some(d) if d / step <= 1000 => (d / step) as usize + 2,
                _ => 0,
            },
            _ => 0,
        }
    }
}

/// A kernel-side map: kwasm keeps it per CPU with no lock, `cat maps` prints it as
/// bpftrace prints its maps. Declare maps with [`maps!`].
///
/// A map without a key of kind count, sum, avg, stats, hist or lhist keeps its value in
/// `W` cells of its own here, in this program's memory ([`MapDecl::cell_words`], which
/// [`maps!`] gives it): an update changes them in place with no call into kwasm, and
/// kwasm adds them up across CPUs when it reads or prints the map (probe-abi.rst,
/// "Cells"). Other maps have no cells (`W` is 0) and are updated by kwasm.
pub struct Map<const W: usize = 0> {
    decl: MapDecl,
    id: Cell<i32>,
    cells: [Cell<u64>; W],
}

// SAFETY: A Wasm instance has one thread; the id is written once, at load, and the
// cells only by that thread (kwasm reads them from outside, as plain words).
unsafe impl<const W: usize> Sync for Map<W> {}

/// bpftrace's log2 bucket, numbered as kwasm numbers it (probe-abi.rst, "Maps").
fn hist_bucket(v: i64) -> usize {
    match v {
        i64::MIN..=-1 => 0,
        0 => 1,
        _ => 2 + 63 - v.leading_zeros() as usize,
    }
}

/// bpftrace's linear bucket for `lhist(v, lo, hi, step)`, numbered as kwasm numbers it.
fn lhist_bucket(v: i64, [lo, hi, step]: [i64; 3]) -> usize {
    let last = (hi.wrapping_sub(lo) as u64 / step as u64) as usize + 1;
    if v < lo {
        0
    } else if v > hi {
        last
    } else {
        (1 + ((v as u64).wrapping_sub(lo as u64) / step as u64) as usize).min(last)
    }
}

impl<const W: usize> Map<W> {
    /// A map to be declared at load (by [`maps!`]), with `W` cells: those of
    /// [`MapDecl::cell_words`], or none.
    pub const fn new(decl: MapDecl) -> Self {
        assert!(
            W == 0 || W == decl.cell_words(),
            "W is not the map's cell words"
        );
        Self {
            decl,
            id: Cell::new(-1),
            cells: [const { Cell::new(0) }; W],
        }
    }

    /// Declares it; [`maps!`]'s `kwasm:init` calls this at load.
    pub fn declare(&self) {
        let mut decl = self.decl;
        if W > 0 {
            // The same address in every instance of the program: a static's.
            decl.cells = self.cells.as_ptr() as usize as u32;
        }
        // SAFETY: The descriptor is valid for its 80 bytes; the host checks them anyway.
        let id = unsafe {
            sys::map_declare(
                (&raw const decl).cast(),
                core::mem::size_of::<MapDecl>() as i32,
            )
        };
        self.id.set(id);
    }

    /// Applies `value` at an integer `key` (any, for a map without key). `count()`
    /// ignores the value.
    #[inline(always)]
    pub fn update(&self, key: i64, value: i64) {
        if W == 0 {
            // SAFETY: A host call with no pointers; a bad id or key traps.
            unsafe { sys::map_update(self.id.get(), key, value) };
            return;
        }
        let add = |i: usize, v: u64| {
            let c = &self.cells[i];
            c.set(c.get().wrapping_add(v))
        };
        // The words probe-abi.rst gives each kind's cells.
        match self.decl.kind {
            1 => add(0, 1),
            2 => {
                add(0, value as u64);
                add(1, 1);
            }
            5 | 6 => {
                add(0, 1);
                add(1, value as u64);
            }
            7 => add(hist_bucket(value), 1),
            _ => add(lhist_bucket(value, self.decl.lhist), 1),
        }
    }

    /// bpftrace's `@map[key] = count()`.
    #[inline(always)]
    pub fn count(&self, key: i64) {
        self.update(key, 0)
    }

    /// Applies `value` at a key laid out as declared (see [`key_str_u64`]).
    pub fn update_key(&self, key: &[u8], value: i64) {
        // SAFETY: `key` is valid for its length; the host checks it against memory.
        unsafe { sys::map_update_key(self.id.get(), key.as_ptr(), key.len() as i32, value) }
    }

    /// `count()` at a key laid out as declared.
    pub fn count_key(&self, key: &[u8]) {
        self.update_key(key, 0)
    }

    /// The value at an integer key, merged across CPUs (`what`: [`READ_VALUE`]...).
    pub fn read(&self, key: i64, what: i32) -> i64 {
        // SAFETY: As for `update`.
        unsafe { sys::map_read(self.id.get(), key, what) }
    }

    /// The value at a key laid out as declared, merged across CPUs.
    pub fn read_key(&self, key: &[u8], what: i32) -> i64 {
        // SAFETY: As for `update_key`.
        unsafe { sys::map_read_key(self.id.get(), key.as_ptr(), key.len() as i32, what) }
    }
}

/// The key of a map keyed by a 16-byte string (a comm) and an integer.
pub fn key_str_u64(s: &str, n: u64) -> [u8; 24] {
    let mut k = [0u8; 24];
    let b = s.as_bytes();
    let len = b.len().min(15);
    k[..len].copy_from_slice(&b[..len]);
    k[16..].copy_from_slice(&n.to_le_bytes());
    k
}

/// Declares a probe's maps: each becomes a `static` [`Map`], declared at load by the
/// `kwasm:init` export this defines (one `maps!` per probe).
///
/// ```ignore
/// maps! {
///     static SYSCALLS = MapDecl::new("syscalls", MapKind::Count)
///         .key(KeyPart::Str, KeyPart::U64, 4096).str_len(16);
///     static NS = MapDecl::new("ns", MapKind::Hist);
/// }
/// SYSCALLS.count_key(&key_str_u64(comm(&mut name), nr));
/// NS.update(0, elapsed);
/// ```
#[macro_export]
macro_rules! maps {
    ($($(#[$meta:meta])* static $name:ident = $decl:expr;)*) => {
        $($(#[$meta])* static $name: $crate::Map<{ $crate::MapDecl::cell_words(&$decl) }> =
            $crate::Map::new($decl);)*

        #[export_name = "kwasm:init"]
        pub extern "C" fn __kwasm_init() {
            $($name.declare();)*
        }
    };
}

/// A report being written: text into a fixed buffer, NUL-terminated, cut when full.
///
/// It is a [`core::fmt::Write`], so `write!` and `writeln!` format into it:
/// `writeln!(out, "{pid:<8}{name:<16}{count}")`. Writing cannot fail (what does not fit
/// is cut), so they return nothing to check.
pub struct Report<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Report<'a> {
    /// Starts an empty report in `buf` (its last byte is kept for the NUL), whatever `buf`
    /// held before.
    pub fn new(buf: &'a mut [u8]) -> Self {
        if let Some(b) = buf.first_mut() {
            *b = 0;
        }
        Self { buf, len: 0 }
    }

    /// Appends `s`.
    pub fn put(&mut self, s: &str) -> &mut Self {
        let room = self.buf.len().saturating_sub(self.len + 1);
        let n = s.len().min(room);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        if self.len < self.buf.len() {
            self.buf[self.len] = 0;
        }
        self
    }

    /// Appends `v` in decimal.
    pub fn put_u64(&mut self, mut v: u64) -> &mut Self {
        let mut tmp = [0u8; 20];
        let mut i = tmp.len();
        loop {
            i -= 1;
            tmp[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.put(as_str(&tmp[i..]))
    }

    /// Appends `v` in decimal, with a `-` when negative.
    pub fn put_i64(&mut self, v: i64) -> &mut Self {
        if v < 0 {
            self.put("-");
        }
        self.put_u64(v.unsigned_abs())
    }

    /// Appends `s` padded with spaces to `width`.
    pub fn put_padded(&mut self, s: &str, width: usize) -> &mut Self {
        self.put(s);
        for _ in s.len()..width {
            self.put(" ");
        }
        self
    }

    /// Appends formatted text; what `write!` and `writeln!` call. Unlike
    /// [`core::fmt::Write::write_fmt`] it returns nothing: a report cuts what does not
    /// fit instead of failing.
    pub fn write_fmt(&mut self, args: core::fmt::Arguments<'_>) {
        // `write_str` never fails, so neither does this.
        let _ = core::fmt::Write::write_fmt(self, args);
    }

    /// The text written so far.
    pub fn as_str(&self) -> &str {
        as_str(&self.buf[..self.len])
    }

    /// The address kwasm's `report` export returns.
    pub fn as_ptr(&self) -> *const u8 {
        self.buf.as_ptr()
    }
}

impl core::fmt::Write for Report<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.put(s);
        Ok(())
    }
}

/// The longest record of the trace stream, in bytes.
pub const RECORD_MAX: usize = 512;

/// Writes `text` (at most [`RECORD_MAX`] bytes; longer traps) as one record of the
/// program's trace stream, `instances/kwasm-NAME` in tracefs. Handlers only. Fails with
/// a negative errno when the record was lost (`stats` counts it).
pub fn stream(text: &str) -> Result<(), Errno> {
    // SAFETY: The host reads `text.len()` bytes at `text.as_ptr()`, which is valid.
    match unsafe { sys::stream(text.as_ptr(), text.len() as i32) } {
        0 => Ok(()),
        e => Err(Errno(e)),
    }
}

/// A record of the trace stream being written: formatted on the probe's stack with
/// `write!`, cut at [`RECORD_MAX`] bytes, and sent by [`Record::send`]. The [`stream!`]
/// macro does all three.
pub struct Record {
    buf: [u8; RECORD_MAX],
    len: usize,
}

impl Record {
    /// An empty record.
    pub const fn new() -> Self {
        Self {
            buf: [0; RECORD_MAX],
            len: 0,
        }
    }

    /// Appends formatted text; what `write!` calls. What does not fit is cut.
    pub fn write_fmt(&mut self, args: core::fmt::Arguments<'_>) {
        // `write_str` never fails, so neither does this.
        let _ = core::fmt::Write::write_fmt(self, args);
    }

    /// The text written so far.
    pub fn as_str(&self) -> &str {
        as_str(&self.buf[..self.len])
    }

    /// Writes the record to the trace stream; see [`stream()`].
    pub fn send(&self) -> Result<(), Errno> {
        stream(self.as_str())
    }
}

impl Default for Record {
    fn default() -> Self {
        Self::new()
    }
}

impl core::fmt::Write for Record {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        // Cut at a character boundary, so the record stays UTF-8.
        let mut n = s.len().min(RECORD_MAX - self.len);
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// Writes one formatted record to the trace stream:
/// `stream!("open pid={} comm={} path={}", pid(), name, path)`. Returns what
/// [`Record::send`] returns.
#[macro_export]
macro_rules! stream {
    ($($arg:tt)*) => {{
        let mut record = $crate::Record::new();
        record.write_fmt(format_args!($($arg)*));
        record.send()
    }};
}

/// A log2 histogram, rendered like bpftrace's `hist()`: slot 0 counts 0, slot k counts
/// values in [2^(k-1), 2^k).
pub struct Hist {
    slots: [u64; 65],
}

impl Hist {
    /// An empty histogram.
    pub const fn new() -> Self {
        Self { slots: [0; 65] }
    }

    /// Counts `v`.
    pub fn add(&mut self, v: u64) {
        self.slots[(64 - v.leading_zeros()) as usize] += 1;
    }

    /// The count of slot `k`.
    pub fn slot(&self, k: usize) -> u64 {
        self.slots[k]
    }

    /// Appends one line per slot from the first to the last non-empty one:
    /// `[lo, hi)   count |@@@@   |`, the largest count 52 `@` wide.
    pub fn render(&self, out: &mut Report<'_>) {
        let used = || (0..65).filter(|&k| self.slots[k] != 0);
        let (Some(first), Some(last)) = (used().next(), used().next_back()) else {
            return;
        };
        let max = self.slots.iter().copied().max().unwrap_or(0);
        for k in first..=last {
            let mut label = [0u8; 24];
            let mut l = Report::new(&mut label);
            match k {
                0 => l.put("[0]"),
                1 => l.put("[1]"),
                _ => put_pow2(put_pow2(l.put("["), k - 1).put(", "), k).put(")"),
            };
            let label_len = l.len;
            out.put_padded(as_str(&label[..label_len]), 20);
            let mut num = [0u8; 24];
            let mut n = Report::new(&mut num);
            n.put_u64(self.slots[k]);
            let num_len = n.len;
            out.put_padded(as_str(&num[..num_len]), 8).put("|");
            let bars = (self.slots[k] * 52 / max) as usize;
            for i in 0..52 {
                out.put(if i < bars { "@" } else { " " });
            }
            out.put("|\n");
        }
    }
}

impl Default for Hist {
    fn default() -> Self {
        Self::new()
    }
}

/// 1, 2, ..., 512, 1K, ..., 512K, 1M, ... as bpftrace writes bucket bounds.
fn put_pow2<'r, 'a>(out: &'r mut Report<'a>, k: usize) -> &'r mut Report<'a> {
    let unit = k / 10;
    out.put_u64(1 << (k - unit * 10));
    if unit > 0 {
        out.put(&" KMGTPE"[unit..unit + 1]);
    }
    out
}

/// A table of counters keyed by a number, each with a name (e.g. pid and comm).
pub struct Table<const N: usize> {
    keys: [u64; N],
    counts: [u64; N],
    names: [[u8; 16]; N],
    used: usize,
    /// Increments that found the table full.
    pub dropped: u64,
}

impl<const N: usize> Table<N> {
    /// An empty table.
    pub const fn new() -> Self {
        Self {
            keys: [0; N],
            counts: [0; N],
            names: [[0; 16]; N],
            used: 0,
            dropped: 0,
        }
    }

    /// Adds `n` to `key`'s count, naming it with `name` when it is new.
    pub fn add(&mut self, key: u64, name: &str, n: u64) {
        if let Some(i) = self.keys[..self.used].iter().position(|&k| k == key) {
            self.counts[i] += n;
        } else if self.used < N {
            let i = self.used;
            self.used += 1;
            self.keys[i] = key;
            self.counts[i] = n;
            let len = name.len().min(15);
            self.names[i] = [0; 16];
            self.names[i][..len].copy_from_slice(&name.as_bytes()[..len]);
        } else {
            self.dropped += n;
        }
    }

    /// The entries, largest count first, at most `top` of them: (key, name, count).
    pub fn top(&self, top: usize, mut f: impl FnMut(u64, &str, u64)) {
        let mut taken = [false; N];
        for _ in 0..top.min(self.used) {
            let mut best: Option<usize> = None;
            for (i, &done) in taken.iter().enumerate().take(self.used) {
                if !done && best.is_none_or(|b| self.counts[i] > self.counts[b]) {
                    best = Some(i);
                }
            }
            let Some(b) = best else { return };
            taken[b] = true;
            let name = &self.names[b];
            let len = name.iter().position(|&c| c == 0).unwrap_or(16);
            f(self.keys[b], as_str(&name[..len]), self.counts[b]);
        }
    }

    /// Every entry, smallest count first, as bpftrace prints a map: (key, name, count).
    pub fn ascending(&self, mut f: impl FnMut(u64, &str, u64)) {
        let mut order = [0usize; N];
        for i in 0..self.used {
            // Insertion sort: after the entries of smaller or equal count.
            let mut j = i;
            while j > 0 && self.counts[order[j - 1]] > self.counts[i] {
                order[j] = order[j - 1];
                j -= 1;
            }
            order[j] = i;
        }
        for &i in &order[..self.used] {
            let name = &self.names[i];
            let len = name.iter().position(|&c| c == 0).unwrap_or(16);
            f(self.keys[i], as_str(&name[..len]), self.counts[i]);
        }
    }
}

impl<const N: usize> Default for Table<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// Exports a handler: `kprobe!(pre SYMBOL => fn NAME(args...) { ... })` or
/// `kprobe!(post SYMBOL => fn NAME(ret: i64) { ... })`. Parameters may be `i32`/`i64`.
#[macro_export]
macro_rules! kprobe {
    (pre $sym:ident => fn $name:ident($($p:ident: $t:ty),*) $body:block) => {
        #[export_name = concat!("kprobe:", stringify!($sym), ":pre")]
        pub extern "C" fn $name($($p: $t),*) $body
    };
    (post $sym:ident => fn $name:ident($($p:ident: $t:ty),*) $body:block) => {
        #[export_name = concat!("kprobe:", stringify!($sym), ":post")]
        pub extern "C" fn $name($($p: $t),*) $body
    };
}

/// Exports a wildcard handler: `kprobe_wildcard!("vfs_*" => fn NAME(args...) { ... })`, run
/// on entry of every function the glob pattern matches when the program is activated
/// (probe-abi.rst, "Wildcards"), with parameters as `kprobe!(pre ...)`'s; [`func_ip`] says
/// which function fired. There is no `post` wildcard.
#[macro_export]
macro_rules! kprobe_wildcard {
    ($pattern:literal => fn $name:ident($($p:ident: $t:ty),*) $body:block) => {
        #[export_name = concat!("kprobe:", $pattern, ":pre")]
        pub extern "C" fn $name($($p: $t),*) $body
    };
}

/// Exports a tracepoint handler: `tracepoint!(GROUP:EVENT => fn NAME(args...) { ... })`,
/// run on trace event GROUP:EVENT with up to six of its `TP_PROTO` arguments, in order, as
/// `i32`/`i64` (`i32` for arguments narrower than 64 bits).
#[macro_export]
macro_rules! tracepoint {
    ($group:ident : $event:ident => fn $name:ident($($p:ident: $t:ty),*) $body:block) => {
        #[export_name = concat!("tracepoint:", stringify!($group), ":", stringify!($event))]
        pub extern "C" fn $name($($p: $t),*) $body
    };
}

/// Exports `report`: `report!(fn NAME(out) { out.put("..."); })`, with a report buffer of
/// 4 KiB.
#[macro_export]
macro_rules! report {
    (fn $name:ident($out:ident) $body:block) => {
        #[export_name = "report"]
        pub extern "C" fn $name() -> *const u8 {
            static BUF: $crate::Global<[u8; 4096]> = $crate::Global::new([0; 4096]);
            BUF.with(|buf| {
                let mut report = $crate::Report::new(buf);
                let $out = &mut report;
                $body
                report.as_ptr()
            })
        }
    };
}

/// A panic in a probe traps: the call ends and kwasm counts it.
#[macro_export]
macro_rules! panic_traps {
    () => {
        #[panic_handler]
        fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
            core::arch::wasm32::unreachable()
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(buf: &[u8]) -> &str {
        as_str(&buf[..buf.iter().position(|&b| b == 0).unwrap()])
    }

    #[test]
    fn a_map_descriptor_is_laid_out_as_probe_abi_rst_says() {
        let d = MapDecl::new("syscalls", MapKind::Lhist)
            .key(KeyPart::Str, KeyPart::U64, 4096)
            .str_len(16)
            .lhist(-5, 100, 7);
        // SAFETY: `MapDecl` is `repr(C)`, 80 bytes of integers with no padding.
        let b: [u8; 80] = unsafe { core::mem::transmute(d) };
        assert_eq!(&b[..9], b"syscalls\0");
        assert_eq!(b[32..36], 8u32.to_le_bytes());
        assert_eq!(b[36..40], [3, 1, 16, 0]);
        assert_eq!(b[40..44], 4096u32.to_le_bytes());
        assert_eq!(b[48..56], (-5i64).to_le_bytes());
        assert_eq!(b[64..72], 7i64.to_le_bytes());
        assert_eq!(
            &key_str_u64("bash", 59)[..],
            &[
                b"bash\0\0\0\0\0\0\0\0\0\0\0\0".as_slice(),
                &59u64.to_le_bytes()
            ]
            .concat()[..]
        );
    }

    #[test]
    fn hist_renders_like_bpftrace() {
        let mut h = Hist::new();
        for v in [0, 1, 1, 5, 6, 7, 1500] {
            h.add(v);
        }
        assert_eq!((h.slot(0), h.slot(1), h.slot(3), h.slot(11)), (1, 2, 3, 1));
        let mut buf = [0u8; 2048];
        let mut out = Report::new(&mut buf);
        h.render(&mut out);
        let bar = |n: usize| format!("|{}{}|", "@".repeat(n), " ".repeat(52 - n));
        let want = [
            format!("[0]                 1       {}", bar(17)),
            format!("[1]                 2       {}", bar(34)),
            format!("[2, 4)              0       {}", bar(0)),
            format!("[4, 8)              3       {}", bar(52)),
        ];
        let got: Vec<&str> = text(&buf).lines().collect();
        assert_eq!(got.len(), 12, "slots 0 to 11");
        assert_eq!(
            got[..4],
            want.iter().map(String::as_str).collect::<Vec<_>>()[..]
        );
        assert_eq!(got[11], format!("[1K, 2K)            1       {}", bar(17)));
    }

    #[test]
    fn signed_numbers_and_padding() {
        let mut buf = [0u8; 64];
        let mut out = Report::new(&mut buf);
        out.put_i64(-17)
            .put(" ")
            .put_i64(i64::MIN)
            .put(" ")
            .put_padded("ab", 4)
            .put("|");
        assert_eq!(text(&buf), "-17 -9223372036854775808 ab  |");
    }

    #[test]
    fn write_formats_into_a_report_and_cuts_at_its_end() {
        let mut buf = [0u8; 32];
        let mut out = Report::new(&mut buf);
        let (pid, name, count) = (42, "mkdir", 7u64);
        writeln!(out, "{pid:<8}{name:<16}{count}");
        assert_eq!(out.as_str(), "42      mkdir           7\n");
        write!(out, "{}", "x".repeat(40));
        assert_eq!(out.as_str().len(), 31, "the last byte is the NUL");
        assert_eq!(
            text(&buf),
            format!("42      mkdir           7\n{}", "x".repeat(5))
        );
    }

    #[test]
    fn a_record_formats_and_cuts_at_512_bytes_on_a_character_boundary() {
        let mut r = Record::new();
        write!(r, "pid={:<6}|{:>4}|{:#x}", 42, "ab", 255);
        assert_eq!(r.as_str(), "pid=42    |  ab|0xff");
        let mut r = Record::new();
        for _ in 0..600 {
            write!(r, "é");
        }
        assert_eq!(r.as_str().len(), RECORD_MAX);
        assert_eq!(r.as_str().chars().count(), RECORD_MAX / 2);
    }

    #[test]
    fn a_report_starts_empty_over_a_used_buffer() {
        let mut buf = [0u8; 16];
        Report::new(&mut buf).put("old text");
        let out = Report::new(&mut buf);
        assert_eq!(out.as_str(), "");
        assert_eq!(text(&buf), "");
    }

    #[test]
    fn table_ascending_lists_every_entry_smallest_first() {
        let mut t: Table<8> = Table::new();
        for (k, name, n) in [(1, "a", 5), (2, "b", 9), (3, "c", 1), (4, "d", 5)] {
            t.add(k, name, n);
        }
        let mut got = Vec::new();
        t.ascending(|k, name, n| got.push((k, name.to_string(), n)));
        let want = [(3, "c", 1), (1, "a", 5), (4, "d", 5), (2, "b", 9)];
        assert_eq!(got, want.map(|(k, name, n)| (k, name.to_string(), n)));
    }

    #[test]
    fn a_global_used_inside_its_own_with_panics() {
        static G: Global<u64> = Global::new(1);
        G.update(|n| n + 1);
        assert_eq!(G.with(|v| *v), 2);
        let nested = std::panic::catch_unwind(|| G.with(|_| G.get()));
        assert!(nested.is_err());
    }

    #[test]
    fn table_top_is_largest_first_and_cut() {
        let mut t: Table<4> = Table::new();
        for (k, n) in [(1, 5), (2, 9), (3, 1), (4, 7), (5, 3)] {
            t.add(k, "x", n);
        }
        assert_eq!(t.dropped, 3);
        let mut got = Vec::new();
        t.top(3, |k, _, n| got.push((k, n)));
        assert_eq!(got, [(2, 9), (4, 7), (1, 5)]);
    }
}
