// SPDX-License-Identifier: GPL-2.0

//! The limits a program runs under, and the wasmi resource limiter that enforces them.

use wasmi::errors::{MemoryError, TableError};
use wasmi::ResourceLimiter;
use wasmi_core::LimiterError;

/// Bytes in a Wasm page.
pub const WASM_PAGE: u64 = 65536;

pub use crate::cabi::Limits;

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
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
