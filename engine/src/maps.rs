// SPDX-License-Identifier: GPL-2.0

//! Kernel-side maps (probe-abi.rst, "Maps"): declared at load, updated by handlers with
//! no lock and no allocation, merged and printed the way bpftrace prints its maps.
//!
//! Each map has one table per possible CPU, each allocated separately at declaration
//! (process context). A table is written only by its own CPU, inside a call into the
//! program, and the kernel side never lets one CPU be inside two calls at once (its
//! per-CPU busy flag): so a table has one writer at a time and its values are plain
//! relaxed loads and stores, with no read-modify-write and no lock. Readers (`maps`,
//! `map_read`) run on any CPU and merge the tables by key.
//!
//! A table is an open-addressing index (linear probing, a power of two at least twice
//! `max_entries`) over a dense array of entries in insertion order. The writer publishes
//! an entry (key, first value) before it bumps `used` with release ordering; readers walk
//! `0..used` after an acquire load, and need nothing else of the index. Keys resolve to
//! different slots on different CPUs and that is fine: merging is by key, at read time.
//!
//! Clearing bumps the maps' epoch; a table whose epoch is older reads as empty, and its
//! CPU zeroes the entries it used on its next update (work bounded by what it used), so
//! no CPU ever writes another CPU's table.
//!
//! A keyless map of an additive kind may instead keep its value in *cells*: words at an
//! address of the program's linear memory, which the program updates itself with plain
//! Wasm loads and stores, with no host call (probe-abi.rst, "Cells"). Each instance's
//! memory holds its own cells, so in per-CPU mode they are per CPU as the tables are.
//! Readers add up every instance's cells; clearing records each instance's cells as a
//! baseline that readers subtract, so the kernel never writes a program's memory.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt::Write;
use core::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering::*};

use crate::error::{load_error, LoadError};
use crate::limits::Limits;

pub use crate::cabi::{
    MAP_AVG, MAP_COUNT, MAP_DECL_BYTES, MAP_HIST, MAP_KEY_I64, MAP_KEY_NONE, MAP_KEY_STR,
    MAP_KEY_U64, MAP_LHIST, MAP_MAX, MAP_MIN, MAP_STATS, MAP_SUM,
};

/// Longest map name (without the `@`).
pub const MAX_NAME: usize = 31;
/// Longest string part of a key, in bytes (bpftrace's `comm` is 16).
pub const MAX_KEY_STR: u32 = 64;
/// Most buckets of an `lhist()` between its min and max (bpftrace's limit).
pub const MAX_LHIST_BUCKETS: i64 = 1000;
/// Buckets of a `hist()`: negative values, zero, then one per power of two.
const HIST_BUCKETS: usize = 65;

/// What a [`read`](Maps::read) of one key returns: selectors of `map_read`.
pub const READ_VALUE: i32 = 0;
/// The number of updates (avg, stats, hist, lhist: the count; count: the count).
pub const READ_COUNT: i32 = 1;
/// The sum of the values (avg, stats; sum: the sum).
pub const READ_TOTAL: i32 = 2;
/// `READ_BUCKET + i`: bucket i of a hist or lhist, in bpftrace's numbering.
pub const READ_BUCKET: i32 = 16;

/// One part of a key, as declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    U64,
    I64,
    /// A string of at most this many bytes, zero-padded to whole words.
    Str(u32),
}

impl Part {
    fn words(self) -> usize {
        match self {
            Part::U64 | Part::I64 => 1,
            Part::Str(n) => (n as usize).div_ceil(8),
        }
    }
}

/// What a map aggregates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Count,
    Sum,
    Min,
    Max,
    Avg,
    Stats,
    Hist,
    Lhist { lo: i64, hi: i64, step: i64 },
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Count => "count",
            Kind::Sum => "sum",
            Kind::Min => "min",
            Kind::Max => "max",
            Kind::Avg => "avg",
            Kind::Stats => "stats",
            Kind::Hist => "hist",
            Kind::Lhist { .. } => "lhist",
        }
    }

    /// Value words in cells: an entry's, and for sum a count, which tells an updated
    /// map from one never updated (count, avg, stats and histograms count already).
    fn cell_words(self) -> Option<usize> {
        match self {
            Kind::Count | Kind::Avg | Kind::Stats | Kind::Hist | Kind::Lhist { .. } => {
                Some(self.words())
            }
            Kind::Sum => Some(2),
            // A minimum or maximum cannot have a baseline subtracted: no cells.
            Kind::Min | Kind::Max => None,
        }
    }

    /// Whether merged cell words `w` saw an update.
    fn cells_updated(self, w: &impl Fn(usize) -> u64) -> bool {
        match self {
            Kind::Sum => w(1) != 0,
            Kind::Hist | Kind::Lhist { .. } => (0..self.words()).any(|i| w(i) != 0),
            _ => w(0) != 0,
        }
    }

    /// Value words per entry.
    fn words(self) -> usize {
        match self {
            Kind::Count | Kind::Sum | Kind::Min | Kind::Max => 1,
            Kind::Avg | Kind::Stats => 2,
            Kind::Hist => HIST_BUCKETS,
            // In i128: an accepted range may span more than i64 (few, wide buckets).
            Kind::Lhist { lo, hi, step } => lhist_last(lo, hi, step) + 1,
        }
    }
}

/// bpftrace's `log2()` bucket: 0 for negatives, 1 for zero, 2 + floor(log2 v) above.
fn hist_bucket(v: i64) -> usize {
    match v {
        i64::MIN..=-1 => 0,
        0 => 1,
        _ => 2 + (63 - v.leading_zeros() as usize),
    }
}

/// The last bucket of an `lhist()` (at and above `hi`); its range was checked at
/// declaration (at most [`MAX_LHIST_BUCKETS`] between `lo` and `hi`).
fn lhist_last(lo: i64, hi: i64, step: i64) -> usize {
    ((hi as i128 - lo as i128) / step as i128) as usize + 1
}

