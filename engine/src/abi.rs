// SPDX-License-Identifier: GPL-2.0

//! The probe ABI (Documentation/probe-abi.rst): which exports and imports a probe may have,
//! and their types.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::CStr;
use core::fmt::{self, Write};
use wasmi::{ExternType, FuncType, Module, ValType};

use crate::error::{load_error, LoadError};

/// The longest kernel symbol name (`KSYM_NAME_LEN` is 512, with the NUL).
const MAX_SYMBOL_LEN: usize = 511;

pub use crate::cabi::MAX_PARAMS;

/// What an attach point's target names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// One kernel symbol.
    Symbol,
    /// A trace event, `GROUP:EVENT` as tracefs names it (`sched:sched_switch`).
    Event,
    /// A glob over kernel symbols (`vfs_*`), as the kernel's `glob_match()` reads it:
    /// `*`, `?` and `[...]` classes (`[!...]` negated, `a-z` ranges).
    Pattern,
}

/// The characters that make a symbol a pattern.
const GLOB_CHARS: &[u8] = b"*?[";

/// Whether an export's target is a pattern rather than one symbol.
fn is_pattern(target: &str) -> bool {
    target.bytes().any(|b| GLOB_CHARS.contains(&b))
}

/// Checks a pattern's `[...]` classes: closed, not nested, not empty.
fn check_classes(pattern: &str) -> Result<(), &'static str> {
    let mut class: Option<usize> = None;
    for b in pattern.bytes() {
        match (class, b) {
            (None, b'[') => class = Some(0),
            (None, b']') => return Err("a ']' has no '['"),
            (None, b'!' | b'-') => return Err("'!' and '-' are only for inside [...]"),
            (Some(_), b'[') => return Err("classes [...] do not nest"),
            (Some(0), b']') => return Err("a class [...] is empty"),
            (Some(_), b']') => class = None,
            (Some(0), b'!') => {}
            (Some(_), b'*' | b'?') => return Err("'*' and '?' are not for inside [...]"),
            (Some(n), _) => class = Some(n + 1),
            (None, _) => {}
        }
    }
    match class {
        Some(_) => Err("a '[' has no ']'"),
        None => Ok(()),
    }
}

impl Target {
    /// How the grammar in error messages writes it.
    fn placeholder(self) -> &'static str {
        match self {
            Target::Symbol => "SYMBOL",
            Target::Event => "GROUP:EVENT",
            Target::Pattern => "PATTERN",
        }
    }

    /// Checks `target`, or says why it does not fit.
    fn check(self, target: &str) -> Result<(), &'static str> {
        match self {
            Target::Symbol => {
                if target.is_empty() {
                    Err("the symbol is empty")
                } else if target.len() > MAX_SYMBOL_LEN {
                    Err("the symbol is longer than 511 bytes")
                } else if !target
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
                {
                    Err("a symbol has only letters, digits, '_' and '.'")
                } else {
                    Ok(())
                }
            }
            Target::Event => {
                let name = |part: &str| {
                    !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                };
                match target.split_once(':') {
                    _ if target.len() > MAX_SYMBOL_LEN => Err("the event is longer than 511 bytes"),
                    None => Err("no ':' between group and event"),
                    Some((group, event)) if name(group) && name(event) => Ok(()),
                    Some(_) => Err(
                        "a group and an event are non-empty and have only letters, digits and '_'",
                    ),
                }
            }
            Target::Pattern => {
                if target.len() > MAX_SYMBOL_LEN {
                    Err("the pattern is longer than 511 bytes")
                } else if !target
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_.*?[]!-".contains(&b))
                {
                    Err("a pattern has only letters, digits, '_', '.', '*', '?' and [...] classes")
                } else {
                    check_classes(target)
                }
            }
        }
    }
}

