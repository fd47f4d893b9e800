// SPDX-License-Identifier: GPL-2.0

//! The limits a program runs under, and the wasmi resource limiter that enforces them.

use wasmi::errors::{MemoryError, TableError};
use wasmi::ResourceLimiter;
use wasmi_core::LimiterError;

/// Bytes in a Wasm page.
pub const WASM_PAGE: u64 = 65536;

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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_code_bytes: 1 << 20,
            max_memory_pages: 16,
            max_table_elements: 1024,
            max_attach_points: 128,
            stack_bytes: 64 << 10,
            max_call_depth: 256,
            start_fuel: 1_000_000,
        }
    }
}

/// What the limiter refused, so a failed instantiation can say which limit it hit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Refusal {
    #[default]
    None,
    Memory {
        desired_bytes: usize,
    },
    Table {
        desired: usize,
    },
}

/// Enforces [`Limits`] on a store: one instance, one memory, bounded tables, and no
/// growth after load.
///
/// Growing a memory or table reallocates it, and after load every call runs in atomic
/// context (a kprobe handler, or `report` under the program's raw spinlock), where kwasm
/// allocates nothing. So `memory.grow` and `table.grow` work in `start` and return -1
/// afterwards, as the Wasm spec lets any grow fail.
#[derive(Debug)]
pub(crate) struct Limiter {
    max_memory_bytes: usize,
    max_table_elements: usize,
    /// Set once the module is instantiated and its `start` has run.
    pub(crate) loaded: bool,
    /// The last refusal at load time (at run time a refused `memory.grow` just yields -1).
    pub(crate) refused: Refusal,
}

impl Limiter {
    pub(crate) fn new(limits: &Limits) -> Self {
        Self {
            max_memory_bytes: (u64::from(limits.max_memory_pages) * WASM_PAGE) as usize,
            max_table_elements: limits.max_table_elements as usize,
            loaded: false,
            refused: Refusal::None,
        }
    }
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        if self.loaded {
            return Ok(false);
        }
        let ok = desired <= self.max_memory_bytes;
        if !ok {
            self.refused = Refusal::Memory {
                desired_bytes: desired,
            };
        }
        Ok(ok)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        if self.loaded {
            return Ok(false);
        }
        let ok = desired <= self.max_table_elements;
        if !ok {
            self.refused = Refusal::Table { desired };
        }
        Ok(ok)
    }

    fn memory_grow_failed(&mut self, _error: &MemoryError) -> Result<(), LimiterError> {
        Ok(())
    }

    fn table_grow_failed(&mut self, _error: &TableError) -> Result<(), LimiterError> {
        Ok(())
    }

    fn instances(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        16
    }

    fn memories(&self) -> usize {
        1
    }
}