/// bpftrace's `linear()` bucket: 0 below `lo`, 1 + (v - lo) / step up to `hi`, and the
/// last one at and above it.
fn lhist_bucket(v: i64, lo: i64, hi: i64, step: i64) -> usize {
    let last = lhist_last(lo, hi, step);
    if v < lo {
        0
    } else if v > hi {
        last
    } else {
        (1 + ((v as i128 - lo as i128) / step as i128) as usize).min(last)
    }
}

/// The cache line size the tables are laid out for (x86_64's, and most others').
const CACHE_LINE: usize = 64;

/// One CPU's table. Aligned so that two CPUs' headers never share a cache line.
#[repr(align(64))]
struct Table {
    /// The maps' epoch this table's contents belong to.
    epoch: AtomicU64,
    /// Entries in use, published with release ordering.
    used: AtomicU32,
    /// Updates that found the table full.
    dropped: AtomicU64,
    /// Open-addressing index: 0 is empty, else entry number + 1.
    index: Box<[AtomicU32]>,
    /// `max_entries` entries of `stride` words: key, index slot, values.
    entries: Box<[AtomicU64]>,
}

/// A map's cells (see the module's doc).
struct Cells {
    /// Their address in linear memory, the same in every instance; 8-byte aligned.
    addr: u32,
    /// How many words: [`Kind::cell_words`].
    words: usize,
    /// Each instance's cells as the last clear found them, `words` per instance slot.
    baseline: Box<[AtomicU64]>,
}

/// One declared map.
pub(crate) struct Map {
    /// The descriptor it was declared with, to check a replayed declaration against.
    decl: [u8; MAP_DECL_BYTES as usize],
    name: [u8; MAX_NAME],
    name_len: usize,
    kind: Kind,
    parts: [Option<Part>; 2],
    key_words: usize,
    max_entries: u32,
    stride: usize,
    /// One per possible CPU; none for a map with cells.
    tables: Box<[Table]>,
    cells: Option<Cells>,
}

/// Every map of a program, shared by its calls and by readers on other CPUs.
pub struct Maps {
    maps: Vec<Map>,
    /// Bumped by [`Maps::clear`].
    epoch: AtomicU64,
    /// Bytes allocated for the tables, all CPUs.
    bytes: usize,
    /// Where each instance's linear memory starts, for maps with cells: a slot per
    /// possible CPU and one more (per-CPU mode on one CPU keeps the loaded instance
    /// beside the CPU's). Null for a slot no instance holds.
    memories: Box<[AtomicPtr<u8>]>,
    /// Slots handed out by [`Maps::attach_memory`].
    attached: AtomicUsize,
}

/// Why an update or read could not be done: the trap's sentence.
pub(crate) type MapError = &'static core::ffi::CStr;

/// Reads a little-endian integer of `N` bytes at `at`.
fn le<const N: usize>(d: &[u8], at: usize) -> [u8; N] {
    let mut b = [0u8; N];
    b.copy_from_slice(&d[at..at + N]);
    b
}

