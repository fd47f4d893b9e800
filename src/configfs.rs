// SPDX-License-Identifier: GPL-2.0

//! The configfs interface (Documentation/usage.rst): the `wasm` subsystem, whose directories
//! are programs.
//!
//! Built over the bindings rather than `kernel::configfs`, which has no binary attributes
//! and gives every attribute mode 0660: `code` is a binary attribute (a module is larger
//! than a page and arrives in pieces; [`crate::bin_attr`]), and `status`/`stats` are
//! readable by everyone while `report`, `active` and `fuel` are root's alone. The item types are statics, as in C; each program directory
//! is a [`ProgramDir`] that configfs holds a reference to until `release`.

use core::cell::UnsafeCell;
use core::fmt::Write;
use core::pin::Pin;
use kernel::bindings;
use kernel::ffi::c_char;
use kernel::page::PAGE_SIZE;
use kernel::prelude::*;
use kernel::types::Opaque;

use crate::bin_attr::{BinAttribute, BinWrite};
use crate::program::{Program, Settings};

/// A C structure with pointers, made `Sync` to live in a static; configfs only reads it
/// after registration, and it is written only before (see [`Subsystem::new`]).
#[repr(transparent)]
struct Static<T>(UnsafeCell<T>);

// SAFETY: Written only during module init, before configfs can see it; read-only after.
unsafe impl<T> Sync for Static<T> {}

impl<T> Static<T> {
    const fn new(value: T) -> Self {
        Self(UnsafeCell::new(value))
    }

    const fn get(&self) -> *mut T {
        self.0.get()
    }
}

/// This module, the owner of everything configfs holds of ours.
const OWNER: *mut bindings::module = <crate::Kwasm as kernel::ModuleMetadata>::THIS_MODULE.as_ptr();

/// The settings every new program starts with; set once at init.
static SETTINGS: Static<Option<Settings>> = Static::new(None);

/// A program directory: configfs' group, and the program.
#[pin_data]
struct ProgramDir {
    #[pin]
    group: Opaque<bindings::config_group>,
    #[pin]
    program: Program,
}

/// The [`Program`] of a configfs item of the program type.
///
/// # Safety
///
/// `item` must be the `cg_item` of the group of a live [`ProgramDir`].
unsafe fn program_of<'a>(item: *mut bindings::config_item) -> &'a Program {
    // SAFETY: By the function's requirement, `item` is embedded in a `config_group`...
    let group = unsafe { kernel::container_of!(item, bindings::config_group, cg_item) };
    // SAFETY: ...which is the `group` field of a `ProgramDir`.
    let dir = unsafe {
        kernel::container_of!(
            group.cast::<Opaque<bindings::config_group>>(),
            ProgramDir,
            group
        )
    };
    // SAFETY: The directory is alive while configfs holds its item.
    unsafe { &(*dir).program }
}

/// Formats into a configfs page, cutting at its end.
struct PageWriter<'a> {
    page: &'a mut [u8],
    len: usize,
    /// Something did not fit.
    cut: bool,
}

/// The last line of an attribute whose text did not fit in its page.
const CUT_MARK: &str = "... cut: the rest does not fit in one page\n";

impl PageWriter<'_> {
    /// Ends a text that did not fit with [`CUT_MARK`] after its last whole line, so a
    /// reader sees that lines are missing rather than a line broken off.
    fn mark_cut(&mut self) {
        if !self.cut {
            return;
        }
        let room = self.page.len() - CUT_MARK.len();
        let end = self.page[..self.len.min(room)]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        self.page[end..end + CUT_MARK.len()].copy_from_slice(CUT_MARK.as_bytes());
        self.len = end + CUT_MARK.len();
    }
}

impl Write for PageWriter<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let n = s.len().min(self.page.len() - self.len);
        self.page[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        self.cut |= n < s.len();
        Ok(())
    }
}

