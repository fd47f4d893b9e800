// SPDX-License-Identifier: GPL-2.0

//! Write kwasm probes in Rust.
//!
//! A probe is a `#![no_std]` `cdylib` for `wasm32-unknown-unknown`. This crate declares
//! kwasm's host functions (SPEC §2) with safe wrappers, macros that export handlers
//! under the names kwasm looks for, and the small helpers a report needs.
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

#![no_std]

use core::cell::UnsafeCell;

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
        pub(crate) fn pid() -> i32;
        pub(crate) fn tgid() -> i32;
        pub(crate) fn cpu() -> i32;
        pub(crate) fn comm(dst: *mut u8, len: i32) -> i32;
        pub(crate) fn print(msg: *const u8, len: i32);
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
    let n = status(unsafe { sys::read_kernel_str(src as i64, dst.as_mut_ptr(), dst.len() as i32) })?;
    Ok(as_str(&dst[..n]))
}

/// Monotonic nanoseconds.
pub fn ktime_ns() -> u64 {
    // SAFETY: A host call with no pointers.
    unsafe { sys::ktime_ns() as u64 }
}

/// The current thread's id.
pub fn pid() -> i32 {
    // SAFETY: A host call with no pointers.
    unsafe { sys::pid() }
}

/// The current process's id.
pub fn tgid() -> i32 {
    // SAFETY: A host call with no pointers.
    unsafe { sys::tgid() }
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

/// A global a probe's handlers share. kwasm serializes every call into a program, and a
/// Wasm instance has one thread, so plain interior mutability is sound here.
pub struct Global<T>(UnsafeCell<T>);

// SAFETY: A Wasm instance runs one call at a time (kwasm serializes them).
unsafe impl<T> Sync for Global<T> {}

impl<T> Global<T> {
    /// A global with an initial value.
    pub const fn new(value: T) -> Self {
        Self(UnsafeCell::new(value))
    }
}

impl<T: Copy> Global<T> {
    /// Its value.
    pub fn get(&self) -> T {
        // SAFETY: No call runs concurrently with this one (see the type's doc).
        unsafe { *self.0.get() }
    }

    /// Replaces its value with `f(value)`.
    pub fn update(&self, f: impl FnOnce(T) -> T) {
        // SAFETY: As for `get`.
        unsafe { *self.0.get() = f(*self.0.get()) }
    }
}

impl<T> Global<T> {
    /// Runs `f` with the value borrowed mutably; `f` must not touch this global again.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        // SAFETY: As for `get`; `f` cannot reach the same global (documented).
        f(unsafe { &mut *self.0.get() })
    }
}

/// A report being written: text into a fixed buffer, NUL-terminated, cut when full.
pub struct Report<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Report<'a> {
    /// Starts a report in `buf` (its last byte is kept for the NUL).
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

    /// Appends `s` padded with spaces to `width`.
    pub fn put_padded(&mut self, s: &str, width: usize) -> &mut Self {
        self.put(s);
        for _ in s.len()..width {
            self.put(" ");
        }
        self
    }

    /// The address kwasm's `report` export returns.
    pub fn as_ptr(&self) -> *const u8 {
        self.buf.as_ptr()
    }
}

/// A table of counters keyed by a number, each with a name (e.g. tgid and comm).
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
        Self { keys: [0; N], counts: [0; N], names: [[0; 16]; N], used: 0, dropped: 0 }
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
            for i in 0..self.used {
                if !taken[i] && best.is_none_or(|b| self.counts[i] > self.counts[b]) {
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
