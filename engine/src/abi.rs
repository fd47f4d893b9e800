// SPDX-License-Identifier: GPL-2.0

//! The probe ABI (Documentation/probe-abi.rst): which exports and imports a probe may have,
//! and their types.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write};
use wasmi::{ExternType, FuncType, Module, ValType};

use crate::error::{load_error, LoadError};

/// The prefix of every attach-point export.
const KPROBE_PREFIX: &str = "kprobe:";

/// The longest kernel symbol name (`KSYM_NAME_LEN` is 512, with the NUL).
const MAX_SYMBOL_LEN: usize = 511;

pub use crate::cabi::MAX_PARAMS;

/// Where on the probed function a handler runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Kind {
    /// On entry: a kprobe.
    Pre = crate::cabi::KIND_PRE,
    /// On return: a kretprobe.
    Post = crate::cabi::KIND_POST,
}

/// The type of one handler parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    /// Filled with the low 32 bits of the value.
    I32,
    /// Filled with the whole 64-bit value.
    I64,
}

/// One `kprobe:SYMBOL:pre|post` export.
#[derive(Debug)]
pub struct AttachPoint {
    /// The kernel symbol, NUL-terminated for the C side.
    symbol: Box<[u8]>,
    /// Entry or return.
    pub kind: Kind,
    /// The declared parameters (a `post` handler has at most one: the return value).
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
    /// The kernel symbol.
    pub fn symbol(&self) -> &str {
        // The bytes came from a `&str` plus a NUL.
        core::str::from_utf8(&self.symbol[..self.symbol.len() - 1]).unwrap_or("")
    }

    /// The kernel symbol with its terminating NUL.
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
}

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

/// Splits `kprobe:SYMBOL:pre|post`, or says why the name does not fit.
fn parse_kprobe_name(name: &str) -> Result<(&str, Kind), LoadError> {
    let bad = |why: &str| {
        load_error!(
            EINVAL,
            "export \"{name}\" does not fit kprobe:SYMBOL:pre|post ({why})"
        )
    };
    let rest = &name[KPROBE_PREFIX.len()..];
    let (symbol, kind) = rest
        .rsplit_once(':')
        .ok_or_else(|| bad("no :pre or :post"))?;
    let kind = match kind {
        "pre" => Kind::Pre,
        "post" => Kind::Post,
        _ => return Err(bad("it must end in :pre or :post")),
    };
    if symbol.is_empty() {
        return Err(bad("the symbol is empty"));
    }
    if symbol.len() > MAX_SYMBOL_LEN {
        return Err(bad("the symbol is longer than 511 bytes"));
    }
    if !symbol
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
    {
        return Err(bad("a symbol has only letters, digits, '_' and '.'"));
    }
    Ok((symbol, kind))
}

/// Checks a handler's type and returns its parameters.
fn handler_params(name: &str, kind: Kind, ty: &FuncType) -> Result<Vec<ParamType>, LoadError> {
    let max = match kind {
        Kind::Pre => MAX_PARAMS,
        Kind::Post => 1,
    };
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
        Some(p) if p.len() <= max && ty.results().is_empty() => Ok(p),
        _ => Err(match kind {
            Kind::Pre => load_error!(
                EINVAL,
                "export \"{name}\" has type {}, expected up to six i32/i64 parameters and no result",
                ShowType(ty)
            ),
            Kind::Post => load_error!(
                EINVAL,
                "export \"{name}\" has type {}, expected () -> () or one i32/i64 parameter (the return value)",
                ShowType(ty)
            ),
        }),
    }
}

/// Classifies the exports of probe-abi.rst and checks their types. Other exports are ignored
/// (C probes built with `--export-all` export much else).
pub(crate) fn check_exports(module: &Module) -> Result<Exports, LoadError> {
    let mut out = Exports::default();
    for export in module.exports() {
        let name = export.name();
        let ty = export.ty();
        if name.starts_with(KPROBE_PREFIX) {
            let (symbol, kind) = parse_kprobe_name(name)?;
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
        ("pid", &[], &[I32], false),
        ("tgid", &[], &[I32], false),
        ("cpu", &[], &[I32], false),
        ("comm", &[I32, I32], &[I32], true),
        ("print", &[I32, I32], &[], true),
        ("format", &[I32, I32, I32, I32, I32, I32], &[I32], true),
        ("stream", &[I32, I32], &[I32], true),
        ("stream_printf", &[I32, I32, I32, I32], &[I32], true),
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
