// SPDX-License-Identifier: GPL-2.0

//! Probes written for the wasm3 module (Documentation/probe-abi.rst): the exported globals
//! `comm`, `buffer`
//! and `buffer_size`, read once at load.
//!
//! Built with clang's `--export-all`, a probe exports its C data as globals that hold
//! *addresses* in linear memory: `comm` of a `char[]` (the task name that every handler
//! is restricted to), `buffer` of a `char[]` (where syscall string arguments are copied)
//! and `buffer_size` of an `unsigned int` holding the buffer's size.

use wasmi::{Instance, Store, Val};

use crate::error::{load_error, LoadError};
use crate::host::HostState;

/// `TASK_COMM_LEN`: a task name has at most 15 bytes.
pub const COMM_LEN: usize = 16;

/// What the compat globals said.
#[derive(Debug, Default)]
pub(crate) struct Compat {
    /// The task name handlers are restricted to, NUL-terminated.
    pub(crate) comm: Option<[u8; COMM_LEN]>,
    /// Where string arguments go: address and size in linear memory.
    pub(crate) buffer: Option<(u32, u32)>,
}

/// The value of exported global `name` as an address, if the module exports one.
fn address(
    instance: &Instance,
    store: &Store<HostState>,
    name: &str,
) -> Result<Option<u32>, LoadError> {
    let Some(global) = instance.get_global(store, name) else {
        return Ok(None);
    };
    match global.get(store) {
        Val::I32(v) => Ok(Some(v as u32)),
        _ => Err(load_error!(
            EINVAL,
            "global \"{name}\" must be an i32 (an address in memory)"
        )),
    }
}

/// Reads and checks the compat globals against `memory`.
pub(crate) fn read(
    instance: &Instance,
    store: &Store<HostState>,
    memory: &[u8],
) -> Result<Compat, LoadError> {
    let mut out = Compat::default();
    let outside = |what: &str, addr: u32| {
        load_error!(
            EINVAL,
            "global \"{what}\" holds address {addr}, outside memory ({} bytes)",
            memory.len()
        )
    };
    if let Some(addr) = address(instance, store, "comm")? {
        let tail = memory
            .get(addr as usize..)
            .ok_or_else(|| outside("comm", addr))?;
        let len = tail
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| load_error!(EINVAL, "global \"comm\": no NUL after address {addr}"))?;
        if len >= COMM_LEN {
            return Err(load_error!(
                EINVAL,
                "global \"comm\": a task name has at most 15 bytes, this one {len}"
            ));
        }
        let mut comm = [0u8; COMM_LEN];
        comm[..len].copy_from_slice(&tail[..len]);
        out.comm = Some(comm);
    }
    let buffer = address(instance, store, "buffer")?;
    let size_addr = address(instance, store, "buffer_size")?;
    match (buffer, size_addr) {
        (Some(buf), Some(size_addr)) => {
            let bytes = memory
                .get(size_addr as usize..size_addr as usize + 4)
                .ok_or_else(|| outside("buffer_size", size_addr))?;
            let size = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            if size == 0 {
                return Err(load_error!(
                    EINVAL,
                    "global \"buffer_size\": the buffer has 0 bytes"
                ));
            }
            let end = u64::from(buf) + u64::from(size);
            if end > memory.len() as u64 {
                return Err(load_error!(
                    EINVAL,
                    "global \"buffer\": {size} bytes at address {buf} run past memory ({} bytes)",
                    memory.len()
                ));
            }
            out.buffer = Some((buf, size));
        }
        (Some(_), None) => {
            return Err(load_error!(
                EINVAL,
                "global \"buffer\" needs \"buffer_size\" too"
            ))
        }
        _ => {}
    }
    Ok(out)
}