fn hash(key: &[u64]) -> u64 {
    // FxHash's mixing: cheap and good enough for an index that is probed linearly.
    let mut h = 0u64;
    for &w in key {
        h = (h.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    h ^ (h >> 29)
}

impl Default for Maps {
    fn default() -> Self {
        Self::new()
    }
}

impl Maps {
    /// No maps.
    pub fn new() -> Self {
        Self {
            maps: Vec::new(),
            epoch: AtomicU64::new(0),
            bytes: 0,
            memories: Box::new([]),
            attached: AtomicUsize::new(0),
        }
    }

    /// How many maps there are.
    pub fn len(&self) -> usize {
        self.maps.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.maps.is_empty()
    }

    /// Bytes allocated for all tables of all CPUs.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Declares a map from the [`MAP_DECL_BYTES`]-byte descriptor `d` (probe-abi.rst);
    /// allocates every CPU's table now. Returns its id.
    pub(crate) fn declare(&mut self, d: &[u8], limits: &Limits) -> Result<i32, LoadError> {
        if d.len() != MAP_DECL_BYTES as usize {
            return Err(load_error!(
                EINVAL,
                "map_declare: a descriptor is {MAP_DECL_BYTES} bytes, not {}",
                d.len()
            ));
        }
        let name_len = d[..32].iter().position(|&b| b == 0).unwrap_or(32);
        let name = &d[..name_len];
        let shown = core::str::from_utf8(name).unwrap_or("?");
        if name_len > MAX_NAME
            || !name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_')
            || name.first().is_some_and(u8::is_ascii_digit)
        {
            return Err(load_error!(
                EINVAL,
                "map_declare: a map name has at most {MAX_NAME} letters, digits and '_', not starting with a digit"
            ));
        }
        if self.maps.iter().any(|m| &m.name[..m.name_len] == name) {
            return Err(load_error!(
                EINVAL,
                "map_declare: map @{shown} is declared twice"
            ));
        }
        if self.maps.len() >= limits.max_maps as usize {
            return Err(load_error!(
                E2BIG,
                "map_declare: map @{shown} is one more than the limit of {} maps (max_maps)",
                limits.max_maps
            ));
        }
        let u32_at = |at| u32::from_le_bytes(le::<4>(d, at));
        let i64_at = |at| i64::from_le_bytes(le::<8>(d, at));
        let (lo, hi, step) = (i64_at(48), i64_at(56), i64_at(64));
        let kind = match u32_at(32) {
            MAP_COUNT => Kind::Count,
            MAP_SUM => Kind::Sum,
            MAP_MIN => Kind::Min,
            MAP_MAX => Kind::Max,
            MAP_AVG => Kind::Avg,
            MAP_STATS => Kind::Stats,
            MAP_HIST => Kind::Hist,
            MAP_LHIST => {
                if step <= 0 || hi <= lo {
                    return Err(load_error!(
                        EINVAL,
                        "map_declare: lhist @{shown} needs min < max and step > 0, not min {lo}, max {hi}, step {step}"
                    ));
                }
                let buckets = (hi as i128 - lo as i128) / step as i128;
                if buckets > MAX_LHIST_BUCKETS as i128 {
                    return Err(load_error!(
                        E2BIG,
                        "map_declare: lhist @{shown} has {buckets} buckets, over the limit of {MAX_LHIST_BUCKETS}"
                    ));
                }
                Kind::Lhist { lo, hi, step }
            }
            other => {
                return Err(load_error!(
                    EINVAL,
                    "map_declare: map @{shown} has unknown kind {other}"
                ))
            }
        };
        let str_len = u32::from(u16::from_le_bytes(le::<2>(d, 38)));
        let part = |t: u8| -> Result<Option<Part>, LoadError> {
            Ok(match u32::from(t) {
                MAP_KEY_NONE => None,
                MAP_KEY_U64 => Some(Part::U64),
                MAP_KEY_I64 => Some(Part::I64),
                MAP_KEY_STR if (1..=MAX_KEY_STR).contains(&str_len) => Some(Part::Str(str_len)),
                MAP_KEY_STR => {
                    return Err(load_error!(
                        E2BIG,
                        "map_declare: map @{shown} has a string key of {str_len} bytes, not 1 to {MAX_KEY_STR}"
                    ))
                }
                other => {
                    return Err(load_error!(
                        EINVAL,
                        "map_declare: map @{shown} has unknown key type {other}"
                    ))
                }
            })
        };
        let parts = [part(d[36])?, part(d[37])?];
        if parts[0].is_none() && parts[1].is_some() {
            return Err(load_error!(
                EINVAL,
                "map_declare: map @{shown} has a second key part but no first"
            ));
        }
        if u64::from_le_bytes(le::<8>(d, 72)) != 0 {
            return Err(load_error!(
                EINVAL,
                "map_declare: map @{shown}: reserved descriptor fields must be 0"
            ));
        }
        let key_words: usize = parts.iter().flatten().map(|p| p.words()).sum();
        let cells_at = u32_at(44);
        if cells_at != 0 {
            return self.declare_cells(d, name, kind, cells_at, key_words, limits);
        }
        // A map without a key has exactly one entry.
        let max_entries = if key_words == 0 { 1 } else { u32_at(40) };
        if max_entries == 0 || max_entries > limits.max_map_entries {
            return Err(load_error!(
                E2BIG,
                "map_declare: map @{shown} has max_entries {max_entries}, not 1 to {} (max_map_entries)",
                limits.max_map_entries
            ));
        }
        let stride = key_words + 1 + kind.words();
        // Every CPU's index and entries are allocations of their own, in whole cache
        // lines (kmalloc aligns a size that is a multiple of 64 to 64), so that two CPUs'
        // updates never write one line: a small map's 24 bytes of entries would
        // otherwise share one with the next CPU's.
        let slots = (max_entries as usize * 2)
            .next_power_of_two()
            .max(CACHE_LINE / 4);
        let entry_words = (max_entries as usize * stride).next_multiple_of(CACHE_LINE / 8);
        let cpus = limits.cpus.max(1) as usize;
        let per_cpu = core::mem::size_of::<Table>() + slots * 4 + entry_words * 8;
        let bytes = per_cpu.saturating_mul(cpus);
        if self.bytes.saturating_add(bytes) > limits.max_map_bytes as usize {
            return Err(load_error!(
                E2BIG,
                "map_declare: map @{shown} needs {bytes} bytes ({cpus} CPUs x {per_cpu}), which with the {} of the maps before it is over the limit of {} (max_map_bytes)",
                self.bytes,
                limits.max_map_bytes
            ));
        }
        let mut tables = Vec::new();
        tables
            .try_reserve_exact(cpus)
            .map_err(|_| load_error!(ENOMEM, "map_declare: map @{shown}: out of memory"))?;
        for _ in 0..cpus {
            let zeroed32 = |n: usize| -> Option<Box<[AtomicU32]>> {
                let mut v = Vec::new();
                v.try_reserve_exact(n).ok()?;
                v.resize_with(n, || AtomicU32::new(0));
                Some(v.into_boxed_slice())
            };
            let zeroed64 = |n: usize| -> Option<Box<[AtomicU64]>> {
                let mut v = Vec::new();
                v.try_reserve_exact(n).ok()?;
                v.resize_with(n, || AtomicU64::new(0));
                Some(v.into_boxed_slice())
            };
            let (Some(index), Some(entries)) = (zeroed32(slots), zeroed64(entry_words)) else {
                return Err(load_error!(
                    ENOMEM,
                    "map_declare: map @{shown}: out of memory"
                ));
            };
            tables.push(Table {
                epoch: AtomicU64::new(0),
                used: AtomicU32::new(0),
                dropped: AtomicU64::new(0),
                index,
                entries,
            });
        }
        let mut stored = [0u8; MAX_NAME];
        stored[..name_len].copy_from_slice(name);
        let mut decl = [0u8; MAP_DECL_BYTES as usize];
        decl.copy_from_slice(d);
        self.maps.push(Map {
            decl,
            name: stored,
            name_len,
            kind,
            parts,
            key_words,
            max_entries,
            stride,
            tables: tables.into_boxed_slice(),
            cells: None,
        });
        self.bytes += bytes;
        Ok(self.maps.len() as i32 - 1)
    }

    /// [`Maps::declare`] of a map with cells at `addr`: checks that its kind can have
    /// them, and allocates a baseline per instance slot instead of tables.
    fn declare_cells(
        &mut self,
        d: &[u8],
        name: &[u8],
        kind: Kind,
        addr: u32,
        key_words: usize,
        limits: &Limits,
    ) -> Result<i32, LoadError> {
        let shown = core::str::from_utf8(name).unwrap_or("?");
        let words = match kind.cell_words() {
            Some(w) if key_words == 0 => w,
            _ => {
                return Err(load_error!(
                    EINVAL,
                    "map_declare: map @{shown}: cells are for a map without a key of kind count, sum, avg, stats, hist or lhist, not a {}{}",
                    if key_words == 0 { "" } else { "keyed " },
                    kind.name()
                ))
            }
        };
        if !addr.is_multiple_of(8) {
            return Err(load_error!(
                EINVAL,
                "map_declare: map @{shown}: cells at {addr} are not 8-byte aligned"
            ));
        }
        let slots = limits.cpus.max(1) as usize + 1;
        let bytes = slots * words * 8;
        if self.bytes.saturating_add(bytes) > limits.max_map_bytes as usize {
            return Err(load_error!(
                E2BIG,
                "map_declare: map @{shown} needs {bytes} bytes ({slots} instance slots x {words} words), which with the {} of the maps before it is over the limit of {} (max_map_bytes)",
                self.bytes,
                limits.max_map_bytes
            ));
        }
        let oom = || load_error!(ENOMEM, "map_declare: map @{shown}: out of memory");
        let mut baseline = Vec::new();
        baseline
            .try_reserve_exact(slots * words)
            .map_err(|_| oom())?;
        baseline.resize_with(slots * words, || AtomicU64::new(0));
        if self.memories.is_empty() {
            let mut memories = Vec::new();
            memories.try_reserve_exact(slots).map_err(|_| oom())?;
            memories.resize_with(slots, || AtomicPtr::new(core::ptr::null_mut()));
            self.memories = memories.into_boxed_slice();
        }
        let mut stored = [0u8; MAX_NAME];
        stored[..name.len()].copy_from_slice(name);
        let mut decl = [0u8; MAP_DECL_BYTES as usize];
        decl.copy_from_slice(d);
        self.maps.push(Map {
            decl,
            name: stored,
            name_len: name.len(),
            kind,
            parts: [None, None],
            key_words: 0,
            max_entries: 1,
            stride: 1 + kind.words(),
            tables: Box::new([]),
            cells: Some(Cells {
                addr,
                words,
                baseline: baseline.into_boxed_slice(),
            }),
        });
        self.bytes += bytes;
        Ok(self.maps.len() as i32 - 1)
    }

    /// Hands an instance whose linear memory is `len` bytes at `base` a slot, so that
    /// readers add up its cells; `None` when no map has cells. Checks every map's cells
    /// against that memory.
    ///
    /// # Safety
    ///
    /// `base..base + len` must stay valid and keep its size until
    /// [`Maps::detach_memory`] of the slot, and no reader may run after that.
    pub(crate) unsafe fn attach_memory(
        &self,
        base: *mut u8,
        len: usize,
    ) -> Result<Option<usize>, LoadError> {
        if self.memories.is_empty() {
            return Ok(None);
        }
        for m in &self.maps {
            let Some(c) = &m.cells else { continue };
            let end = c.addr as usize + c.words * 8;
            if end > len {
                return Err(load_error!(
                    EINVAL,
                    "map_declare: map @{}: cells of {} bytes at {} end beyond linear memory of {len} bytes",
                    m.name(),
                    c.words * 8,
                    c.addr
                ));
            }
            if !(base as usize + c.addr as usize).is_multiple_of(8) {
                return Err(load_error!(
                    EINVAL,
                    "map_declare: map @{}: linear memory is not 8-byte aligned",
                    m.name()
                ));
            }
        }
        let slot = self.attached.fetch_add(1, Relaxed);
        let Some(p) = self.memories.get(slot) else {
            return Err(load_error!(
                E2BIG,
                "map_declare: more instances than the {} slots for cells",
                self.memories.len()
            ));
        };
        p.store(base, Release);
        Ok(Some(slot))
    }

    /// Takes an instance's memory out of its slot, before the memory goes.
    pub(crate) fn detach_memory(&self, slot: usize) {
        if let Some(p) = self.memories.get(slot) {
            p.store(core::ptr::null_mut(), Release);
        }
    }

    /// Word `w` of instance slot `slot`'s cells of `c`, as its CPU last stored it.
    fn cell(&self, c: &Cells, slot: usize, w: usize) -> Option<u64> {
        let base = self.memories.get(slot)?.load(Acquire);
        if base.is_null() || w >= c.words {
            return None;
        }
        // The instance's CPU may be storing the word meanwhile: a volatile aligned load is
        // the kernel's READ_ONCE(), which never tears a word on the 64-bit architectures
        // kwasm builds for; a reader sees the old value or the new one.
        let word = base.wrapping_add(c.addr as usize + w * 8).cast::<u64>();
        // SAFETY: attach_memory() checked that the cells lie in the slot's memory, aligned,
        // and its caller keeps that memory there until detach_memory().
        Some(unsafe { core::ptr::read_volatile(word) })
    }

    /// Word `w` of `c` merged: every instance's, less its baseline. The baseline first
    /// (acquire, against [`Maps::clear`]'s release): a word then read is at least what
    /// that clear found, so a count never reads as negative.
    fn cells_word(&self, c: &Cells, w: usize) -> u64 {
        let n = self.attached.load(Acquire).min(self.memories.len());
        (0..n).fold(0u64, |sum, slot| {
            let base = c.baseline[slot * c.words + w].load(Acquire);
            match self.cell(c, slot, w) {
                Some(v) => sum.wrapping_add(v.wrapping_sub(base)),
                None => sum,
            }
        })
    }

    /// A declaration made again by another instance of the same program (one per CPU):
    /// the `n`-th declaration must be the `n`-th map's, and gets its id.
    pub(crate) fn redeclare(&self, n: usize, d: &[u8]) -> Result<i32, LoadError> {
        match self.maps.get(n) {
            Some(m) if m.decl[..] == *d => Ok(n as i32),
            _ => Err(load_error!(
                EINVAL,
                "map_declare: declaration {n} differs from the first instance's"
            )),
        }
    }

    fn map(&self, id: i32) -> Result<&Map, MapError> {
        self.maps
            .get(id as u32 as usize)
            .ok_or(c"map: no such map id (declare maps at load)")
    }

    /// The key of `id` from a number, for maps whose key is none or one integer.
    pub(crate) fn key_from_int(&self, id: i32, key: i64) -> Result<[u64; 1], MapError> {
        let m = self.map(id)?;
        match m.parts {
            [None, None] | [Some(Part::U64 | Part::I64), None] => Ok([key as u64]),
            _ => Err(c"map: this map's key is not one integer; use the _key function"),
        }
    }

    /// Makes key words from the key's bytes: each string part is cut at its first NUL and
    /// zero-padded, so that equal strings are equal keys.
    pub(crate) fn key_from_bytes(
        &self,
        id: i32,
        bytes: &[u8],
        out: &mut [u64; 2 * MAX_KEY_STR as usize / 8],
    ) -> Result<usize, MapError> {
        let m = self.map(id)?;
        if bytes.len() != m.key_words * 8 {
            return Err(c"map: the key's length is not the map's key size");
        }
        let mut w = 0;
        for part in m.parts.iter().flatten() {
            let n = part.words();
            let chunk = &bytes[w * 8..(w + n) * 8];
            let mut ended = false;
            for i in 0..n {
                let mut b = le::<8>(chunk, i * 8);
                if matches!(part, Part::Str(_)) {
                    for byte in b.iter_mut() {
                        ended |= *byte == 0;
                        if ended {
                            *byte = 0;
                        }
                    }
                }
                out[w + i] = u64::from_le_bytes(b);
            }
            w += n;
        }
        Ok(w)
    }

    /// Applies `value` to map `id` at `key` in `cpu`'s table. No lock, no allocation: the
    /// caller is the only writer of that table (see the module's doc).
    pub(crate) fn update(
        &self,
        id: i32,
        cpu: u32,
        key: &[u64],
        value: i64,
    ) -> Result<(), MapError> {
        self.update_map(self.map(id)?, cpu, key, value)
    }

    /// [`Maps::update`] with the key of [`Maps::key_from_int`], looking the map up once.
    pub(crate) fn update_int(
        &self,
        id: i32,
        cpu: u32,
        key: i64,
        value: i64,
    ) -> Result<(), MapError> {
        let m = self.map(id)?;
        match m.parts {
            [None, None] | [Some(Part::U64 | Part::I64), None] => {}
            _ => return Err(c"map: this map's key is not one integer; use the _key function"),
        }
        self.update_map(m, cpu, &[key as u64], value)
    }

    /// The common update inline, with no call under it: a keyless map's one entry, once
    /// it exists, in a table of this epoch (count() and the other aggregations of
    /// bpftrace's `@x = f()`). Under TCG each call and return costs a lookup of the next
    /// block, so the hit path avoids them (`performance.rst`).
    #[inline(always)]
    fn update_map(&self, m: &Map, cpu: u32, key: &[u64], value: i64) -> Result<(), MapError> {
        let Some(t) = m.tables.get(cpu as usize) else {
            return Err(match m.cells {
                Some(_) => c"map: this map keeps its value in cells; update them in memory",
                None => c"map: CPU number beyond the possible CPUs",
            });
        };
        if m.key_words == 0
            && t.used.load(Relaxed) != 0
            && t.epoch.load(Relaxed) == self.epoch.load(Relaxed)
        {
            m.apply(&t.entries[1..m.stride], value, false);
            return Ok(());
        }
        self.update_table(m, t, key, value);
        Ok(())
    }

    /// [`Maps::update_map`]'s other cases: a table to reset, a key to find or insert.
    #[inline(never)]
    fn update_table(&self, m: &Map, t: &Table, key: &[u64], value: i64) {
        let epoch = self.epoch.load(Relaxed);
        if t.epoch.load(Relaxed) != epoch {
            m.reset(t);
            t.epoch.store(epoch, Release);
        }
        // A keyless map's first update lands here too: its empty key hashes to one slot,
        // where update_map() then finds the entry in the table's first place.
        let kw = m.key_words;
        let mask = t.index.len() - 1;
        let mut slot = hash(&key[..kw]) as usize & mask;
        loop {
            let e = t.index[slot].load(Relaxed) as usize;
            if e == 0 {
                break;
            }
            let at = (e - 1) * m.stride;
            if (0..kw).all(|i| t.entries[at + i].load(Relaxed) == key[i]) {
                m.apply(&t.entries[at + kw + 1..at + m.stride], value, false);
                return;
            }
            slot = (slot + 1) & mask;
        }
        let n = t.used.load(Relaxed);
        if n >= m.max_entries {
            t.dropped.store(t.dropped.load(Relaxed) + 1, Relaxed);
            return;
        }
        let at = n as usize * m.stride;
        for (slot_word, &k) in t.entries[at..at + kw].iter().zip(key) {
            slot_word.store(k, Relaxed);
        }
        t.entries[at + kw].store(slot as u64, Relaxed);
        m.apply(&t.entries[at + kw + 1..at + m.stride], value, true);
        t.index[slot].store(n + 1, Release);
        t.used.store(n + 1, Release);
    }

    /// The merged value of `key` in map `id` across CPUs (`what`: [`READ_VALUE`]...);
    /// 0 for a key no CPU has. Allocates nothing and keeps little on the stack: it may
    /// run in a handler.
    pub(crate) fn read(&self, id: i32, key: &[u64], what: i32) -> Result<i64, MapError> {
        let m = self.map(id)?;
        let bucket = match (m.kind, what) {
            (Kind::Hist | Kind::Lhist { .. }, READ_VALUE | READ_COUNT) => None,
            (Kind::Hist | Kind::Lhist { .. }, w)
                if w >= READ_BUCKET && ((w - READ_BUCKET) as usize) < m.kind.words() =>
            {
                Some((w - READ_BUCKET) as usize)
            }
            (Kind::Hist | Kind::Lhist { .. }, _) => {
                return Err(c"map_read: no such selector for a hist or lhist")
            }
            _ => None,
        };
        let mut acc = Acc::new(m.kind, false);
        if let Some(c) = &m.cells {
            if let Kind::Hist | Kind::Lhist { .. } = m.kind {
                return Ok(match bucket {
                    Some(b) => self.cells_word(c, b),
                    None => (0..c.words).fold(0u64, |s, w| s.wrapping_add(self.cells_word(c, w))),
                } as i64);
            }
            acc.add(|w| self.cells_word(c, w));
            return acc
                .get(what)
                .ok_or(c"map_read: no such selector for this map's kind");
        }
        let mut buckets = 0u64;
        let epoch = self.epoch.load(Acquire);
        for t in m.tables.iter() {
            if t.epoch.load(Acquire) != epoch {
                continue;
            }
            let Some(at) = m.find(t, key) else {
                continue;
            };
            let v = &t.entries[at + m.key_words + 1..at + m.stride];
            match (m.kind, bucket) {
                (Kind::Hist | Kind::Lhist { .. }, Some(b)) => {
                    buckets = buckets.wrapping_add(v[b].load(Relaxed))
                }
                (Kind::Hist | Kind::Lhist { .. }, None) => {
                    for w in v {
                        buckets = buckets.wrapping_add(w.load(Relaxed));
                    }
                }
                _ => acc.add(|w| v[w].load(Relaxed)),
            }
        }
        if matches!(m.kind, Kind::Hist | Kind::Lhist { .. }) {
            return Ok(buckets as i64);
        }
        acc.get(what)
            .ok_or(c"map_read: no such selector for this map's kind")
    }

    /// Empties every map: tables read as empty from now on, and each CPU zeroes its own
    /// on its next update.
    pub fn clear(&self) {
        self.epoch.fetch_add(1, AcqRel);
        let n = self.attached.load(Acquire).min(self.memories.len());
        for c in self.maps.iter().filter_map(|m| m.cells.as_ref()) {
            for slot in 0..n {
                for w in 0..c.words {
                    if let Some(v) = self.cell(c, slot, w) {
                        c.baseline[slot * c.words + w].store(v, Release);
                    }
                }
            }
        }
    }

    /// Writes a `stats` line per map: `map @NAME kind=K entries=N max_entries=M dropped=D`.
    pub fn write_stats(&self, out: &mut impl Write) -> core::fmt::Result {
        for m in &self.maps {
            let merged = self.merged(m);
            let dropped: u64 = m.tables.iter().map(|t| t.dropped.load(Relaxed)).sum();
            writeln!(
                out,
                "map @{} kind={} entries={} max_entries={} dropped={}",
                m.name(),
                m.kind.name(),
                merged.len(),
                m.max_entries,
                dropped
            )?;
        }
        Ok(())
    }

    /// Every CPU's current entries of `m`, merged by key (process context: allocates).
    fn merged(&self, m: &Map) -> BTreeMap<Vec<u64>, Acc> {
        let mut out: BTreeMap<Vec<u64>, Acc> = BTreeMap::new();
        if let Some(c) = &m.cells {
            let words: Vec<u64> = (0..c.words).map(|w| self.cells_word(c, w)).collect();
            let w = |i: usize| words[i];
            if m.kind.cells_updated(&w) {
                let mut acc = Acc::new(m.kind, true);
                acc.add(w);
                out.insert(Vec::new(), acc);
            }
            return out;
        }
        let epoch = self.epoch.load(Acquire);
        let kw = m.key_words;
        for t in m.tables.iter() {
            if t.epoch.load(Acquire) != epoch {
                continue;
            }
            let used = t.used.load(Acquire) as usize;
            for e in 0..used {
                let at = e * m.stride;
                let key: Vec<u64> = (0..kw).map(|i| t.entries[at + i].load(Relaxed)).collect();
                out.entry(key)
                    .or_insert_with(|| Acc::new(m.kind, true))
                    .add(|w| t.entries[at + kw + 1 + w].load(Relaxed));
            }
        }
        out
    }

    /// Prints every map as bpftrace 0.17 prints its maps at exit, in declaration order.
    pub fn print(&self, out: &mut Vec<u8>) {
        for m in &self.maps {
            let merged = self.merged(m);
            m.print(merged, out);
        }
    }
}

impl Map {
    fn name(&self) -> &str {
        core::str::from_utf8(&self.name[..self.name_len]).unwrap_or("?")
    }

    /// Where `key`'s entry starts in another CPU's table `t`, if it has one. That CPU may
    /// be writing `t` meanwhile: an entry is visible once its index slot is (release),
    /// and every step is bounded and checked, so a racing read can only miss a new key.
    fn find(&self, t: &Table, key: &[u64]) -> Option<usize> {
        let kw = self.key_words;
        let mask = t.index.len() - 1;
        let mut slot = hash(&key[..kw]) as usize & mask;
        for _ in 0..t.index.len() {
            let e = t.index[slot].load(Acquire) as usize;
            if e == 0 || e > self.max_entries as usize {
                return None;
            }
            let at = (e - 1) * self.stride;
            if (0..kw).all(|i| t.entries[at + i].load(Relaxed) == key[i]) {
                return Some(at);
            }
            slot = (slot + 1) & mask;
        }
        None
    }

    /// Zeroes what `t` used (its own CPU only: see the module's doc).
    fn reset(&self, t: &Table) {
        let used = t.used.load(Relaxed) as usize;
        t.used.store(0, Relaxed);
        for e in 0..used {
            let at = e * self.stride;
            let slot = t.entries[at + self.key_words].load(Relaxed) as usize;
            if let Some(s) = t.index.get(slot) {
                s.store(0, Relaxed);
            }
            for w in &t.entries[at..at + self.stride] {
                w.store(0, Relaxed);
            }
        }
    }

    /// Applies one update to an entry's value words; `fresh` for a new entry.
    #[inline(always)]
    fn apply(&self, v: &[AtomicU64], value: i64, fresh: bool) {
        let add = |w: &AtomicU64, x: u64| w.store(w.load(Relaxed).wrapping_add(x), Relaxed);
        match self.kind {
            Kind::Count => add(&v[0], 1),
            Kind::Sum => add(&v[0], value as u64),
            Kind::Min => {
                if fresh || value < v[0].load(Relaxed) as i64 {
                    v[0].store(value as u64, Relaxed);
                }
            }
            Kind::Max => {
                if fresh || value > v[0].load(Relaxed) as i64 {
                    v[0].store(value as u64, Relaxed);
                }
            }
            Kind::Avg | Kind::Stats => {
                add(&v[0], 1);
                add(&v[1], value as u64);
            }
            Kind::Hist => add(&v[hist_bucket(value)], 1),
            Kind::Lhist { lo, hi, step } => add(&v[lhist_bucket(value, lo, hi, step)], 1),
        }
    }

    /// Writes `@name[key]`, as bpftrace does: integers in decimal, strings up to NUL.
    fn write_key(&self, key: &[u64], out: &mut Vec<u8>) {
        out.push(b'@');
        out.extend_from_slice(&self.name[..self.name_len]);
        if self.key_words == 0 {
            return;
        }
        out.push(b'[');
        let mut w = 0;
        for (i, part) in self.parts.iter().flatten().enumerate() {
            if i > 0 {
                out.extend_from_slice(b", ");
            }
            match part {
                Part::U64 => {
                    let _ = write!(Out(out), "{}", key[w]);
                }
                Part::I64 => {
                    let _ = write!(Out(out), "{}", key[w] as i64);
                }
                Part::Str(_) => {
                    let bytes = key[w..w + part.words()]
                        .iter()
                        .flat_map(|k| k.to_le_bytes());
                    out.extend(bytes.take_while(|&b| b != 0));
                }
            }
            w += part.words();
        }
        out.push(b']');
    }

    fn print(&self, merged: BTreeMap<Vec<u64>, Acc>, out: &mut Vec<u8>) {
        let mut rows: Vec<(Vec<u64>, Acc)> = merged.into_iter().collect();
        // bpftrace sorts by value ascending (hist and lhist: by the sum of their buckets;
        // avg and stats: by the average); equal values keep key order.
        rows.sort_by_key(|(_, acc)| acc.sort_key());
        match self.kind {
            Kind::Hist | Kind::Lhist { .. } => {
                for (i, (key, acc)) in rows.iter().enumerate() {
                    if i > 0 {
                        out.push(b'\n');
                    }
                    self.write_key(key, out);
                    out.extend_from_slice(b": \n");
                    acc.write_hist(self.kind, out);
                }
                out.push(b'\n');
            }
            _ => {
                for (i, (key, acc)) in rows.iter().enumerate() {
                    if i > 0 {
                        out.push(b'\n');
                    }
                    self.write_key(key, out);
                    out.extend_from_slice(b": ");
                    acc.write_value(out);
                }
                out.push(b'\n');
                if matches!(self.kind, Kind::Avg | Kind::Stats) {
                    out.push(b'\n');
                }
            }
        }
    }
}

/// `core::fmt::Write` over a byte vector.
struct Out<'a>(&'a mut Vec<u8>);

impl Write for Out<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// A value merged across CPUs.
struct Acc {
    kind: Kind,
    /// count, sum, min, max: the value; avg, stats: count and total.
    a: i64,
    b: i64,
    seen: bool,
    /// hist and lhist, when merging for output (process context); empty otherwise.
    buckets: Vec<u64>,
}

impl Acc {
    fn new(kind: Kind, with_buckets: bool) -> Self {
        let mut buckets = Vec::new();
        if with_buckets && matches!(kind, Kind::Hist | Kind::Lhist { .. }) {
            buckets.resize(kind.words(), 0);
        }
        Self {
            kind,
            a: 0,
            b: 0,
            seen: false,
            buckets,
        }
    }

    /// Adds one CPU's or instance's value words, word `i` being `v(i)`.
    fn add(&mut self, v: impl Fn(usize) -> u64) {
        let first = !core::mem::replace(&mut self.seen, true);
        let x = v(0) as i64;
        match self.kind {
            Kind::Count | Kind::Sum => self.a = self.a.wrapping_add(x),
            Kind::Min => self.a = if first { x } else { self.a.min(x) },
            Kind::Max => self.a = if first { x } else { self.a.max(x) },
            Kind::Avg | Kind::Stats => {
                self.a = self.a.wrapping_add(x);
                self.b = self.b.wrapping_add(v(1) as i64);
            }
            Kind::Hist | Kind::Lhist { .. } => {
                for (i, b) in self.buckets.iter_mut().enumerate() {
                    *b = b.wrapping_add(v(i));
                }
            }
        }
    }

    fn total_buckets(&self) -> u64 {
        self.buckets.iter().fold(0u64, |s, &b| s.wrapping_add(b))
    }

    fn average(&self) -> i64 {
        if self.a == 0 {
            0
        } else {
            self.b.wrapping_div(self.a)
        }
    }

    fn get(&self, what: i32) -> Option<i64> {
        Some(match (self.kind, what) {
            (Kind::Count | Kind::Sum | Kind::Min | Kind::Max, READ_VALUE) => self.a,
            (Kind::Count, READ_COUNT) | (Kind::Sum, READ_TOTAL) => self.a,
            (Kind::Avg | Kind::Stats, READ_VALUE) => self.average(),
            (Kind::Avg | Kind::Stats, READ_COUNT) => self.a,
            (Kind::Avg | Kind::Stats, READ_TOTAL) => self.b,
            _ => return None,
        })
    }

    /// What bpftrace sorts a map's entries by.
    fn sort_key(&self) -> i128 {
        match self.kind {
            // count() is unsigned in bpftrace.
            Kind::Count => i128::from(self.a as u64),
            Kind::Sum | Kind::Min | Kind::Max => i128::from(self.a),
            Kind::Avg | Kind::Stats => i128::from(self.average()),
            Kind::Hist | Kind::Lhist { .. } => i128::from(self.total_buckets()),
        }
    }

    fn write_value(&self, out: &mut Vec<u8>) {
        let mut o = Out(out);
        let _ = match self.kind {
            Kind::Count => write!(o, "{}", self.a as u64),
            Kind::Stats => write!(
                o,
                "count {}, average {}, total {}",
                self.a,
                self.average(),
                self.b
            ),
            Kind::Avg => write!(o, "{}", self.average()),
            _ => write!(o, "{}", self.a),
        };
    }

    /// The rows of bpftrace's `hist_to_str`/`lhist_to_str`: from the first bucket with
    /// a count to the last, 16 columns of label, 8 of count, and bars scaled to the
    /// largest bucket as bpftrace scales them (in `float`).
    fn write_hist(&self, kind: Kind, out: &mut Vec<u8>) {
        let b = &self.buckets[..];
        let (Some(first), Some(last)) = (
            b.iter().position(|&c| c > 0),
            b.iter().rposition(|&c| c > 0),
        ) else {
            return;
        };
        // bpftrace keeps the largest count in an `int`.
        let max = b.iter().copied().max().unwrap_or(0) as i32;
        let mut label = Vec::new();
        for (i, &count) in b.iter().enumerate().take(last + 1).skip(first) {
            label.clear();
            let mut l = Out(&mut label);
            let _ = match kind {
                Kind::Lhist { lo, hi, step } => {
                    if i == 0 {
                        write!(l, "(..., {})", LhistLabel(lo))
                    } else if i == b.len() - 1 {
                        write!(l, "[{}, ...)", LhistLabel(hi))
                    } else {
                        write!(
                            l,
                            "[{}, {})",
                            // Wrapping: the sum fits even where the product does not.
                            LhistLabel((i as i64 - 1).wrapping_mul(step).wrapping_add(lo)),
                            LhistLabel((i as i64).wrapping_mul(step).wrapping_add(lo))
                        )
                    }
                }
                _ => match i {
                    0 => write!(l, "(..., 0)"),
                    1 => write!(l, "[0]"),
                    2 => write!(l, "[1]"),
                    _ => write!(l, "[{}, {})", HistLabel(i - 2), HistLabel(i - 1)),
                },
            };
            let bar = ((count as f32 / max as f32) * 52.0) as usize;
            let mut o = Out(out);
            let label = core::str::from_utf8(&label).unwrap_or("?");
            let _ = writeln!(o, "{label:<16}{count:>8} |{:<52}|", Bars(bar.min(52)));
        }
    }
}

/// `n` `@` characters.
struct Bars(usize);

impl core::fmt::Display for Bars {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let s = [b'@'; 52];
        // `pad` honours the caller's width and alignment.
        f.pad(core::str::from_utf8(&s[..self.0.min(52)]).unwrap_or(""))
    }
}

