// SPDX-License-Identifier: GPL-2.0

//! The formatter of the `format` and `stream_printf` host functions (probe-abi.rst,
//! "Formatting"): a printf format and 64-bit arguments in, bounded text out.
//!
//! It allows what `bpf_snprintf()` allows and no more: `%d %i %u %x %X %o %c %s %%` with
//! flags, width, precision and the `hh h l ll z` lengths, `%p`/`%px` (the address in hex),
//! `%pS`/`%ps` (the kernel symbol of an address, with and without offset), at most
//! [`MAX_ARGS`] arguments and each one used exactly once. `%n`, `*` widths, floats and
//! anything else are refused. A `%s` argument is an address in the probe's linear memory,
//! never a kernel or user pointer. The kernel is asked only for symbol names. Everything
//! here is bounded by the output's size, the format's length and [`MAX_WIDTH`].

use core::ffi::CStr;

/// Most arguments one format takes, as `bpf_snprintf()` (`MAX_BPRINTF_VARARGS`).
pub const MAX_ARGS: usize = 12;

/// Largest width or precision.
pub const MAX_WIDTH: usize = 255;

/// Bytes of host work one symbol lookup is charged as: a kernel symbol's longest name.
pub const SYMBOL_WORK: usize = 512;

/// Looks up the kernel symbol of an address: writes its name (with `+off/size` when the
/// flag is set) into the buffer and returns the length written.
pub type Symbolize<'a> = &'a mut dyn FnMut(u64, bool, &mut [u8]) -> usize;

/// What formatting did.
#[derive(Debug, PartialEq, Eq)]
pub struct Formatted {
    /// Bytes written to the output (the text was cut if it did not fit).
    pub len: usize,
    /// Bytes of work done: format and `%s` bytes read, output written, symbols looked up
    /// (each as [`SYMBOL_WORK`]); what fuel is charged for.
    pub work: usize,
}

/// Why a format was refused.
pub type FormatError = &'static CStr;

/// Writes into a fixed buffer, cutting at its end.
struct Out<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Out<'_> {
    fn push(&mut self, b: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
    }

    /// Appends what of `bytes` fits, in one copy.
    fn extend(&mut self, bytes: &[u8]) {
        let n = bytes.len().min(self.room());
        let (dst, src) = (&mut self.buf[self.len..self.len + n], &bytes[..n]);
        match n {
            0 => {}
            // Most copies are short (a number's digits, text between conversions), and a
            // call to `memcpy` would cost more than the copy: up to 3 bytes one at a
            // time, up to 16 as two overlapping copies of 4 or 8 bytes.
            1..=3 => dst.iter_mut().zip(src).for_each(|(d, s)| *d = *s),
            4..=7 => {
                dst[..4].copy_from_slice(&src[..4]);
                dst[n - 4..].copy_from_slice(&src[n - 4..]);
            }
            8..=16 => {
                dst[..8].copy_from_slice(&src[..8]);
                dst[n - 8..].copy_from_slice(&src[n - 8..]);
            }
            _ => dst.copy_from_slice(src),
        }
        self.len += n;
    }

    fn pad(&mut self, b: u8, n: usize) {
        let n = n.min(self.room());
        if n != 0 {
            self.buf[self.len..self.len + n].fill(b);
            self.len += n;
        }
    }

    fn room(&self) -> usize {
        self.buf.len() - self.len
    }
}

/// One conversion's flags, width and precision.
#[derive(Default, Clone, Copy)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    width: usize,
    precision: Option<usize>,
}

/// Writes `body` (already converted, with `sign` and `prefix` apart) padded as `spec` says.
/// Inlined for the common case, no width and no precision, which is three copies.
#[inline(always)]
fn emit(out: &mut Out<'_>, spec: &Spec, sign: &[u8], prefix: &[u8], digits: &[u8]) {
    if spec.width == 0 && spec.precision.is_none() {
        out.extend(sign);
        out.extend(prefix);
        out.extend(digits);
    } else {
        emit_padded(out, spec, sign, prefix, digits);
    }
}

