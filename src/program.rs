// SPDX-License-Identifier: GPL-2.0

//! The program lifecycle: empty → loaded → active, and back (usage.rst, "The lifecycle").
//!
//! One mutex per program serializes every configuration operation (code, active, fuel,
//! report, status, stats, mode). Handlers never take it: they run under the attachment
//! layer's discipline (its spinlock in shared mode, the per-CPU busy flag alone in per-CPU
//! mode), which report follows too.

use core::fmt::Write;
use kernel::alloc::KVVec;
use kernel::new_mutex;
use kernel::prelude::*;
use kernel::str::CString;
use kernel::sync::Mutex;

use crate::engine::{Exec, PointStats, ReportFailure, Stream};
use crate::errno::errno_name;

/// Where a program is in its life.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// No code, or the last load failed.
    Empty,
    /// Code loaded, nothing attached.
    Loaded,
    /// Every attach point registered.
    Active,
}

impl State {
    fn name(self) -> &'static str {
        match self {
            State::Empty => "empty",
            State::Loaded => "loaded",
            State::Active => "active",
        }
    }
}

/// How calls run (usage.rst, "Execution modes").
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// One instance for every CPU, calls serialized by a lock.
    Shared,
    /// An instance for each possible CPU; a hit runs on its CPU's, with no lock.
    PerCpu,
}

impl Mode {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Mode::Shared => "shared",
            Mode::PerCpu => "percpu",
        }
    }
}

/// The settings a program starts with (module parameters).
#[derive(Clone, Copy)]
pub(crate) struct Settings {
    pub(crate) limits: crate::engine::Limits,
    pub(crate) fuel: u64,
    /// The most `fuel` accepts: calls run with interrupts off.
    pub(crate) max_fuel: u64,
    /// The longest report `cat report` returns; longer is cut.
    pub(crate) max_report_bytes: usize,
}

struct Inner {
    /// Declared before `stream`, so dropped first: it may be writing to it.
    exec: Option<Exec>,
    /// The trace stream, made at the first load of code that writes to one and kept until
    /// `rmdir`, so that a reader keeps reading across loads and `echo 0 > active`.
    stream: Option<Stream>,
    state: State,
    fuel: u64,
    /// The mode the next load of `code` uses, and the loaded code has.
    mode: Mode,
    /// The errno of the last failed load, which `echo 1 > active` returns.
    load_errno: Option<Error>,
    /// The `error` line of `status`: errno name and a sentence.
    error: Option<CString>,
    /// The text of `maps` that a read's first call printed, for its second call to copy
    /// (configfs asks for the length, then for the bytes).
    maps_text: Option<KVVec<u8>>,
    /// The same for `stats`.
    stats_text: Option<KVVec<u8>>,
    /// The report made for the open file being read, until configfs copies it.
    report_text: Option<KVVec<u8>>,
}

/// A sentence on one line: a line break and the indentation after it become one space
/// (wasmi writes some errors over several lines; `status` has a line per key, and dmesg
/// would lose its `kwasm: PROGRAM:` prefix after the first).
struct OneLine<'a>(core::fmt::Arguments<'a>);

impl core::fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        struct Joined<'a, 'b> {
            f: &'a mut core::fmt::Formatter<'b>,
            broken: bool,
        }

        impl Write for Joined<'_, '_> {
            fn write_str(&mut self, s: &str) -> core::fmt::Result {
                for c in s.chars() {
                    match c {
                        '\n' => self.broken = true,
                        ' ' if self.broken => {}
                        _ => {
                            if core::mem::take(&mut self.broken) {
                                self.f.write_char(' ')?;
                            }
                            self.f.write_char(c)?;
                        }
                    }
                }
                Ok(())
            }
        }

        core::fmt::write(&mut Joined { f, broken: false }, self.0)
    }
}

/// One program.
#[pin_data]
pub(crate) struct Program {
    name: CString,
    settings: Settings,
    #[pin]
    inner: Mutex<Inner>,
}

