// SPDX-License-Identifier: GPL-2.0

//! The configfs interface: the `wasm` subsystem, whose directories are programs.

use kernel::configfs::{self, configfs_attrs};
use kernel::prelude::*;

/// The subsystem's own data: `mkdir` in it makes a [`Program`].
#[pin_data]
pub(crate) struct Programs {}

/// One program directory.
#[pin_data]
pub(crate) struct Program {}

/// The `wasm` subsystem.
pub(crate) fn subsystem() -> impl PinInit<configfs::Subsystem<Programs>, Error> {
    let item_type = configfs_attrs! {
        container: configfs::Subsystem<Programs>,
        data: Programs,
        child: Program,
        attributes: [],
    };
    configfs::Subsystem::new(c"wasm", item_type, try_pin_init!(Programs {}))
}

#[vtable]
impl configfs::GroupOperations for Programs {
    type Child = Program;

    fn make_group(&self, name: &CStr) -> Result<impl PinInit<configfs::Group<Program>, Error>> {
        let item_type = configfs_attrs! {
            container: configfs::Group<Program>,
            data: Program,
            attributes: [],
        };
        Ok(configfs::Group::new(name.try_into()?, item_type, try_pin_init!(Program {})))
    }
}
