// SPDX-License-Identifier: GPL-2.0

//! What can go wrong: load errors (an errno and a sentence) and traps (a stable code).

use alloc::string::String;
use core::ffi::CStr;
use core::fmt;

/// The errnos the engine reports, with the kernel's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Errno {
    /// Out of memory.
    ENOMEM = 12,
    /// Invalid module, import, export or type.
    EINVAL = 22,
    /// Over a limit.
    E2BIG = 7,
}

impl Errno {
    /// The errno's name, as the kernel side shows it.
    pub fn name(self) -> &'static str {
        match self {
            Errno::ENOMEM => "ENOMEM",
            Errno::EINVAL => "EINVAL",
            Errno::E2BIG => "E2BIG",
        }
    }
}

/// Why a module did not load: an errno and a sentence naming what was wrong.
#[derive(Debug, PartialEq, Eq)]
pub struct LoadError {
    /// The errno the user sees.
    pub errno: Errno,
    /// One sentence, naming the export, import or limit.
    pub message: String,
}

impl LoadError {
    pub(crate) fn new(errno: Errno, args: fmt::Arguments<'_>) -> Self {
        Self {
            errno,
            message: alloc::fmt::format(args),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.errno.name(), self.message)
    }
}

/// Builds a [`LoadError`] from an errno and a format string.
macro_rules! load_error {
    ($errno:ident, $($arg:tt)*) => {
        $crate::error::LoadError::new($crate::error::Errno::$errno, format_args!($($arg)*))
    };
}
pub(crate) use load_error;

/// The kind of a trap: stable codes that the C ABI and `stats` use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum TrapKind {
    /// The call ran out of fuel.
    OutOfFuel = crate::cabi::TRAP_FUEL,
    /// A load or store, or a pointer given to the host, outside linear memory.
    MemoryOutOfBounds = crate::cabi::TRAP_MEMORY,
    /// Too deep a recursion, or too large a stack.
    StackOverflow = crate::cabi::TRAP_STACK,
    /// `unreachable` was executed.
    Unreachable = crate::cabi::TRAP_UNREACHABLE,
    /// Integer division by zero, overflow, or a float that does not convert.
    Integer = crate::cabi::TRAP_INTEGER,
    /// A host function was called wrongly (bad argument, or not available here).
    BadHostCall = crate::cabi::TRAP_HOST,
    /// Anything else (tables, indirect calls, growth limits, out of memory).
    Other = crate::cabi::TRAP_OTHER,
}

/// A trap: its kind and a static sentence (no allocation, so it can be made anywhere).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trap {
    /// The kind, for counting.
    pub kind: TrapKind,
    /// What happened, for the log and `status` (NUL-terminated for the C side).
    pub message: &'static CStr,
}

impl Trap {
    pub(crate) const fn new(kind: TrapKind, message: &'static CStr) -> Self {
        Self { kind, message }
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message.to_str().unwrap_or("trap"))
    }
}

impl From<wasmi::TrapCode> for Trap {
    fn from(code: wasmi::TrapCode) -> Self {
        use wasmi::TrapCode as C;
        use TrapKind as K;
        let (kind, message) = match code {
            C::OutOfFuel => (K::OutOfFuel, c"out of fuel"),
            C::MemoryOutOfBounds => (K::MemoryOutOfBounds, c"out-of-bounds memory access"),
            C::StackOverflow => (K::StackOverflow, c"stack overflow"),
            C::UnreachableCodeReached => (K::Unreachable, c"unreachable executed"),
            C::IntegerDivisionByZero => (K::Integer, c"integer division by zero"),
            C::IntegerOverflow => (K::Integer, c"integer overflow"),
            C::BadConversionToInteger => (K::Integer, c"invalid conversion to integer"),
            C::TableOutOfBounds => (K::Other, c"out-of-bounds table access"),
            C::IndirectCallToNull => (K::Other, c"indirect call to null"),
            C::BadSignature => (K::Other, c"indirect call signature mismatch"),
            C::GrowthOperationLimited => (K::Other, c"growth over the limit"),
            C::OutOfSystemMemory => (K::Other, c"out of system memory"),
        };
        Trap::new(kind, message)
    }
}