/// Runs `f` on the program of `item` with its page; returns the length or -errno.
///
/// # Safety
///
/// `item` as for [`program_of`]; `page` must be a configfs page (PAGE_SIZE bytes).
unsafe fn show(
    item: *mut bindings::config_item,
    page: *mut c_char,
    f: impl FnOnce(&Program, &mut PageWriter<'_>) -> Result,
) -> isize {
    // SAFETY: By the function's requirements.
    let (program, page) = unsafe {
        (
            program_of(item),
            core::slice::from_raw_parts_mut(page.cast::<u8>(), PAGE_SIZE),
        )
    };
    let mut w = PageWriter {
        page,
        len: 0,
        cut: false,
    };
    match f(program, &mut w) {
        Ok(()) => {
            w.mark_cut();
            w.len as isize
        }
        Err(e) => e.to_errno() as isize,
    }
}

/// Runs `f` on the program of `item` with what was written to attribute `attr`; returns
/// `count` or -errno. Only CAP_SYS_ADMIN may write (usage.rst, "Permissions").
///
/// # Safety
///
/// `item` as for [`program_of`]; `page` valid for `count` bytes.
unsafe fn store(
    item: *mut bindings::config_item,
    attr: &str,
    page: *const c_char,
    count: usize,
    f: impl FnOnce(&Program, &[u8]) -> Result,
) -> isize {
    // SAFETY: By the function's requirements.
    let program = unsafe { program_of(item) };
    if !capable_sys_admin() {
        return program.reject(attr, EPERM, NOT_ADMIN).to_errno() as isize;
    }
    // SAFETY: By the function's requirements.
    let data = unsafe { core::slice::from_raw_parts(page.cast::<u8>(), count) };
    match f(program, data) {
        Ok(()) => count as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// What `status` says to a writer without CAP_SYS_ADMIN.
const NOT_ADMIN: &str = "only a process with CAP_SYS_ADMIN may write it";

fn capable_sys_admin() -> bool {
    // SAFETY: `capable` may be called from any process context.
    unsafe { bindings::capable(bindings::CAP_SYS_ADMIN as i32) }
}

/// What was written, without one trailing newline.
fn trim_newline(data: &[u8]) -> &[u8] {
    data.strip_suffix(b"\n").unwrap_or(data)
}

unsafe extern "C" fn active_show(item: *mut bindings::config_item, page: *mut c_char) -> isize {
    // SAFETY: configfs calls this with an item of the program type and a page.
    unsafe {
        show(item, page, |p, w| {
            writeln!(w, "{}", u8::from(p.is_active())).map_err(|_| EINVAL)
        })
    }
}

unsafe extern "C" fn active_store(
    item: *mut bindings::config_item,
    page: *const c_char,
    count: usize,
) -> isize {
    // SAFETY: configfs calls this with an item of the program type and `count` bytes.
    unsafe {
        store(item, "active", page, count, |p, data| match trim_newline(data) {
            b"1" => p.set_active(true),
            b"0" => p.set_active(false),
            _ => Err(p.reject("active", EINVAL, "write 0 or 1")),
        })
    }
}

unsafe extern "C" fn report_show(item: *mut bindings::config_item, page: *mut c_char) -> isize {
    // SAFETY: configfs calls this with an item of the program type and a page.
    unsafe {
        show(item, page, |p, w| {
            // configfs wants room for a NUL: at most PAGE_SIZE - 1 bytes of string.
            let room = w.page.len() - 1;
            w.len = p.report(&mut w.page[..room])?;
            Ok(())
        })
    }
}

unsafe extern "C" fn status_show(item: *mut bindings::config_item, page: *mut c_char) -> isize {
    // SAFETY: configfs calls this with an item of the program type and a page.
    unsafe { show(item, page, |p, w| p.status(w).map_err(|_| EINVAL)) }
}

unsafe extern "C" fn stats_show(item: *mut bindings::config_item, page: *mut c_char) -> isize {
    // SAFETY: configfs calls this with an item of the program type and a page.
    unsafe { show(item, page, |p, w| p.stats(w).map_err(|_| EINVAL)) }
}

unsafe extern "C" fn fuel_show(item: *mut bindings::config_item, page: *mut c_char) -> isize {
    // SAFETY: configfs calls this with an item of the program type and a page.
    unsafe {
        show(item, page, |p, w| {
            writeln!(w, "{}", p.fuel()).map_err(|_| EINVAL)
        })
    }
}

unsafe extern "C" fn fuel_store(
    item: *mut bindings::config_item,
    page: *const c_char,
    count: usize,
) -> isize {
    // SAFETY: configfs calls this with an item of the program type and `count` bytes.
    unsafe {
        store(item, "fuel", page, count, |p, data| {
            let number = core::str::from_utf8(trim_newline(data))
                .ok()
                .and_then(|text| text.parse::<u64>().ok());
            match number {
                Some(fuel) => p.set_fuel(fuel),
                None => Err(p.reject("fuel", EINVAL, "write a decimal number")),
            }
        })
    }
}

// `code`: only CAP_SYS_ADMIN may load (usage.rst, "Permissions"; the mode keeps others out).
impl BinWrite for Program {
    unsafe fn from_item<'a>(item: *mut bindings::config_item) -> &'a Self {
        // SAFETY: `code` is an attribute of the program type only (see `PROGRAM_TYPE`),
        // and the caller guarantees `item` is alive.
        unsafe { program_of(item) }
    }

    fn commit(&self, data: &[u8]) {
        if capable_sys_admin() {
            self.write_code(data);
        } else {
            // configfs ignores what a commit returns: `status` and dmesg say it.
            self.reject("code", EPERM, NOT_ADMIN);
        }
    }
}

const fn attribute(
    name: &'static CStr,
    mode: u16,
    show: Option<unsafe extern "C" fn(*mut bindings::config_item, *mut c_char) -> isize>,
    store: Option<unsafe extern "C" fn(*mut bindings::config_item, *const c_char, usize) -> isize>,
) -> bindings::configfs_attribute {
    bindings::configfs_attribute {
        ca_name: name.as_ptr().cast(),
        ca_owner: OWNER,
        ca_mode: mode,
        show,
        store,
    }
}

static ACTIVE: Static<bindings::configfs_attribute> = Static::new(attribute(
    c"active",
    0o600,
    Some(active_show),
    Some(active_store),
));
static REPORT: Static<bindings::configfs_attribute> =
    Static::new(attribute(c"report", 0o400, Some(report_show), None));
static STATUS: Static<bindings::configfs_attribute> =
    Static::new(attribute(c"status", 0o444, Some(status_show), None));
static STATS: Static<bindings::configfs_attribute> =
    Static::new(attribute(c"stats", 0o444, Some(stats_show), None));
static FUEL: Static<bindings::configfs_attribute> =
    Static::new(attribute(c"fuel", 0o600, Some(fuel_show), Some(fuel_store)));

static PROGRAM_ATTRS: Static<[*mut bindings::configfs_attribute; 6]> = Static::new([
    ACTIVE.get(),
    REPORT.get(),
    STATUS.get(),
    STATS.get(),
    FUEL.get(),
    core::ptr::null_mut(),
]);

/// Its largest size is set at init from `max_code_bytes`.
static CODE: BinAttribute = BinAttribute::write_only::<Program>(c"code", OWNER);

static PROGRAM_BIN_ATTRS: Static<[*mut bindings::configfs_bin_attribute; 2]> =
    Static::new([CODE.as_ptr(), core::ptr::null_mut()]);

/// Frees a program directory when configfs drops its last reference.
unsafe extern "C" fn program_release(item: *mut bindings::config_item) {
    // SAFETY: configfs calls this once per item of the program type...
    let group = unsafe { kernel::container_of!(item, bindings::config_group, cg_item) };
    // SAFETY: ...embedded in a `ProgramDir` that `make_program` leaked from a `KBox`.
    let dir = unsafe {
        kernel::container_of!(
            group.cast::<Opaque<bindings::config_group>>(),
            ProgramDir,
            group
        )
    };
    // SAFETY: See above: this is the `KBox` of `make_program`, released once.
    drop(unsafe { KBox::from_raw(dir) });
}

static PROGRAM_ITEM_OPS: bindings::configfs_item_operations = bindings::configfs_item_operations {
    release: Some(program_release),
    allow_link: None,
    drop_link: None,
};

static PROGRAM_TYPE: Static<bindings::config_item_type> = Static::new(bindings::config_item_type {
    ct_owner: OWNER,
    ct_item_ops: &PROGRAM_ITEM_OPS,
    ct_group_ops: core::ptr::null(),
    ct_attrs: PROGRAM_ATTRS.get().cast(),
    ct_bin_attrs: PROGRAM_BIN_ATTRS.get().cast(),
});

/// `mkdir wasm/NAME`: a new, empty program.
unsafe extern "C" fn make_program(
    _parent: *mut bindings::config_group,
    name: *const c_char,
) -> *mut bindings::config_group {
    if !capable_sys_admin() {
        return EPERM.to_ptr();
    }
    // SAFETY: configfs passes a NUL-terminated name; `SETTINGS` was set before
    // registration and is only read afterwards.
    let (name, settings) = unsafe { (CStr::from_char_ptr(name), *SETTINGS.get()) };
    let Some(settings) = settings else {
        return EINVAL.to_ptr();
    };
    let dir = KBox::pin_init(
        try_pin_init!(ProgramDir {
            group <- pin_init::init_zeroed(),
            program <- Program::new(name, settings),
        }),
        GFP_KERNEL,
    );
    let dir = match dir {
        Ok(dir) => dir,
        Err(e) => return e.to_ptr(),
    };
    // SAFETY: The directory is never moved: configfs owns it from here until `release`.
    let dir = KBox::into_raw(unsafe { Pin::into_inner_unchecked(dir) });
    // SAFETY: `dir` is live; its group is zeroed, which `config_group_init_type_name`
    // expects; the item type is a static.
    unsafe {
        let group = (*dir).group.get();
        bindings::config_group_init_type_name(group, name.as_char_ptr(), PROGRAM_TYPE.get());
        group
    }
}

/// `rmdir wasm/NAME`: detach now (it never fails); `release` frees it later.
unsafe extern "C" fn drop_program(
    _parent: *mut bindings::config_group,
    item: *mut bindings::config_item,
) {
    // SAFETY: configfs calls this with an item of the program type.
    let program = unsafe { program_of(item) };
    program.shutdown();
    // SAFETY: configfs requires us to drop the reference `make_program` handed over.
    unsafe { bindings::config_item_put(item) };
}

static SUBSYSTEM_GROUP_OPS: bindings::configfs_group_operations =
    bindings::configfs_group_operations {
        make_item: None,
        make_group: Some(make_program),
        disconnect_notify: None,
        drop_item: Some(drop_program),
        is_visible: None,
        is_bin_visible: None,
    };

static SUBSYSTEM_TYPE: Static<bindings::config_item_type> =
    Static::new(bindings::config_item_type {
        ct_owner: OWNER,
        ct_item_ops: core::ptr::null(),
        ct_group_ops: &SUBSYSTEM_GROUP_OPS,
        ct_attrs: core::ptr::null_mut(),
        ct_bin_attrs: core::ptr::null_mut(),
    });

/// The registered `wasm` subsystem; unregistered when dropped.
#[pin_data(PinnedDrop)]
pub(crate) struct Subsystem {
    #[pin]
    subsystem: Opaque<bindings::configfs_subsystem>,
}

// SAFETY: configfs serializes its use of the subsystem; we only register and unregister.
unsafe impl Sync for Subsystem {}
// SAFETY: As above.
unsafe impl Send for Subsystem {}

impl Subsystem {
    /// Registers `wasm`, whose programs start with `settings`.
    pub(crate) fn new(settings: Settings) -> impl PinInit<Self, Error> {
        // SAFETY: Module init runs once, before configfs can call anything of ours, so
        // nothing reads these statics yet.
        unsafe {
            *SETTINGS.get() = Some(settings);
            // One byte over the limit still reaches us, so a module just too large gets
            // E2BIG rather than looking truncated.
            CODE.set_max_size(settings.limits.max_code_bytes as usize + 1);
        }
        try_pin_init!(Self {
            subsystem <- pin_init::init_zeroed().chain(
                |place: &mut Opaque<bindings::configfs_subsystem>| {
                    // SAFETY: `place` is zeroed, as `config_group_init_type_name` wants;
                    // the name and item type are statics.
                    unsafe {
                        bindings::config_group_init_type_name(
                            &mut (*place.get()).su_group,
                            c"wasm".as_char_ptr(),
                            SUBSYSTEM_TYPE.get(),
                        )
                    };
                    // SAFETY: `su_mutex` is valid memory for a mutex.
                    unsafe {
                        bindings::__mutex_init(
                            &mut (*place.get()).su_mutex,
                            kernel::optional_name!().as_char_ptr(),
                            kernel::static_lock_class!().as_ptr(),
                        )
                    };
                    Ok(())
                }
            ),
        })
        .pin_chain(|this| {
            // SAFETY: The subsystem was initialized above, as the C API requires.
            kernel::error::to_result(unsafe {
                bindings::configfs_register_subsystem(this.subsystem.get())
            })
        })
    }
}

#[pinned_drop]
impl PinnedDrop for Subsystem {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: Registered in `new`; configfs refuses module unload while programs exist,
        // so nothing of ours is left under it.
        unsafe { bindings::configfs_unregister_subsystem(self.subsystem.get()) };
        // SAFETY: The mutex was initialized in `new` and nothing holds it now.
        unsafe { bindings::mutex_destroy(&raw mut (*self.subsystem.get()).su_mutex) };
    }
}
