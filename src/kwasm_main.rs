// SPDX-License-Identifier: GPL-2.0

//! kwasm: sandboxed WebAssembly programs attached to kprobes, driven through configfs.
//!
//! The layers, each in its own file: the configfs interface ([`configfs`], over a small
//! configfs layer of its own with the modes and binary attributes the kernel crate lacks),
//! the program lifecycle ([`program`]), attachment and execution (`exec.c`, `src/kinds/`),
//! and the engine (`engine/`, behind the C ABI that [`engine`] wraps).

mod configfs;
mod engine;
mod errno;
mod log;
mod program;

use kernel::prelude::*;

module! {
    type: Kwasm,
    name: "kwasm",
    authors: ["The kwasm developers"],
    description: "Sandboxed WebAssembly probes on kprobes, managed through configfs",
    license: "GPL",
    params: {
        max_code_bytes: u64 {
            default: 1048576,
            description: "Largest Wasm module a program may load, in bytes",
        },
        max_memory_pages: u32 {
            default: 16,
            description: "Largest linear memory of a program, in 64 KiB pages",
        },
        max_attach_points: u32 {
            default: 128,
            description: "Most kprobe: exports (attach points) in one program",
        },
        max_maps: u32 {
            default: 32,
            description: "Most maps one program may declare",
        },
        max_map_entries: u32 {
            default: 10240,
            description: "Most keys in one CPU's table of a map",
        },
        max_map_bytes: u64 {
            default: 16777216,
            description: "Most bytes of all of a program's maps, every possible CPU's table counted",
        },
        fuel: u64 {
            default: 100000,
            description: "Default fuel (Wasm instructions) of one handler or report call",
        },
        max_fuel: u64 {
            default: 250000,
            description: "Most fuel a program's fuel attribute accepts (calls run with interrupts off)",
        },
        max_report_bytes: u64 {
            default: 1048576,
            description: "Longest report a read of report returns, in bytes; longer is cut",
        },
    },
}

#[pin_data]
struct Kwasm {
    #[pin]
    subsystem: configfs::Subsystem,
}

/// The largest `max_fuel` accepted: a call runs with interrupts off, and at this much
/// fuel one already takes tens of milliseconds natively (`Documentation/usage.rst`,
/// "Module parameters"), far below the RCU-stall and lockup detectors' 10-21 s even
/// under emulation.
const MAX_FUEL_LIMIT: u64 = 1 << 24;

/// The largest `max_report_bytes` accepted: configfs keeps a file's length in an int, and
/// a report is one kvmalloc'd buffer per reader.
const MAX_REPORT_LIMIT: usize = 64 << 20;

/// The settings new programs get, from the module parameters.
fn settings() -> Result<program::Settings> {
    let settings = program::Settings {
        limits: engine::Limits {
            max_code_bytes: module_parameters::max_code_bytes.value(),
            max_memory_pages: module_parameters::max_memory_pages.value(),
            max_attach_points: module_parameters::max_attach_points.value(),
            max_maps: module_parameters::max_maps.value(),
            max_map_entries: module_parameters::max_map_entries.value(),
            max_map_bytes: module_parameters::max_map_bytes.value(),
            // start runs at load, in process context: it may run longer.
            start_fuel: module_parameters::fuel.value().saturating_mul(10),
            ..engine::Limits::DEFAULT
        },
        fuel: module_parameters::fuel.value(),
        max_fuel: module_parameters::max_fuel.value(),
        max_report_bytes: module_parameters::max_report_bytes.value() as usize,
    };
    let l = &settings.limits;
    if l.max_code_bytes == 0
        || l.max_code_bytes > (64 << 20)
        || l.max_memory_pages == 0
        || l.max_memory_pages > 16384
        || l.max_attach_points == 0
        || l.max_map_entries == 0
        || l.max_map_bytes > (1 << 40)
        || settings.fuel == 0
        || settings.fuel > settings.max_fuel
        || settings.max_fuel > MAX_FUEL_LIMIT
        || settings.max_report_bytes == 0
        || settings.max_report_bytes > MAX_REPORT_LIMIT
    {
        pr_err!("module parameters out of range (see Documentation/usage.rst)\n");
        return Err(EINVAL);
    }
    Ok(settings)
}

impl kernel::InPlaceModule for Kwasm {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        // A broken engine build (flags, soft-float, allocator) must show here, not in a probe.
        let ready = engine::selftest()
            .inspect(|got| pr_info!("engine self-test passed ({got})\n"))
            .inspect_err(|_| pr_err!("engine self-test failed\n"))
            .and_then(|_| engine::check_kinds())
            .and_then(|_| settings());
        try_pin_init!(Self {
            subsystem <- configfs::Subsystem::new(ready?),
        })
    }
}
