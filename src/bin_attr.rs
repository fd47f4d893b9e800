// SPDX-License-Identifier: GPL-2.0

//! A write-only configfs binary attribute over the bindings (the kernel crate has none).
//!
//! A text attribute takes one page per write; a Wasm module is larger and arrives in
//! pieces. configfs gathers the writes of one open file in a buffer (refusing them past
//! `cb_max_size` with EFBIG) and hands it over once, when the writer closes the file,
//! ignoring what the handler returns: failures must be reported another way (as
//! `drivers/acpi/acpi_configfs.c` does with its tables).

use core::cell::UnsafeCell;
use core::ffi::c_void;
use kernel::bindings;
use kernel::prelude::*;

/// The owner of a binary attribute: how to find it from its configfs item, and what to
/// do with what was written.
pub(crate) trait BinWrite {
    /// The object that `item` belongs to.
    ///
    /// # Safety
    ///
    /// `item` must be an item of the type the attribute is attached to, alive for `'a`.
    unsafe fn from_item<'a>(item: *mut bindings::config_item) -> &'a Self;

    /// Takes everything written between open and close (possibly nothing).
    fn commit(&self, data: &[u8]);
}

/// A write-only binary attribute (mode 0200), made to live in a static that an item
/// type's `ct_bin_attrs` list points to.
#[repr(transparent)]
pub(crate) struct BinAttribute(UnsafeCell<bindings::configfs_bin_attribute>);

// SAFETY: Written only by `set_max_size`, before the item type can be used; configfs
// only reads it.
unsafe impl Sync for BinAttribute {}

impl BinAttribute {
    /// The attribute `name` of `owner`'s items, whose writes `T::commit` receives.
    pub(crate) const fn write_only<T: BinWrite>(
        name: &'static CStr,
        owner: *mut bindings::module,
    ) -> Self {
        Self(UnsafeCell::new(bindings::configfs_bin_attribute {
            cb_attr: bindings::configfs_attribute {
                ca_name: name.as_ptr().cast(),
                ca_owner: owner,
                ca_mode: 0o200,
                show: None,
                store: None,
            },
            cb_private: core::ptr::null_mut(),
            cb_max_size: 0,
            read: None,
            write: Some(write::<T>),
        }))
    }

    /// The attribute as configfs takes it, for an item type's NULL-terminated list.
    pub(crate) const fn as_ptr(&self) -> *mut bindings::configfs_bin_attribute {
        self.0.get()
    }

    /// Sets the largest file configfs accepts; a write beyond it fails with EFBIG.
    ///
    /// # Safety
    ///
    /// Only before any item type listing the attribute is registered: nothing may read
    /// it concurrently.
    pub(crate) unsafe fn set_max_size(&self, bytes: usize) {
        // SAFETY: By the function's requirement, nothing else accesses it now.
        unsafe { (*self.0.get()).cb_max_size = bytes };
    }
}

/// configfs' `write`: called once, at the writer's close, with everything written.
unsafe extern "C" fn write<T: BinWrite>(
    item: *mut bindings::config_item,
    buf: *const c_void,
    count: usize,
) -> isize {
    // SAFETY: configfs calls this only for items of the type the attribute belongs to,
    // and holds the item for the call.
    let owner = unsafe { T::from_item(item) };
    let data = if count == 0 {
        &[][..]
    } else {
        // SAFETY: configfs hands over its buffer of `count` bytes for the call.
        unsafe { core::slice::from_raw_parts(buf.cast::<u8>(), count) }
    };
    owner.commit(data);
    // configfs ignores this (see the module's doc).
    count as isize
}
