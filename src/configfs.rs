// SPDX-License-Identifier: GPL-2.0

//! The configfs interface (Documentation/usage.rst): the `wasm` subsystem, whose directories
//! are programs.
//!
//! Each file of a program directory is declared once below, with its mode and its
//! operations in safe Rust. `status` and `stats` are readable by everyone while `report`,
//! `maps`, `clear`, `active`, `fuel` and `mode` are root's alone; `code`, `report` and `maps`
//! are binary attributes (a module arrives in pieces, and reports and the text of many maps
//! are larger than a page). The kernel crate's configfs has neither
//! modes nor binary attributes, so [`abstraction`] builds them over the bindings, with all
//! of the interface's `unsafe`.

mod abstraction;

use core::fmt::Write;
use kernel::prelude::*;

use crate::program::{Mode, Program, Settings};
use abstraction::{capable_sys_admin, item_type, GroupOperations, ItemType};

/// The registered `wasm` subsystem; unregistered when dropped.
pub(crate) type Subsystem = abstraction::Subsystem<Settings>;

impl Subsystem {
    /// Registers `wasm`, whose programs start with `settings`.
    pub(crate) fn new(settings: Settings) -> impl PinInit<Self, Error> {
        Self::register(c"wasm", settings)
    }
}

/// The longest `maps` text: configfs vmallocs what a read's first call says it needs.
const MAX_MAPS_TEXT: usize = 64 << 20;

/// The longest `stats` text: some 100 bytes a line, for a wildcard on 100,000 functions.
const MAX_STATS_TEXT: usize = 16 << 20;

/// What `status` says to a writer without CAP_SYS_ADMIN.
const NOT_ADMIN: &str = "only a process with CAP_SYS_ADMIN may write it";

/// Only CAP_SYS_ADMIN may write (usage.rst, "Permissions"). The modes keep other users
/// out; this refuses root without it (in a container, say), and `status` and dmesg say why.
fn may_write(program: &Program, attr: &str) -> Result {
    if capable_sys_admin() {
        Ok(())
    } else {
        Err(program.reject(attr, EPERM, NOT_ADMIN))
    }
}

/// What was written, without one trailing newline.
fn trim_newline(input: &[u8]) -> &[u8] {
    input.strip_suffix(b"\n").unwrap_or(input)
}

item_type! {
    /// The files of a program directory (Documentation/ABI/configfs-wasm).
    static PROGRAM_TYPE: ItemType<Program, Settings>;
    may_write: may_write;
    attributes: [
        active(0o600) {
            show: |p, page| Ok(writeln!(page, "{}", u8::from(p.is_active()))?),
            store: |p, input| match trim_newline(input) {
                b"1" => p.set_active(true),
                b"0" => p.set_active(false),
                _ => Err(p.reject("active", EINVAL, "write 0 or 1")),
            },
        },
        status(0o444) {
            show: |p, page| Ok(p.status(page)?),
        },
        clear(0o200) {
            store: |p, input| match trim_newline(input) {
                b"1" => p.clear_maps(),
                _ => Err(p.reject("clear", EINVAL, "write 1")),
            },
        },
        fuel(0o600) {
            show: |p, page| Ok(writeln!(page, "{}", p.fuel())?),
            store: |p, input| {
                let number = core::str::from_utf8(trim_newline(input))
                    .ok()
                    .and_then(|text| text.parse::<u64>().ok());
                match number {
                    Some(fuel) => p.set_fuel(fuel),
                    None => Err(p.reject("fuel", EINVAL, "write a decimal number")),
                }
            },
        },
        mode(0o600) {
            show: |p, page| Ok(writeln!(page, "{}", p.mode().name())?),
            store: |p, input| match trim_newline(input) {
                b"shared" => p.set_mode(Mode::Shared),
                b"percpu" => p.set_mode(Mode::PerCpu),
                _ => Err(p.reject("mode", EINVAL, "write shared or percpu")),
            },
        },
    ];
    bin_attributes: [
        code(0o200) {
            // One byte over the limit still reaches us, so a module just too large gets
            // E2BIG rather than looking truncated.
            max_size: |settings| settings.limits.max_code_bytes as usize + 1,
            commit: |p, input| p.write_code(input),
        },
        // Root's alone, as report: maps hold what handlers saw (task names, paths).
        maps(0o400) {
            // configfs allocates what the first read call says; more than this is EFBIG.
            max_size: |_| MAX_MAPS_TEXT,
            read: |p, buf| p.read_maps(buf),
        },
        // Binary, to be longer than a page: a wildcard has a line per function.
        stats(0o444) {
            max_size: |_| MAX_STATS_TEXT,
            read: |p, buf| p.read_stats(buf),
        },
        // Binary, to be longer than a page.
        report(0o400) {
            max_size: |settings| settings.max_report_bytes,
            read: |p, buf| p.read_report(buf),
        },
    ];
}

impl GroupOperations for Settings {
    type Child = Program;

    fn child_type() -> &'static ItemType<Program, Settings> {
        &PROGRAM_TYPE
    }

    /// `mkdir wasm/NAME`: a new, empty program.
    fn make_group(&self, name: &CStr) -> Result<impl PinInit<Program, Error>> {
        if !capable_sys_admin() {
            return Err(EPERM);
        }
        Ok(Program::new(name, *self))
    }

    /// `rmdir wasm/NAME`: detach now (it never fails); the program is freed with the
    /// directory's last reference.
    fn drop_item(&self, program: &Program) {
        program.shutdown();
    }
}