/// [`emit`] with a width or a precision.
#[inline(never)]
fn emit_padded(out: &mut Out<'_>, spec: &Spec, sign: &[u8], prefix: &[u8], digits: &[u8]) {
    // A precision on a number is its least number of digits, and turns off the 0 flag.
    let zeros = spec.precision.map_or(0, |p| p.saturating_sub(digits.len()));
    let len = sign.len() + prefix.len() + zeros + digits.len();
    let fill = spec.width.saturating_sub(len);
    let zero_pad = spec.zero && !spec.left && spec.precision.is_none();
    if !spec.left && !zero_pad {
        out.pad(b' ', fill);
    }
    out.extend(sign);
    out.extend(prefix);
    if zero_pad {
        out.pad(b'0', fill);
    }
    out.pad(b'0', zeros);
    out.extend(digits);
    if spec.left {
        out.pad(b' ', fill);
    }
}

/// The digits of `v` in `base` (8, 10 or 16), into the end of `buf`; returns where they
/// start. Each base gets its own loop, so its division is by a constant (a multiply or a
/// shift), not a `div` per digit: under QEMU's TCG that is a helper call each.
fn digits(v: u64, base: u64, upper: bool, buf: &mut [u8; 24]) -> usize {
    match base {
        10 => decimal(v, buf),
        16 if upper => digits_in::<16>(v, b"0123456789ABCDEF", buf),
        16 => digits_in::<16>(v, b"0123456789abcdef", buf),
        _ => digits_in::<8>(v, b"01234567", buf),
    }
}

#[inline(always)]
fn digits_in<const BASE: u64>(mut v: u64, set: &[u8], buf: &mut [u8; 24]) -> usize {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = set[(v % BASE) as usize];
        v /= BASE;
        if v == 0 {
            return i;
        }
    }
}

/// "00" to "99": [`decimal`] writes two digits per division.
const PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

#[inline(always)]
fn decimal(mut v: u64, buf: &mut [u8; 24]) -> usize {
    let mut i = buf.len();
    while v >= 100 {
        let pair = (v % 100) as usize * 2;
        v /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if v >= 10 {
        let pair = v as usize * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + v as u8;
    }
    i
}

/// `bytes` up to its first NUL, or all of it.
fn until_nul(bytes: &[u8]) -> &[u8] {
    &bytes[..find(bytes, 0).unwrap_or(bytes.len())]
}

/// Reads the flags, width and precision of a conversion at `fmt[*i..]`, advancing `i`.
#[inline(never)]
fn flags_width_precision(fmt: &[u8], i: &mut usize) -> Result<Spec, FormatError> {
    let mut spec = Spec::default();
    while let Some(&f) = fmt.get(*i) {
        match f {
            b'-' => spec.left = true,
            b'+' => spec.plus = true,
            b' ' => spec.space = true,
            b'#' => spec.alt = true,
            b'0' => spec.zero = true,
            _ => break,
        }
        *i += 1;
    }
    spec.width = number(fmt, i)?;
    if fmt.get(*i) == Some(&b'.') {
        *i += 1;
        spec.precision = Some(number(fmt, i)?);
    }
    Ok(spec)
}

/// Where the first `needle` in `bytes` is, eight bytes at a time from the first, aligned
/// or not: `core`'s `memchr` is not public, and the one behind `CStr` goes a byte at a
/// time up to a 16-byte boundary, which is most of a format or a short string.
#[inline(always)]
fn find(bytes: &[u8], needle: u8) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut at = 0;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        // A byte of `x` is zero where the word has `needle`. The lowest byte flagged by
        // `(x - ONES) & !x & HIGHS` is always a true zero (a borrow only runs upwards),
        // and the lowest byte is the first in memory.
        let x =
            u64::from_le_bytes(word.try_into().unwrap_or_default()) ^ (ONES * u64::from(needle));
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == needle)
        .map(|p| at + p)
}

/// Reads a decimal number of at most [`MAX_WIDTH`] at `fmt[*i..]`.
fn number(fmt: &[u8], i: &mut usize) -> Result<usize, FormatError> {
    let mut n = 0usize;
    while let Some(d) = fmt.get(*i).filter(|b| b.is_ascii_digit()) {
        n = n * 10 + usize::from(d - b'0');
        if n > MAX_WIDTH {
            return Err(c"format: a width or precision is over 255");
        }
        *i += 1;
    }
    Ok(n)
}

/// Formats `fmt` (which ends at its first NUL, if any) with `args` into `out`; `%s`
/// strings are read from `memory`, and `%pS`/`%ps` ask `symbol`.
pub fn format(
    fmt: &[u8],
    args: &[u64],
    memory: &[u8],
    out: &mut [u8],
    symbol: Symbolize<'_>,
) -> Result<Formatted, FormatError> {
    format_with(
        fmt,
        args.iter().copied(),
        memory,
        out,
        &mut [0u8; SYMBOL_WORK],
        symbol,
    )
}