/// One attach kind (probe-abi.rst, "Attach points"): how its exports are named and what
/// its handlers may declare. The attachment layer delivers its events; it finds the kind
/// by [`AttachKind::name`] in its own table (src/kwasm_internal.h), and the module checks
/// at init that every kind here has a row there.
///
/// A new kind is a row of [`KINDS`], a file in `src/kinds/` and a row of that table.
#[derive(Debug)]
pub struct AttachKind {
    /// Its name in the attachment layer (`kretprobe`), NUL-terminated for the C side.
    name: &'static CStr,
    /// What its exports start with, before the first `:` (`kprobe`).
    prefix: &'static str,
    /// What the middle of the export names.
    target: Target,
    /// What its exports end with, after the last `:` (`post`), if anything.
    suffix: Option<&'static str>,
    /// Most parameters its handler may declare.
    max_params: usize,
    /// The handler types it accepts, for error messages.
    expected: &'static str,
    /// Whether its handlers run as the probed function returns, when `ret()` answers and
    /// parameters are not copied as user strings.
    pub(crate) on_return: bool,
}

impl AttachKind {
    /// Its name in the attachment layer.
    pub fn name(&self) -> &'static str {
        self.name.to_str().unwrap_or("")
    }

    /// Its name, NUL-terminated.
    pub fn name_with_nul(&self) -> &'static CStr {
        self.name
    }
}

/// The attach kinds, in the order the attachment layer detaches them.
pub const KINDS: &[AttachKind] = &[
    AttachKind {
        name: c"kprobe",
        prefix: "kprobe",
        target: Target::Symbol,
        suffix: Some("pre"),
        max_params: MAX_PARAMS,
        expected: "up to six i32/i64 parameters and no result",
        on_return: false,
    },
    AttachKind {
        name: c"kretprobe",
        prefix: "kprobe",
        target: Target::Symbol,
        suffix: Some("post"),
        max_params: 1,
        expected: "() -> () or one i32/i64 parameter (the return value)",
        on_return: true,
    },
    AttachKind {
        name: c"tracepoint",
        prefix: "tracepoint",
        target: Target::Event,
        suffix: None,
        max_params: MAX_PARAMS,
        expected: "up to six i32/i64 parameters (the tracepoint's arguments) and no result",
        on_return: false,
    },
    AttachKind {
        name: c"fprobe",
        prefix: "kprobe",
        target: Target::Pattern,
        suffix: Some("pre"),
        max_params: MAX_PARAMS,
        expected: "up to six i32/i64 parameters and no result",
        on_return: false,
    },
];

/// The type of one handler parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    /// Filled with the low 32 bits of the value.
    I32,
    /// Filled with the whole 64-bit value.
    I64,
}

/// One attach-point export, such as `kprobe:SYMBOL:pre`.
#[derive(Debug)]
pub struct AttachPoint {
    /// What it attaches to (a kernel symbol), NUL-terminated for the C side.
    symbol: Box<[u8]>,
    /// Its kind.
    pub kind: &'static AttachKind,
    /// The declared parameters.
    pub params: Vec<ParamType>,
    /// The export's name, to call it and to show it; NUL-terminated for the C side.
    export: Box<[u8]>,
}

/// `text` and a NUL, for the C side.
fn with_nul(text: &str) -> Box<[u8]> {
    let mut bytes = Vec::with_capacity(text.len() + 1);
    bytes.extend_from_slice(text.as_bytes());
    bytes.push(0);
    bytes.into_boxed_slice()
}

impl AttachPoint {
    /// What it attaches to (a kernel symbol).
    pub fn symbol(&self) -> &str {
        // The bytes came from a `&str` plus a NUL.
        core::str::from_utf8(&self.symbol[..self.symbol.len() - 1]).unwrap_or("")
    }

    /// The target with its terminating NUL.
    pub fn symbol_with_nul(&self) -> &[u8] {
        &self.symbol
    }

    /// The export's name (`kprobe:SYMBOL:pre`).
    pub fn export(&self) -> &str {
        // The bytes came from a `&str` plus a NUL.
        core::str::from_utf8(&self.export[..self.export.len() - 1]).unwrap_or("")
    }

    /// The export's name with its terminating NUL.
    pub fn export_with_nul(&self) -> &[u8] {
        &self.export
    }
}

/// What a module's exports say about it.
#[derive(Debug, Default)]
pub(crate) struct Exports {
    pub(crate) attach: Vec<AttachPoint>,
    pub(crate) report: bool,
    pub(crate) memory: bool,
    /// `kwasm:init`, run once at load after `start` (where maps are declared).
    pub(crate) init: bool,
}