/// bpftrace's `hist_index_label`: 2^power with K, M, G or T for powers of 1024.
struct HistLabel(usize);

impl core::fmt::Display for HistLabel {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let (power, suffix) = match self.0 {
            p if p >= 40 => (p - 40, "T"),
            p if p >= 30 => (p - 30, "G"),
            p if p >= 20 => (p - 20, "M"),
            p if p >= 10 => (p - 10, "K"),
            p => (p, ""),
        };
        write!(f, "{}{suffix}", 1u64.checked_shl(power as u32).unwrap_or(0))
    }
}

/// bpftrace's `lhist_index_label`: whole multiples of 1M or 1K get the suffix.
struct LhistLabel(i64);

impl core::fmt::Display for LhistLabel {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let n = self.0;
        if n == 0 {
            write!(f, "0")
        } else if n % 1_048_576 == 0 {
            write!(f, "{}M", n / 1_048_576)
        } else if n % 1024 == 0 {
            write!(f, "{}K", n / 1024)
        } else {
            write!(f, "{n}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(name: &[u8], kind: u32) -> [u8; MAP_DECL_BYTES as usize] {
        let mut d = [0u8; MAP_DECL_BYTES as usize];
        d[..name.len()].copy_from_slice(name);
        d[32..36].copy_from_slice(&kind.to_le_bytes());
        d
    }

    #[test]
    fn another_instance_replays_the_same_declarations_and_gets_the_same_ids() {
        let limits = Limits::DEFAULT;
        let mut maps = Maps::new();
        assert_eq!(maps.declare(&decl(b"a", MAP_COUNT), &limits), Ok(0));
        assert_eq!(maps.declare(&decl(b"b", MAP_SUM), &limits), Ok(1));
        assert_eq!(maps.redeclare(0, &decl(b"a", MAP_COUNT)), Ok(0));
        assert_eq!(maps.redeclare(1, &decl(b"b", MAP_SUM)), Ok(1));
        let e = maps.redeclare(1, &decl(b"b", MAP_MAX)).unwrap_err();
        assert_eq!(
            alloc::format!("{e}"),
            "EINVAL: map_declare: declaration 1 differs from the first instance's"
        );
        assert!(maps.redeclare(2, &decl(b"c", MAP_COUNT)).is_err());
    }
}
