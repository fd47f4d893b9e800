// SPDX-License-Identifier: GPL-2.0

//! The kwasm engine: wasmi, the probe ABI, host functions and limits.
//!
//! Everything about WebAssembly lives in this crate and nothing about the kernel does: the
//! kernel module reaches it through the C ABI in `ffi` (declared in `src/kwasm_engine.h`),
//! and host builds (`--features std`) test, fuzz and benchmark the very same code.

#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod abi;
mod cabi;
mod compat;
mod error;
mod ffi;
pub mod format;
mod host;
mod limits;
mod maps;
mod prescan;
mod program;
mod selftest;

pub use abi::{AttachKind, AttachPoint, ParamType, KINDS, MAX_PARAMS};
pub use cabi::{RtAlloc, RtFree, RtPanic};
pub use compat::COMM_LEN;
pub use error::{Errno, LoadError, Trap, TrapKind};
pub use host::{
    Ctx, HostOps, READ_KERNEL, READ_KERNEL_STR, READ_USER, READ_USER_STR, STREAM_RECORD_MAX,
    TASK_CPU, TASK_PID, TASK_TGID,
};
pub use limits::{Limits, WASM_PAGE};
pub use maps::{
    Maps, MAP_AVG, MAP_COUNT, MAP_DECL_BYTES, MAP_HIST, MAP_KEY_I64, MAP_KEY_NONE, MAP_KEY_STR,
    MAP_KEY_U64, MAP_LHIST, MAP_MAX, MAP_MIN, MAP_STATS, MAP_SUM, READ_BUCKET, READ_COUNT,
    READ_TOTAL, READ_VALUE,
};
pub use program::{Program, ReportError, ReportOutput};
pub use selftest::{selftest, SELFTEST_EXPECTED};

/// The C ABI of `src/kwasm_engine.h`, for Rust callers on the host: tests and benchmarks
/// call the very functions the kernel module calls, through their C calling convention.
pub mod capi {
    pub use crate::ffi::{
        kwasm_engine_attach_count, kwasm_engine_attach_point, kwasm_engine_call,
        kwasm_engine_comm_filter, kwasm_engine_free, kwasm_engine_has_report,
        kwasm_engine_instantiate, kwasm_engine_kind, kwasm_engine_load, kwasm_engine_maps,
        kwasm_engine_maps_clear, kwasm_engine_maps_count, kwasm_engine_maps_print,
        kwasm_engine_maps_stats, kwasm_engine_report, kwasm_engine_selftest, kwasm_engine_sizes,
        kwasm_engine_uses_entry_ns, kwasm_engine_uses_stream, AttachInfo, TrapInfo,
    };
}