impl Program {
    /// A new, empty program called `name`.
    pub(crate) fn new(name: &CStr, settings: Settings) -> impl PinInit<Self, Error> + '_ {
        try_pin_init!(Self {
            name: CString::try_from_fmt(fmt!("{}", name.to_str()?))?,
            settings,
            inner <- new_mutex!(Inner {
                exec: None,
                stream: None,
                state: State::Empty,
                fuel: settings.fuel,
                mode: Mode::Shared,
                load_errno: None,
                error: None,
                maps_text: None,
                stats_text: None,
                report_text: None,
            }),
        })
    }

    /// Records a failure: `status` shows it, dmesg says it once (rate-limited). Each
    /// sentence names the attribute refused first, so the dmesg line, `kwasm: PROGRAM:
    /// ERRNO: ATTRIBUTE...`, names both.
    fn fail(&self, inner: &mut Inner, errno: Error, args: core::fmt::Arguments<'_>) -> Error {
        let line =
            CString::try_from_fmt(format_args!("{}: {}", errno_name(errno), OneLine(args))).ok();
        if let Some(line) = &line {
            crate::log::warn(&self.name, line);
        }
        inner.error = line;
        errno
    }

    /// Records a failed load: `status` says `ERRNO: load failed: ...`, and dmesg, where
    /// the program's other lines are, `ERRNO: code: load failed: ...`.
    fn fail_load(&self, inner: &mut Inner, errno: Error, args: core::fmt::Arguments<'_>) {
        let (name, args) = (errno_name(errno), OneLine(args));
        if let Ok(line) = CString::try_from_fmt(format_args!("{name}: code: load failed: {args}")) {
            crate::log::warn(&self.name, &line);
        }
        inner.load_errno = Some(errno);
        inner.error = CString::try_from_fmt(format_args!("{name}: load failed: {args}")).ok();
    }

    /// Refuses what was written to attribute `attr`: `status` says what it takes.
    pub(crate) fn reject(&self, attr: &str, errno: Error, wants: &str) -> Error {
        let mut inner = self.inner.lock();
        self.fail(&mut inner, errno, format_args!("{attr}: {wants}"))
    }

    /// Commits a module written to `code`: validated and instantiated now, replacing any
    /// previous code. configfs ignores what this returns, so failures go to `status`.
    pub(crate) fn write_code(&self, code: &[u8]) {
        let mut inner = self.inner.lock();
        if inner.state == State::Active {
            self.fail(
                &mut inner,
                EBUSY,
                format_args!("code: refused while active; the running code stays"),
            );
            return;
        }
        // The old code goes first: two instances would double the memory at the peak.
        inner.exec = None;
        inner.maps_text = None;
        inner.stats_text = None;
        inner.state = State::Empty;
        if code.is_empty() {
            // configfs commits nothing only when every write failed, which in practice
            // is a module larger than max_code_bytes (the writer got EFBIG).
            let max = self.settings.limits.max_code_bytes;
            self.fail_load(
                &mut inner,
                E2BIG,
                format_args!(
                    "no code arrived (writes over max_code_bytes = {max} fail with EFBIG)"
                ),
            );
            return;
        }
        let percpu = inner.mode == Mode::PerCpu;
        match Exec::load(code, &self.settings.limits, &self.name, inner.fuel, percpu) {
            Ok(mut exec) => {
                if exec.uses_stream() && inner.stream.is_none() {
                    match Stream::open(&self.name) {
                        Ok(stream) => inner.stream = Some(stream),
                        Err(errno) => {
                            let name = self.name.to_str().unwrap_or("?");
                            self.fail_load(
                                &mut inner,
                                errno,
                                format_args!("tracefs cannot make instances/kwasm-{name}"),
                            );
                            return;
                        }
                    }
                }
                exec.set_stream(inner.stream.as_ref());
                inner.exec = Some(exec);
                inner.state = State::Loaded;
                inner.load_errno = None;
                inner.error = None;
            }
            Err(failure) => {
                self.fail_load(
                    &mut inner,
                    failure.errno,
                    format_args!("{}", failure.text()),
                );
            }
        }
    }

    /// `echo 1 > active` attaches every attach point, all or nothing; `echo 0` detaches
    /// and waits for running handlers.
    pub(crate) fn set_active(&self, on: bool) -> Result {
        let mut inner = self.inner.lock();
        match (on, inner.state) {
            (true, State::Active) | (false, State::Empty | State::Loaded) => Ok(()),
            (true, State::Empty) => Err(match inner.load_errno {
                Some(errno) => {
                    // `status` keeps the load's sentence; dmesg says why this refused.
                    if let Ok(line) = CString::try_from_fmt(fmt!(
                        "{}: active: the last load of code failed, nothing to attach",
                        errno_name(errno)
                    )) {
                        crate::log::warn(&self.name, &line);
                    }
                    errno
                }
                None => self.fail(&mut inner, ENODATA, format_args!("active: no code loaded")),
            }),
            (true, State::Loaded) => {
                let Some(exec) = inner.exec.as_mut() else {
                    return Err(ENODATA);
                };
                match exec.attach() {
                    Ok(()) => {
                        inner.state = State::Active;
                        inner.error = None;
                        Ok(())
                    }
                    Err((errno, index)) => {
                        let stats = exec.stats(index);
                        // The names are the exec's: copied out before `inner` is written.
                        let what = CString::try_from_fmt(fmt!(
                            "{}: {} failed",
                            stats.export.to_str().unwrap_or("?"),
                            stats.registrar.to_str().unwrap_or("?")
                        ));
                        let what = what.as_deref().map_or("?", |w| w.to_str().unwrap_or("?"));
                        Err(self.fail(
                            &mut inner,
                            errno,
                            format_args!("active: cannot attach {what}, nothing attached"),
                        ))
                    }
                }
            }
            (false, State::Active) => {
                if let Some(exec) = inner.exec.as_mut() {
                    exec.detach();
                }
                inner.state = State::Loaded;
                Ok(())
            }
        }
    }

    /// Whether the program is attached.
    pub(crate) fn is_active(&self) -> bool {
        self.inner.lock().state == State::Active
    }

    /// Detaches, for `rmdir` (which never fails), and removes the trace stream.
    pub(crate) fn shutdown(&self) {
        let _ = self.set_active(false);
        let mut inner = self.inner.lock();
        if let Some(exec) = inner.exec.as_mut() {
            exec.set_stream(None);
        }
        inner.stream = None;
    }

    /// `cat report`: configfs asks first for the length (`buf` is `None`), which calls
    /// `report` and keeps its string, then for the string, into a buffer of that length.
    /// The string is copied out of the program's memory during the call, so the reader
    /// holds handlers off only for the call, not for the reads that follow.
    pub(crate) fn read_report(&self, buf: Option<&mut [u8]>) -> Result<usize> {
        let mut inner = self.inner.lock();
        let Some(buf) = buf else {
            inner.report_text = None;
            let text = self.report(&mut inner)?;
            let len = text.len();
            if len > 0 {
                inner.report_text = Some(text);
            }
            return Ok(len);
        };
        match inner.report_text.take() {
            Some(text) if text.len() == buf.len() => {
                buf.copy_from_slice(&text);
                Ok(text.len())
            }
            // Two readers opened report at once and the other's call came in between.
            _ => Err(self.fail(
                &mut inner,
                EAGAIN,
                format_args!("report: another read of report came in between; read again"),
            )),
        }
    }

    /// Calls `report` and returns its string, cut to `max_report_bytes`.
    fn report(&self, inner: &mut Inner) -> Result<KVVec<u8>> {
        let Some(((_, memory), (instances, _))) =
            inner.exec.as_ref().map(|e| (e.sizes(), e.instances()))
        else {
            return Err(self.fail(inner, ENODATA, format_args!("report: no code loaded")));
        };
        // The string and its NUL lie in linear memory: it is never longer than that. In
        // per-CPU mode there is one per instance, with "cpuN: " before each line.
        let size = match instances {
            0 => self.settings.max_report_bytes.min(memory),
            _ => self.settings.max_report_bytes,
        };
        let Ok(mut text) = KVVec::from_elem(0u8, size, GFP_KERNEL) else {
            return Err(self.fail(
                inner,
                ENOMEM,
                format_args!("report: no memory for a report of {size} bytes"),
            ));
        };
        let Some(exec) = inner.exec.as_ref() else {
            return Err(ENODATA);
        };
        match exec.report(&mut text) {
            Ok((len, cut)) => {
                text.truncate(len);
                if cut {
                    self.fail(
                        inner,
                        EOVERFLOW,
                        format_args!(
                            "report: the string was cut to {len} bytes (max_report_bytes)"
                        ),
                    );
                }
                Ok(text)
            }
            Err(ReportFailure::NoReport) => Err(self.fail(
                inner,
                EOPNOTSUPP,
                format_args!("report: the program exports no \"report\""),
            )),
            Err(ReportFailure::Trap(why, None)) => Err(self.fail(
                inner,
                EIO,
                format_args!("report trapped: {}", why.to_str().unwrap_or("?")),
            )),
            Err(ReportFailure::Trap(why, Some(cpu))) => Err(self.fail(
                inner,
                EIO,
                format_args!(
                    "report trapped on cpu{cpu}'s instance: {}",
                    why.to_str().unwrap_or("?")
                ),
            )),
        }
    }

    /// `maps`: every map printed as bpftrace prints it (Documentation/usage.rst, "Maps").
    /// configfs reads a binary attribute in two calls: `None` asks for the length (the
    /// text is printed now, and kept), `Some` for the bytes.
    pub(crate) fn read_maps(&self, buf: Option<&mut [u8]>) -> Result<usize> {
        let mut inner = self.inner.lock();
        let Some(exec) = inner.exec.as_ref() else {
            return Err(self.fail(&mut inner, ENODATA, format_args!("maps: no code loaded")));
        };
        let Some(buf) = buf else {
            let text = Self::print_maps(exec)?;
            let len = text.len();
            inner.maps_text = Some(text);
            return Ok(len);
        };
        let Inner {
            exec, maps_text, ..
        } = &mut *inner;
        let Some(exec) = exec.as_ref() else {
            return Err(ENODATA);
        };
        let n = match maps_text.take() {
            Some(text) => {
                let n = text.len().min(buf.len());
                buf[..n].copy_from_slice(&text[..n]);
                n
            }
            // Another open file's first call came in between and took the text: print
            // again, cut to the length this reader was given.
            None => exec.maps_print(buf).min(buf.len()),
        };
        // configfs hands the reader all of `buf` (the length the first call gave),
        // whatever this returns: never leave any of it uninitialized. Only a reader that
        // raced another gets the padding.
        buf[n..].fill(b'\n');
        Ok(buf.len())
    }

    /// The text of `maps`, printed into a buffer of its size.
    fn print_maps(exec: &Exec) -> Result<KVVec<u8>> {
        let mut len = exec.maps_print(&mut []);
        // Handlers may add keys between the two prints: a little room, and one more try.
        for _ in 0..2 {
            let room = len + len / 8 + 4096;
            let mut text = KVVec::from_elem(0u8, room, GFP_KERNEL)?;
            len = exec.maps_print(&mut text);
            if len <= room {
                text.truncate(len);
                return Ok(text);
            }
        }
        let mut text = KVVec::from_elem(0u8, len, GFP_KERNEL)?;
        let n = exec.maps_print(&mut text);
        text.truncate(n.min(len));
        Ok(text)
    }

    /// `echo 1 > clear`: empties every map, while handlers may be running.
    pub(crate) fn clear_maps(&self) -> Result {
        let mut inner = self.inner.lock();
        let Some(exec) = inner.exec.as_ref() else {
            return Err(self.fail(&mut inner, ENODATA, format_args!("clear: no code loaded")));
        };
        exec.maps_clear();
        Ok(())
    }

    /// Sets the fuel of every call; refused while active.
    pub(crate) fn set_fuel(&self, fuel: u64) -> Result {
        let mut inner = self.inner.lock();
        if inner.state == State::Active {
            return Err(self.fail(
                &mut inner,
                EBUSY,
                format_args!("fuel: refused while active"),
            ));
        }
        let max = self.settings.max_fuel;
        if fuel == 0 || fuel > max {
            return Err(self.fail(
                &mut inner,
                EINVAL,
                format_args!("fuel: {fuel} is not in 1..={max} (max_fuel)"),
            ));
        }
        inner.fuel = fuel;
        if let Some(exec) = inner.exec.as_ref() {
            exec.set_fuel(fuel);
        }
        Ok(())
    }

    /// Sets the mode of the next load; refused once code is loaded, whose instances were
    /// made for the mode it has.
    pub(crate) fn set_mode(&self, mode: Mode) -> Result {
        let mut inner = self.inner.lock();
        if inner.state != State::Empty && inner.mode != mode {
            return Err(self.fail(
                &mut inner,
                EBUSY,
                format_args!("mode: refused while code is loaded; write mode before code"),
            ));
        }
        inner.mode = mode;
        Ok(())
    }

    /// The mode.
    pub(crate) fn mode(&self) -> Mode {
        self.inner.lock().mode
    }

    /// The fuel of every call.
    pub(crate) fn fuel(&self) -> u64 {
        self.inner.lock().fuel
    }

    /// `status`: `key: value` lines.
    pub(crate) fn status(&self, w: &mut impl Write) -> core::fmt::Result {
        let inner = self.inner.lock();
        let (code, memory) = inner.exec.as_ref().map_or((0, 0), Exec::sizes);
        writeln!(w, "state: {}", inner.state.name())?;
        writeln!(w, "code_bytes: {code}")?;
        writeln!(w, "memory_bytes: {memory}")?;
        let (maps, map_bytes) = inner.exec.as_ref().map_or((0, 0), Exec::maps);
        writeln!(w, "maps: {maps}")?;
        writeln!(w, "map_bytes: {map_bytes}")?;
        writeln!(w, "fuel: {}", inner.fuel)?;
        writeln!(w, "mode: {}", inner.mode.name())?;
        if let Some((n, bytes)) = inner.exec.as_ref().map(Exec::instances).filter(|i| i.0 > 0) {
            writeln!(w, "instances: {n}")?;
            writeln!(w, "bytes_per_cpu: {bytes}")?;
        }
        write!(w, "probes:")?;
        if let Some(exec) = inner.exec.as_ref() {
            for i in 0..exec.points() {
                let s = exec.stats(i);
                write!(w, " {}", s.export.to_str().unwrap_or("?"))?;
            }
        }
        writeln!(w)?;
        match &inner.error {
            Some(e) => writeln!(w, "error: {}", e.to_str().unwrap_or("?")),
            None => writeln!(w, "error: none"),
        }
    }

    /// `stats`, read as `maps` is (see [`Program::read_maps`]): the text is made whole by
    /// the first call, whatever its length, and copied by the second.
    pub(crate) fn read_stats(&self, buf: Option<&mut [u8]>) -> Result<usize> {
        let mut inner = self.inner.lock();
        let Some(buf) = buf else {
            let text = Self::stats_text(&inner)?;
            let len = text.len();
            inner.stats_text = Some(text);
            return Ok(len);
        };
        let text = match inner.stats_text.take() {
            Some(text) => text,
            // Another open file's first call came in between and took the text: print
            // again, cut to the length this reader was given.
            None => Self::stats_text(&inner)?,
        };
        let n = text.len().min(buf.len());
        buf[..n].copy_from_slice(&text[..n]);
        // As for maps: all of `buf` reaches the reader, so none of it is left unset.
        buf[n..].fill(b'\n');
        Ok(buf.len())
    }

    fn stats_text(inner: &Inner) -> Result<KVVec<u8>> {
        let mut text = Text(KVVec::new());
        Self::stats(inner, &mut text).map_err(|_| ENOMEM)?;
        Ok(text.0)
    }

    /// `stats`: one line per attach point, a wildcard's functions after its own.
    fn stats(inner: &Inner, w: &mut impl Write) -> core::fmt::Result {
        let Some(exec) = inner.exec.as_ref() else {
            return Ok(());
        };
        for i in 0..exec.points() {
            stats_line(w, "", &exec.stats(i))?;
            let (n, skipped) = exec.functions(i);
            if n == 0 {
                writeln!(w)?;
                continue;
            }
            // A wildcard: its sums, then a line per function, indented.
            writeln!(w, " functions={n} skipped={skipped}")?;
            for j in 0..n {
                stats_line(w, "  ", &exec.function_stats(i, j))?;
                writeln!(w)?;
            }
        }
        // A line per map, after the attach points' lines (at most max_maps of them).
        let mut lines = KVVec::from_elem(0u8, kernel::page::PAGE_SIZE, GFP_KERNEL)
            .map_err(|_| core::fmt::Error)?;
        let n = exec.maps_stats(&mut lines).min(lines.len());
        w.write_str(core::str::from_utf8(&lines[..n]).unwrap_or(""))?;
        if let Some(stream) = &inner.stream {
            let (written, lost) = stream.counts();
            writeln!(w, "stream written={written} lost={lost}")?;
        }
        Ok(())
    }
}

/// Text written with `write!` into a buffer that grows as needed.
struct Text(KVVec<u8>);

impl Write for Text {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0
            .extend_from_slice(s.as_bytes(), GFP_KERNEL)
            .map_err(|_| core::fmt::Error)
    }
}

/// One attach point's (or one of a wildcard's functions') counters, without the newline.
fn stats_line(w: &mut impl Write, indent: &str, s: &PointStats<'_>) -> core::fmt::Result {
    write!(
        w,
        "{indent}{} hits={} missed={} traps={} fuel_exhausted={} ns={} waited={} dropped={}",
        s.export.to_str().unwrap_or("?"),
        s.hits,
        s.missed,
        s.traps,
        s.fuel_exhausted,
        s.ns,
        s.waited,
        s.dropped
    )
}
