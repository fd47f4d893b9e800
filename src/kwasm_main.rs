// SPDX-License-Identifier: GPL-2.0

//! kwasm: sandboxed WebAssembly programs attached to kprobes, driven through configfs.

mod configfs;
mod engine;

use kernel::prelude::*;

module! {
    type: Kwasm,
    name: "kwasm",
    authors: ["The kwasm developers"],
    description: "Sandboxed WebAssembly probes on kprobes, managed through configfs",
    license: "GPL",
}

#[pin_data]
struct Kwasm {
    #[pin]
    subsystem: kernel::configfs::Subsystem<configfs::Programs>,
}

impl kernel::InPlaceModule for Kwasm {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        // A broken engine build (flags, soft-float, allocator) must show here, not in a probe.
        let computed = engine::selftest().inspect_err(|_| pr_err!("engine self-test failed\n"));
        try_pin_init!(Self {
            subsystem <- {
                let got = computed?;
                pr_info!("engine self-test passed ({got})\n");
                configfs::subsystem()
            },
        })
    }
}