/// The export run once at load, after `start`: where SDKs declare maps, as C and Rust
/// cannot make a Wasm `start` function.
pub(crate) const INIT_EXPORT: &str = "kwasm:init";

/// Formats a function type the way the WAT text format writes it.
struct ShowType<'a>(&'a FuncType);

impl fmt::Display for ShowType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, types: &[ValType]| -> fmt::Result {
            f.write_char('(')?;
            for (i, t) in types.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(match t {
                    ValType::I32 => "i32",
                    ValType::I64 => "i64",
                    ValType::F32 => "f32",
                    ValType::F64 => "f64",
                    ValType::V128 => "v128",
                    ValType::FuncRef => "funcref",
                    ValType::ExternRef => "externref",
                })?;
            }
            f.write_char(')')
        };
        list(f, self.0.params())?;
        f.write_str(" -> ")?;
        list(f, self.0.results())
    }
}

fn kind_name(ty: &ExternType) -> &'static str {
    match ty {
        ExternType::Func(_) => "a function",
        ExternType::Memory(_) => "a memory",
        ExternType::Global(_) => "a global",
        ExternType::Table(_) => "a table",
    }
}

/// The kinds whose exports start with `prefix` and a colon, and name one target (not a
/// pattern: the wildcard kinds are found by [`pattern_kind`]).
fn kinds_of(prefix: &str) -> impl Iterator<Item = &'static AttachKind> + Clone + '_ {
    KINDS
        .iter()
        .filter(move |k| k.prefix == prefix && k.target != Target::Pattern)
}

/// The wildcard kind of exports starting with `prefix` and ending in `suffix`, if any.
fn pattern_kind(prefix: &str, suffix: Option<&str>) -> Option<&'static AttachKind> {
    KINDS
        .iter()
        .find(|k| k.prefix == prefix && k.target == Target::Pattern && k.suffix == suffix)
}

/// Writes the grammar of the kinds sharing `prefix`, as `kprobe:SYMBOL:pre|post`.
struct Grammar<'a>(&'a str);

impl fmt::Display for Grammar<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut kinds = kinds_of(self.0);
        let Some(first) = kinds.clone().next() else {
            return Ok(());
        };
        write!(f, "{}:{}", self.0, first.target.placeholder())?;
        for (i, suffix) in kinds.by_ref().filter_map(|k| k.suffix).enumerate() {
            f.write_str(if i == 0 { ":" } else { "|" })?;
            f.write_str(suffix)?;
        }
        Ok(())
    }
}

/// Writes the suffixes of the kinds sharing a prefix as `:pre or :post`.
struct Suffixes<'a>(&'a str);

impl fmt::Display for Suffixes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let suffixes = kinds_of(self.0).filter_map(|k| k.suffix);
        for (i, suffix) in suffixes.enumerate() {
            write!(f, "{}:{suffix}", if i == 0 { "" } else { " or " })?;
        }
        Ok(())
    }
}

/// The first attach kind whose exports start like `name` (`kprobe:`), if any.
fn attach_kind_of(name: &str) -> Option<&'static AttachKind> {
    let (prefix, _) = name.split_once(':')?;
    kinds_of(prefix).next()
}

/// Splits an attach-point export into its kind and target, or says why it does not fit
/// the grammar of the kinds sharing its prefix, of which `first` is the first.
fn parse_attach_name<'n>(
    name: &'n str,
    first: &'static AttachKind,
) -> Result<(&'static AttachKind, &'n str), LoadError> {
    let prefix = first.prefix;
    let bad = |why: fmt::Arguments<'_>| {
        load_error!(
            EINVAL,
            "export \"{name}\" does not fit {} ({why})",
            Grammar(prefix)
        )
    };
    let rest = &name[prefix.len() + 1..];
    // Kinds that share a prefix differ by suffix; a kind without one has its prefix alone.
    let (kind, target) = if first.suffix.is_none() {
        (first, rest)
    } else {
        let (target, suffix) = rest
            .rsplit_once(':')
            .ok_or_else(|| bad(format_args!("no {}", Suffixes(prefix))))?;
        let kind = kinds_of(prefix)
            .find(|k| k.suffix == Some(suffix))
            .ok_or_else(|| bad(format_args!("it must end in {}", Suffixes(prefix))))?;
        (kind, target)
    };
    if is_pattern(target) {
        return parse_pattern(name, kind, target);
    }
    kind.target
        .check(target)
        .map_err(|why| bad(format_args!("{why}")))?;
    Ok((kind, target))
}