/// [`format`], with `name` for a symbol's name on its way to `out`: the host functions
/// pass a buffer of the program's, so that formatting on a probe's stack (an NMI's is
/// 8 KiB) does not put these 512 bytes there. The arguments come from an iterator, so
/// that the host functions read them from linear memory as they are used, not copied
/// into an array first.
pub fn format_with(
    fmt: &[u8],
    args: impl ExactSizeIterator<Item = u64>,
    memory: &[u8],
    out: &mut [u8],
    name: &mut [u8; SYMBOL_WORK],
    symbol: Symbolize<'_>,
) -> Result<Formatted, FormatError> {
    if args.len() > MAX_ARGS {
        return Err(c"format: more than 12 arguments");
    }
    let fmt = until_nul(fmt);
    let mut out = Out { buf: out, len: 0 };
    let mut work = fmt.len();
    let mut next = args;
    let mut arg = || {
        next.next()
            .ok_or(c"format: more conversions than arguments")
    };
    let mut i = 0;
    while i < fmt.len() {
        // The text up to the next conversion, in one copy.
        let run = find(&fmt[i..], b'%').unwrap_or(fmt.len() - i);
        out.extend(&fmt[i..i + run]);
        i += run + 1;
        if i > fmt.len() {
            break;
        }
        let mut spec = Spec::default();
        // Most conversions have no flags, width or precision: one test skips them.
        if fmt
            .get(i)
            .is_some_and(|b| matches!(b, b'-' | b'+' | b' ' | b'#' | b'.' | b'0'..=b'9'))
        {
            spec = flags_width_precision(fmt, &mut i)?;
        }
        // The length: how many of the argument's 64 bits the conversion takes.
        let mut bits = 32;
        match (fmt.get(i), fmt.get(i + 1)) {
            (Some(b'h'), Some(b'h')) => (bits, i) = (8, i + 2),
            (Some(b'h'), _) => (bits, i) = (16, i + 1),
            (Some(b'l'), Some(b'l')) => (bits, i) = (64, i + 2),
            (Some(b'l' | b'z'), _) => (bits, i) = (64, i + 1),
            _ => {}
        }
        let Some(&conv) = fmt.get(i) else {
            return Err(c"format: the format ends inside a conversion");
        };
        i += 1;
        let mut buf = [0u8; 24];
        match conv {
            b'%' => out.push(b'%'),
            b'd' | b'i' => {
                let v = arg()?;
                let v = match bits {
                    8 => i64::from(v as i8),
                    16 => i64::from(v as i16),
                    32 => i64::from(v as i32),
                    _ => v as i64,
                };
                let start = decimal(v.unsigned_abs(), &mut buf);
                let sign: &[u8] = match (v < 0, spec.plus, spec.space) {
                    (true, ..) => b"-",
                    (false, true, _) => b"+",
                    (false, false, true) => b" ",
                    _ => b"",
                };
                emit(&mut out, &spec, sign, b"", &buf[start..]);
            }
            b'u' | b'x' | b'X' | b'o' => {
                let v = arg()?;
                let v = if bits == 64 { v } else { v & ((1 << bits) - 1) };
                let (base, prefix): (u64, &[u8]) = match conv {
                    b'u' => (10, b""),
                    b'x' => (16, b"0x"),
                    b'X' => (16, b"0X"),
                    _ => (8, b"0"),
                };
                let prefix = if spec.alt && v != 0 { prefix } else { b"" };
                // Decimal inlined: the common case, and the others' loops are out of line.
                let start = if base == 10 {
                    decimal(v, &mut buf)
                } else {
                    digits(v, base, conv == b'X', &mut buf)
                };
                emit(&mut out, &spec, b"", prefix, &buf[start..]);
            }
            b'c' => {
                let c = [arg()? as u8];
                emit(
                    &mut out,
                    &Spec {
                        precision: None,
                        ..spec
                    },
                    b"",
                    b"",
                    &c,
                );
            }
            b's' => {
                let ptr = arg()? as u32 as usize;
                let Some(tail) = memory.get(ptr..).filter(|t| !t.is_empty()) else {
                    return Err(c"format: a %s argument is outside memory");
                };
                // Read no more than can be shown: the precision, or what fits.
                let max = spec.precision.unwrap_or(usize::MAX).min(out.room());
                let s = until_nul(&tail[..tail.len().min(max)]);
                work += s.len();
                emit(
                    &mut out,
                    &Spec {
                        precision: None,
                        ..spec
                    },
                    b"",
                    b"",
                    s,
                );
            }
            b'p' => {
                let v = arg()?;
                match fmt.get(i) {
                    Some(&k @ (b'S' | b's')) => {
                        i += 1;
                        let n = symbol(v, k == b'S', name).min(name.len());
                        work += SYMBOL_WORK;
                        emit(
                            &mut out,
                            &Spec {
                                precision: None,
                                ..spec
                            },
                            b"",
                            b"",
                            &name[..n],
                        );
                    }
                    _ => {
                        if fmt.get(i) == Some(&b'x') {
                            i += 1;
                        } else if fmt.get(i).is_some_and(u8::is_ascii_alphanumeric) {
                            return Err(c"format: %p takes only x, S or s after it");
                        }
                        let start = digits(v, 16, false, &mut buf);
                        emit(&mut out, &spec, b"", b"0x", &buf[start..]);
                    }
                }
            }
            b'n' => return Err(c"format: %n is refused"),
            _ => return Err(
                c"format: unknown conversion (there are %d %i %u %x %X %o %c %s %p %px %pS %ps %%)",
            ),
        }
    }
    if next.next().is_some() {
        return Err(c"format: more arguments than conversions");
    }
    work += out.len;
    Ok(Formatted { len: out.len, work })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;

    fn sym(addr: u64, offset: bool, out: &mut [u8]) -> usize {
        let text = if addr == 0xffff_ffff_8100_0000 {
            if offset {
                "vfs_mkdir+0x0/0x1a0"
            } else {
                "vfs_mkdir"
            }
        } else {
            "0x1234"
        };
        let n = text.len().min(out.len());
        out[..n].copy_from_slice(&text.as_bytes()[..n]);
        n
    }

    fn fmt_in(fmt: &str, args: &[u64], memory: &[u8], size: usize) -> Result<String, FormatError> {
        let mut out = alloc::vec![0u8; size];
        let r = format(fmt.as_bytes(), args, memory, &mut out, &mut sym)?;
        Ok(String::from_utf8(out[..r.len].to_vec()).unwrap())
    }

    fn f(fmt: &str, args: &[u64]) -> Result<String, FormatError> {
        fmt_in(fmt, args, b"hello\0world\0", 256)
    }

    #[test]
    fn integers_as_printf() {
        let m1 = -1i64 as u64;
        assert_eq!(f("%d %i %u", &[m1, 42, m1]).unwrap(), "-1 42 4294967295");
        assert_eq!(
            f("%lld %llu %ld", &[m1, m1, m1]).unwrap(),
            "-1 18446744073709551615 -1"
        );
        assert_eq!(
            f("%x %X %#x %o %#o", &[255, 255, 255, 8, 8]).unwrap(),
            "ff FF 0xff 10 010"
        );
        assert_eq!(f("%hhd %hu", &[0x1ff, 0x1_0001]).unwrap(), "-1 1");
        assert_eq!(
            f("[%5d|%-5d|%05d|%+d|% d]", &[42, 42, 42, 42, 42]).unwrap(),
            "[   42|42   |00042|+42| 42]"
        );
        assert_eq!(
            f("[%.3d|%8.3x|%-+6d]", &[7, 10, -3i64 as u64]).unwrap(),
            "[007|     00a|-3    ]"
        );
        assert_eq!(f("%05d", &[-42i64 as u64]).unwrap(), "-0042");
        assert_eq!(f("%zu %%", &[1 << 40]).unwrap(), "1099511627776 %");
    }

    #[test]
    fn digits_in_every_base_as_rust_writes_them() {
        let edges = [
            99_999,
            100_000,
            4_294_967_295,
            i64::MAX as u64,
            i64::MIN as u64,
            u64::MAX - 1,
            u64::MAX,
        ];
        for v in (0..=1100u64).chain(edges) {
            let want = format!("{v} {} {v:x} {v:X} {v:o}", v as i64);
            let got = f("%llu %lld %llx %llX %llo", &[v; 5]).unwrap();
            assert_eq!(got, want, "{v}");
        }
    }

    #[test]
    fn strings_chars_pointers_symbols() {
        assert_eq!(f("%s %s!", &[0, 6]).unwrap(), "hello world!");
        assert_eq!(
            f("[%8s|%-6s|%.3s]", &[0, 6, 0]).unwrap(),
            "[   hello|world |hel]"
        );
        assert_eq!(f("%c%c", &[b'o' as u64, b'k' as u64]).unwrap(), "ok");
        assert_eq!(f("%p %px", &[0xdead, 0xbeef]).unwrap(), "0xdead 0xbeef");
        let a = 0xffff_ffff_8100_0000;
        assert_eq!(
            f("%pS %ps", &[a, a]).unwrap(),
            "vfs_mkdir+0x0/0x1a0 vfs_mkdir"
        );
        // A string that runs to the end of memory stops there.
        assert_eq!(fmt_in("%s", &[2], b"abcd", 16).unwrap(), "cd");
    }

    #[test]
    fn output_is_cut_and_work_counted() {
        assert_eq!(
            fmt_in("%s and more", &[0], b"hello\0", 7).unwrap(),
            "hello a"
        );
        let mut out = [0u8; 64];
        let r = format(b"ab%sd", &[0], b"xyz\0", &mut out, &mut sym).unwrap();
        assert_eq!(
            r,
            Formatted {
                len: 6,
                work: 5 + 3 + 6
            }
        );
        let r = format(b"%ps", &[1], b"", &mut out, &mut sym).unwrap();
        assert_eq!(r.work, 3 + SYMBOL_WORK + r.len);
        // The format ends at a NUL.
        assert_eq!(f("ok\0%n", &[]).unwrap(), "ok");
        assert_eq!(
            f("%300d", &[1]),
            Err(c"format: a width or precision is over 255")
        );
        assert_eq!(f("%255d", &[1]).unwrap().len(), 255);
    }

    #[test]
    fn find_agrees_with_a_byte_at_a_time() {
        // Bytes next to the needle's in value, and high bytes, around it at every offset
        // of a word, in haystacks of every length up to three words.
        let noise = [0x24u8, 0x26, 0xa5, 0x80, 0xff, 0x01, b'a'];
        for needle in [b'%', 0] {
            for len in 0..24 {
                for at in 0..=len {
                    for (k, &fill) in noise.iter().enumerate() {
                        let mut hay: alloc::vec::Vec<u8> = (0..len)
                            .map(|i| noise[(i + k) % noise.len()] ^ fill)
                            .collect();
                        hay.iter_mut()
                            .filter(|b| **b == needle)
                            .for_each(|b| *b = 0x7f);
                        if at < len {
                            hay[at] = needle;
                            // A second one after the first must not be the one found.
                            if at + 2 < len {
                                hay[at + 2] = needle;
                            }
                        }
                        let want = hay.iter().position(|&b| b == needle);
                        assert_eq!(find(&hay, needle), want, "{hay:x?} {needle}");
                    }
                }
            }
        }
    }

    #[test]
    fn hostile_formats_are_refused() {
        assert_eq!(f("%n", &[0]), Err(c"format: %n is refused"));
        assert_eq!(f("%hhn", &[0]), Err(c"format: %n is refused"));
        assert!(f("%f", &[0])
            .unwrap_err()
            .to_bytes()
            .starts_with(b"format: unknown conversion"));
        assert!(f("%*d", &[1, 2])
            .unwrap_err()
            .to_bytes()
            .starts_with(b"format: unknown conversion"));
        assert_eq!(
            f("%d %d", &[1]),
            Err(c"format: more conversions than arguments")
        );
        assert_eq!(
            f("%d", &[1, 2]),
            Err(c"format: more arguments than conversions")
        );
        assert_eq!(f("", &[0; 13]), Err(c"format: more than 12 arguments"));
        assert_eq!(
            f("%s", &[12]),
            Err(c"format: a %s argument is outside memory")
        );
        assert_eq!(
            f("%s", &[u32::MAX as u64]),
            Err(c"format: a %s argument is outside memory")
        );
        assert_eq!(
            f("%pK", &[1]),
            Err(c"format: %p takes only x, S or s after it")
        );
        assert_eq!(
            f("abc%", &[]),
            Err(c"format: the format ends inside a conversion")
        );
        assert_eq!(
            f("%l", &[1]),
            Err(c"format: the format ends inside a conversion")
        );
    }
}
