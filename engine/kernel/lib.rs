// SPDX-License-Identifier: GPL-2.0

//! The engine as a staticlib for the kernel module.
//!
//! The kernel's own `core` cannot build wasmi (it lacks float formatting), so the engine is
//! its own crate graph, built with `-Zbuild-std` for the kernel's target. This crate adds
//! what a `no_std` staticlib needs, each answered by a function the module implements:
//! memory comes from `kwasm_rt_alloc`/`kwasm_rt_free`, and a panic ends in `kwasm_rt_panic`.

#![no_std]

use core::alloc::{GlobalAlloc, Layout};

// Pulls in the engine and with it the `#[no_mangle]` C ABI functions.
pub use kwasm_engine::selftest;

use core::ffi::{c_char, c_void};

extern "C" {
    fn kwasm_rt_alloc(size: usize, align: usize) -> *mut c_void;
    fn kwasm_rt_free(ptr: *mut c_void, size: usize, align: usize);
    fn kwasm_rt_panic(msg: *const c_char, len: usize) -> !;
}

// The declarations above have the types the C ABI defines (src/rt.c is checked too).
const _: kwasm_engine::RtAlloc = kwasm_rt_alloc;
const _: kwasm_engine::RtFree = kwasm_rt_free;
const _: kwasm_engine::RtPanic = kwasm_rt_panic;

struct KernelAllocator;

// SAFETY: `kwasm_rt_alloc` returns memory of at least `size` bytes aligned to `align`, or
// null; `kwasm_rt_free` frees what it returned, given the same size and alignment.
unsafe impl GlobalAlloc for KernelAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: The module's allocator accepts any size and power-of-two alignment.
        unsafe { kwasm_rt_alloc(layout.size(), layout.align()).cast() }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above with this layout, as `GlobalAlloc` requires.
        unsafe { kwasm_rt_free(ptr.cast(), layout.size(), layout.align()) }
    }
}

#[global_allocator]
static ALLOCATOR: KernelAllocator = KernelAllocator;

/// Formats the panic message into a fixed buffer, without allocating.
struct PanicBuf {
    buf: [u8; 256],
    len: usize,
}

impl core::fmt::Write for PanicBuf {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let mut msg = PanicBuf {
        buf: [0; 256],
        len: 0,
    };
    let _ = core::fmt::write(&mut msg, format_args!("{info}"));
    // SAFETY: `msg.buf[..msg.len]` is initialized; the callee does not return.
    unsafe { kwasm_rt_panic(msg.buf.as_ptr().cast(), msg.len) }
}