/// The wildcard kind for an export whose target is a pattern, `kind` being the kind its
/// prefix and suffix name; or why it does not fit.
fn parse_pattern<'n>(
    name: &'n str,
    kind: &'static AttachKind,
    target: &'n str,
) -> Result<(&'static AttachKind, &'n str), LoadError> {
    let Some(wild) = pattern_kind(kind.prefix, kind.suffix) else {
        let mut grammar = String::new();
        for k in KINDS.iter().filter(|k| k.target == Target::Pattern) {
            let _ = write!(
                grammar,
                "{}{}:PATTERN{}{}",
                if grammar.is_empty() { "" } else { " or " },
                k.prefix,
                if k.suffix.is_some() { ":" } else { "" },
                k.suffix.unwrap_or("")
            );
        }
        return Err(load_error!(
            EINVAL,
            "export \"{name}\": a wildcard attaches only as {grammar}"
        ));
    };
    wild.target.check(target).map_err(|why| {
        load_error!(
            EINVAL,
            "export \"{name}\" does not fit {}:PATTERN:{} ({why})",
            wild.prefix,
            wild.suffix.unwrap_or("")
        )
    })?;
    Ok((wild, target))
}

/// Checks a handler's type and returns its parameters.
fn handler_params(
    name: &str,
    kind: &AttachKind,
    ty: &FuncType,
) -> Result<Vec<ParamType>, LoadError> {
    let params: Option<Vec<ParamType>> = ty
        .params()
        .iter()
        .map(|t| match t {
            ValType::I32 => Some(ParamType::I32),
            ValType::I64 => Some(ParamType::I64),
            _ => None,
        })
        .collect();
    match params {
        Some(p) if p.len() <= kind.max_params && ty.results().is_empty() => Ok(p),
        _ => Err(load_error!(
            EINVAL,
            "export \"{name}\" has type {}, expected {}",
            ShowType(ty),
            kind.expected
        )),
    }
}

/// Classifies the exports of probe-abi.rst and checks their types. Other exports are ignored
/// (C probes built with `--export-all` export much else).
pub(crate) fn check_exports(module: &Module) -> Result<Exports, LoadError> {
    let mut out = Exports::default();
    for export in module.exports() {
        let name = export.name();
        let ty = export.ty();
        if let Some(first) = attach_kind_of(name) {
            let (kind, symbol) = parse_attach_name(name, first)?;
            let ExternType::Func(func_ty) = ty else {
                return Err(load_error!(
                    EINVAL,
                    "export \"{name}\" is {}, expected a function",
                    kind_name(ty)
                ));
            };
            let params = handler_params(name, kind, func_ty)?;
            out.attach.push(AttachPoint {
                symbol: with_nul(symbol),
                kind,
                params,
                export: with_nul(name),
            });
        } else if name == "report" {
            match ty {
                ExternType::Func(f) if f.params().is_empty() && f.results() == [ValType::I32] => {
                    out.report = true
                }
                ExternType::Func(f) => {
                    return Err(load_error!(
                        EINVAL,
                        "export \"report\" has type {}, expected () -> (i32)",
                        ShowType(f)
                    ))
                }
                other => {
                    return Err(load_error!(
                        EINVAL,
                        "export \"report\" is {}, expected a function () -> (i32)",
                        kind_name(other)
                    ))
                }
            }
        } else if name == INIT_EXPORT {
            match ty {
                ExternType::Func(f) if f.params().is_empty() && f.results().is_empty() => {
                    out.init = true
                }
                ExternType::Func(f) => {
                    return Err(load_error!(
                        EINVAL,
                        "export \"{INIT_EXPORT}\" has type {}, expected () -> ()",
                        ShowType(f)
                    ))
                }
                other => {
                    return Err(load_error!(
                        EINVAL,
                        "export \"{INIT_EXPORT}\" is {}, expected a function () -> ()",
                        kind_name(other)
                    ))
                }
            }
        } else if name == "memory" {
            if !matches!(ty, ExternType::Memory(_)) {
                return Err(load_error!(
                    EINVAL,
                    "export \"memory\" is {}, expected a memory",
                    kind_name(ty)
                ));
            }
            out.memory = true;
        }
    }
    Ok(out)
}

/// The host functions of probe-abi.rst: name, parameters, results, whether they take pointers.
pub(crate) const HOST_FUNCS: &[(&str, &[ValType], &[ValType], bool)] = {
    use ValType::{I32, I64};
    &[
        ("arg", &[I32], &[I64], false),
        ("ret", &[], &[I64], false),
        ("syscall_arg", &[I32], &[I64], false),
        ("read_kernel", &[I64, I32, I32], &[I32], true),
        ("read_user", &[I64, I32, I32], &[I32], true),
        ("read_kernel_str", &[I64, I32, I32], &[I32], true),
        ("read_user_str", &[I64, I32, I32], &[I32], true),
        ("ktime_ns", &[], &[I64], false),
        ("entry_ns", &[], &[I64], false),
        ("pid", &[], &[I32], false),
        ("tgid", &[], &[I32], false),
        ("cpu", &[], &[I32], false),
        ("comm", &[I32, I32], &[I32], true),
        ("print", &[I32, I32], &[], true),
        ("map_declare", &[I32, I32], &[I32], true),
        ("map_update", &[I32, I64, I64], &[], false),
        ("map_update_key", &[I32, I32, I32, I64], &[], true),
        ("map_read", &[I32, I64, I32], &[I64], false),
        ("map_read_key", &[I32, I32, I32, I32], &[I64], true),
        ("format", &[I32, I32, I32, I32, I32, I32], &[I32], true),
        ("stream", &[I32, I32], &[I32], true),
        ("stream_printf", &[I32, I32, I32, I32], &[I32], true),
        ("kstack", &[I32, I32], &[I32], true),
        ("ksym", &[I64, I32, I32], &[I32], true),
        ("func_ip", &[], &[I64], false),
    ]
};

/// The module every host function is imported from.
pub(crate) const HOST_MODULE: &str = "kwasm";

/// Checks every import against [`HOST_FUNCS`]; returns whether one takes pointers.
pub(crate) fn check_imports(module: &Module) -> Result<bool, LoadError> {
    let mut pointers = false;
    for import in module.imports() {
        let (m, name, ty) = (import.module(), import.name(), import.ty());
        if m != HOST_MODULE {
            return Err(load_error!(
                EINVAL,
                "import \"{m}\".\"{name}\": unknown module \"{m}\" (host functions come from \"kwasm\")"
            ));
        }
        let Some(&(_, params, results, takes_pointers)) =
            HOST_FUNCS.iter().find(|(n, ..)| *n == name)
        else {
            let mut known = String::new();
            for (i, (n, ..)) in HOST_FUNCS.iter().enumerate() {
                let _ = write!(known, "{}{n}", if i > 0 { ", " } else { "" });
            }
            return Err(load_error!(
                EINVAL,
                "import \"kwasm\".\"{name}\": no such host function (there are: {known})"
            ));
        };
        let expected = FuncType::new(params.iter().copied(), results.iter().copied());
        match ty {
            ExternType::Func(f) if *f == expected => {}
            ExternType::Func(f) => {
                return Err(load_error!(
                    EINVAL,
                    "import \"kwasm\".\"{name}\" has type {}, expected {}",
                    ShowType(f),
                    ShowType(&expected)
                ))
            }
            other => {
                return Err(load_error!(
                    EINVAL,
                    "import \"kwasm\".\"{name}\" is {}, expected a function {}",
                    kind_name(other),
                    ShowType(&expected)
                ))
            }
        }
        pointers |= takes_pointers;
    }
    Ok(pointers)
}
