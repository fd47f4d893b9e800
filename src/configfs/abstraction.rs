// SPDX-License-Identifier: GPL-2.0

//! configfs over the bindings, shaped like the kernel crate's `kernel::configfs`, with what
//! kwasm needs and that one lacks: attributes of any mode, and binary attributes.
//!
//! [`item_type!`] declares the item type of a subsystem's directories, each attribute once:
//! its name, its mode, and its operations as safe closures (`show`/`store` for text,
//! `max_size` and `commit`/`read` for binary). A [`Subsystem`] registers a directory whose data
//! implements [`GroupOperations`]: `mkdir` in it makes a group of that item type, `rmdir`
//! drops it, and configfs frees it once its last reference goes.
//!
//! Every `unsafe` of kwasm's configfs interface is in this file: the C callbacks, which
//! turn the pointers configfs passes back into the Rust objects they were made from. They
//! rely on one invariant, which the types keep: an [`Attribute<D>`] or a
//! [`BinAttribute<D, P>`] is listed only in an [`ItemType<D, P>`], and configfs gets that
//! item type only for the groups of `D` that [`Subsystem<P>`] makes. So the item a
//! callback receives is always the group of a live `Group<D>`.
//!
//! A text attribute takes one page per write. A binary one is larger and arrives in pieces:
//! configfs gathers the writes of one open file in a buffer (refusing them past its
//! largest size with EFBIG) and hands it over once, when the writer closes the file,
//! ignoring what the handler returns: failures must be reported another way (as
//! `drivers/acpi/acpi_configfs.c` does with its tables). A binary file that is read is
//! made once per open file, at its first read, and every read of that open file is served
//! from configfs' copy.

use core::fmt::Write;
use core::marker::PhantomData;
use core::pin::Pin;
use kernel::bindings;
use kernel::ffi::{c_char, c_void};
use kernel::page::PAGE_SIZE;
use kernel::prelude::*;
use kernel::sync::atomic::{AtomicFlag, Relaxed};
use kernel::types::Opaque;
use kernel::ModuleMetadata;

/// This module, the owner of everything configfs holds of ours.
const OWNER: *mut bindings::module = <crate::LocalModule as ModuleMetadata>::THIS_MODULE.as_ptr();

/// Whether the calling process has CAP_SYS_ADMIN (the kernel crate has no `capable()`).
pub(crate) fn capable_sys_admin() -> bool {
    // SAFETY: `capable` may be called from any process context.
    unsafe { bindings::capable(bindings::CAP_SYS_ADMIN as i32) }
}

/// The page a text attribute's `show` fills; formatting into it cuts at its end.
pub(crate) struct Page<'a> {
    bytes: &'a mut [u8],
    len: usize,
    /// Something did not fit.
    cut: bool,
}

/// The last line of an attribute whose text did not fit in its page.
const CUT_MARK: &str = "... cut: the rest does not fit in one page\n";

impl<'a> Page<'a> {
    fn new(bytes: &'a mut [u8]) -> Self {
        Self {
            bytes,
            len: 0,
            cut: false,
        }
    }

    /// The length of the text, which ends, if it did not fit, with [`CUT_MARK`] after its
    /// last whole line: a reader sees that lines are missing rather than a line broken off.
    fn finish(self) -> usize {
        if !self.cut {
            return self.len;
        }
        let room = self.bytes.len() - CUT_MARK.len();
        let end = self.bytes[..self.len.min(room)]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        self.bytes[end..end + CUT_MARK.len()].copy_from_slice(CUT_MARK.as_bytes());
        end + CUT_MARK.len()
    }
}

impl Write for Page<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let n = s.len().min(self.bytes.len() - self.len);
        self.bytes[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        self.cut |= n < s.len();
        Ok(())
    }
}

/// The operations of one text attribute; [`item_type!`] implements them from its closures.
#[vtable]
pub(crate) trait AttributeOperations {
    /// The data of the directories it is a file of.
    type Data;

    /// Its file name.
    const NAME: &'static CStr;

    /// Its file mode: it has read bits if and only if there is a `show`, write bits if
    /// and only if there is a `store`.
    const MODE: u16;

    /// Writes the attribute's text into `page`; an error is the read's errno.
    fn show(_data: &Self::Data, _page: &mut Page<'_>) -> Result {
        kernel::build_error!(kernel::error::VTABLE_DEFAULT_ERROR)
    }

    /// Takes what was written (at most a page); an error is the write's errno.
    fn store(_data: &Self::Data, _input: &[u8]) -> Result {
        kernel::build_error!(kernel::error::VTABLE_DEFAULT_ERROR)
    }
}

/// A text attribute of the directories of `D`, made to live in a static.
#[repr(transparent)]
pub(crate) struct Attribute<D> {
    attr: Opaque<bindings::configfs_attribute>,
    _data: PhantomData<fn(&D)>,
}

// SAFETY: configfs only reads the attribute, and nothing of ours accesses it once made.
unsafe impl<D> Sync for Attribute<D> {}

impl<D> Attribute<D> {
    /// The attribute of operations `O`. A mode that does not match them does not build.
    pub(crate) const fn new<O: AttributeOperations<Data = D>>() -> Self {
        assert!(
            (O::MODE & 0o444 != 0) == O::HAS_SHOW,
            "an attribute has read bits if and only if it has show"
        );
        assert!(
            (O::MODE & 0o222 != 0) == O::HAS_STORE,
            "an attribute has write bits if and only if it has store"
        );
        Self {
            attr: Opaque::new(bindings::configfs_attribute {
                ca_name: kernel::str::as_char_ptr_in_const_context(O::NAME).cast(),
                ca_owner: OWNER,
                ca_mode: O::MODE,
                show: if O::HAS_SHOW { Some(show::<O>) } else { None },
                store: if O::HAS_STORE { Some(store::<O>) } else { None },
            }),
            _data: PhantomData,
        }
    }
}

/// configfs' `show` of the attribute of operations `O`.
///
/// # Safety
///
/// `item` must be the item of a live `Group<O::Data>`, and `page` a page (`PAGE_SIZE`
/// bytes) that nothing else uses during the call. configfs calls it so: the attribute is
/// listed only in an `ItemType<O::Data, _>` (see the module's doc), and each read has a
/// page of its own.
unsafe extern "C" fn show<O: AttributeOperations>(
    item: *mut bindings::config_item,
    page: *mut c_char,
) -> isize {
    // SAFETY: By the function's requirements.
    let data = unsafe { Group::<O::Data>::data_of(item) };
    // SAFETY: By the function's requirements.
    let bytes = unsafe { core::slice::from_raw_parts_mut(page.cast::<u8>(), PAGE_SIZE) };
    let mut page = Page::new(bytes);
    match O::show(data, &mut page) {
        Ok(()) => page.finish() as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// configfs' `store` of the attribute of operations `O`: returns `count` or -errno.
///
/// # Safety
///
/// `item` as for [`show`], and `page` valid for `count` bytes during the call, as configfs
/// passes them.
unsafe extern "C" fn store<O: AttributeOperations>(
    item: *mut bindings::config_item,
    page: *const c_char,
    count: usize,
) -> isize {
    // SAFETY: By the function's requirements.
    let data = unsafe { Group::<O::Data>::data_of(item) };
    // SAFETY: By the function's requirements.
    let input = unsafe { core::slice::from_raw_parts(page.cast::<u8>(), count) };
    match O::store(data, input) {
        Ok(()) => count as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// The operations of one binary attribute; [`item_type!`] implements them from its
/// closures.
#[vtable]
pub(crate) trait BinAttributeOperations {
    /// The data of the directories it is a file of.
    type Data;

    /// The data of the subsystem that makes them, from which its largest size comes.
    type Parent;

    /// Its file name.
    const NAME: &'static CStr;

    /// Its file mode: read bits if and only if there is a `read`, write bits if and only
    /// if there is a `commit`.
    const MODE: u16;

    /// The largest file configfs accepts or makes; beyond it a write or read fails with
    /// EFBIG.
    fn max_size(parent: &Self::Parent) -> usize;

    /// Takes everything written between open and close (possibly nothing). configfs
    /// ignores the outcome, so there is nothing to return.
    fn commit(_data: &Self::Data, _input: &[u8]) {
        kernel::build_error!(kernel::error::VTABLE_DEFAULT_ERROR)
    }

    /// A read's first call, with `None`, returns the file's length; configfs then
    /// allocates that much and the second call fills it (`Some`), returning the length
    /// written. The file's content is what the first read of an open file produced.
    fn read(_data: &Self::Data, _buf: Option<&mut [u8]>) -> Result<usize> {
        kernel::build_error!(kernel::error::VTABLE_DEFAULT_ERROR)
    }
}

/// A binary attribute of the directories of `D` that a `Subsystem<P>` makes, made to live
/// in a static. Its largest size is set when the subsystem is registered.
#[repr(C)]
pub(crate) struct BinAttribute<D, P> {
    /// First, so that a pointer to the attribute is one to what configfs reads.
    attr: Opaque<bindings::configfs_bin_attribute>,
    max_size: fn(&P) -> usize,
    _data: PhantomData<fn(&D)>,
}

// SAFETY: configfs only reads the attribute; ours write it only in
// `ItemType::set_bin_max_sizes`, before any directory that has it can exist.
unsafe impl<D, P> Sync for BinAttribute<D, P> {}

impl<D, P> BinAttribute<D, P> {
    /// The binary attribute of operations `O`. A mode that does not match them does not
    /// build.
    pub(crate) const fn new<O: BinAttributeOperations<Data = D, Parent = P>>() -> Self {
        assert!(
            (O::MODE & 0o444 != 0) == O::HAS_READ,
            "a binary attribute has read bits if and only if it has read"
        );
        assert!(
            (O::MODE & 0o222 != 0) == O::HAS_COMMIT,
            "a binary attribute has write bits if and only if it has commit"
        );
        Self {
            attr: Opaque::new(bindings::configfs_bin_attribute {
                cb_attr: bindings::configfs_attribute {
                    ca_name: kernel::str::as_char_ptr_in_const_context(O::NAME).cast(),
                    ca_owner: OWNER,
                    ca_mode: O::MODE,
                    show: None,
                    store: None,
                },
                cb_private: core::ptr::null_mut(),
                cb_max_size: 0,
                read: if O::HAS_READ {
                    Some(bin_read::<O>)
                } else {
                    None
                },
                write: if O::HAS_COMMIT {
                    Some(bin_write::<O>)
                } else {
                    None
                },
            }),
            max_size: O::max_size,
            _data: PhantomData,
        }
    }
}

/// configfs' `read` of the binary attribute of operations `O`: called twice per open
/// file, first with a null `buf` for the length, then with a buffer of that length.
///
/// # Safety
///
/// `item` as for [`show`], and `buf` null or valid for writes of `count` bytes during the
/// call, as configfs passes them.
unsafe extern "C" fn bin_read<O: BinAttributeOperations>(
    item: *mut bindings::config_item,
    buf: *mut c_void,
    count: usize,
) -> isize {
    // SAFETY: By the function's requirements.
    let data = unsafe { Group::<O::Data>::data_of(item) };
    let buf = if buf.is_null() {
        None
    } else {
        // SAFETY: By the function's requirements.
        Some(unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), count) })
    };
    match O::read(data, buf) {
        Ok(len) => len as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// configfs' `write` of the binary attribute of operations `O`: called once, at the
/// writer's close, with everything written.
///
/// # Safety
///
/// `item` as for [`show`], and `buf` valid for `count` bytes during the call unless
/// `count` is 0, as configfs passes them.
unsafe extern "C" fn bin_write<O: BinAttributeOperations>(
    item: *mut bindings::config_item,
    buf: *const c_void,
    count: usize,
) -> isize {
    // SAFETY: By the function's requirements.
    let data = unsafe { Group::<O::Data>::data_of(item) };
    let input = if count == 0 {
        &[][..]
    } else {
        // SAFETY: By the function's requirements.
        unsafe { core::slice::from_raw_parts(buf.cast::<u8>(), count) }
    };
    O::commit(data, input);
    // configfs ignores this (see the module's doc).
    count as isize
}

/// The attributes (`A` is [`Attribute`]) or binary attributes (`A` is [`BinAttribute`]) of
/// an item type, NULL-terminated as configfs reads them: `None` is a NULL pointer, and
/// `Some` a pointer to what configfs reads. [`item_type!`] makes it.
#[repr(transparent)]
pub(crate) struct AttributeList<const M: usize, A: 'static>([Option<&'static A>; M]);

impl<const M: usize, A: 'static> AttributeList<M, A> {
    /// The list of `attrs`, which are `M - 1`.
    pub(crate) const fn new(attrs: &[&'static A]) -> Self {
        assert!(attrs.len() + 1 == M, "M counts the NULL at the end");
        let mut list = [None; M];
        let mut i = 0;
        while i < attrs.len() {
            list[i] = Some(attrs[i]);
            i += 1;
        }
        Self(list)
    }
}

/// The item type of the directories of `D` that a [`Subsystem<P>`] makes: their files, and
/// `release`. [`item_type!`] makes it, in a static.
pub(crate) struct ItemType<D: 'static, P: 'static> {
    item_type: Opaque<bindings::config_item_type>,
    bin_attrs: &'static [Option<&'static BinAttribute<D, P>>],
    /// Set by the one subsystem that registers it.
    claimed: AtomicFlag,
}

// SAFETY: configfs only reads the item type, and nothing of ours writes it once made;
// `claimed` is atomic.
unsafe impl<D, P> Sync for ItemType<D, P> {}

impl<D: 'static, P: 'static> ItemType<D, P> {
    /// The item type whose files are `attrs` and `bin_attrs`.
    pub(crate) const fn new<const M: usize, const B: usize>(
        attrs: &'static AttributeList<M, Attribute<D>>,
        bin_attrs: &'static AttributeList<B, BinAttribute<D, P>>,
    ) -> Self {
        Self {
            item_type: Opaque::new(bindings::config_item_type {
                ct_owner: OWNER,
                ct_item_ops: &Group::<D>::ITEM_OPS,
                ct_group_ops: core::ptr::null(),
                ct_attrs: attrs.0.as_ptr().cast_mut().cast(),
                ct_bin_attrs: bin_attrs.0.as_ptr().cast_mut().cast(),
            }),
            bin_attrs: &bin_attrs.0,
            claimed: AtomicFlag::new(false),
        }
    }

    fn as_ptr(&self) -> *const bindings::config_item_type {
        self.item_type.get()
    }

    /// Reserves the item type for the subsystem about to register it: there is one.
    fn claim(&self) -> Result {
        if self.claimed.xchg(true, Relaxed) {
            return Err(EBUSY);
        }
        Ok(())
    }

    /// Sets the largest size of each binary attribute from `parent`.
    ///
    /// # Safety
    ///
    /// Only by the subsystem that claimed the item type, before registering: until then
    /// no directory that has the attributes exists, so nothing reads them.
    unsafe fn set_bin_max_sizes(&self, parent: &P) {
        for attr in self.bin_attrs.iter().flatten() {
            // SAFETY: By the function's requirement, nothing else accesses it now.
            unsafe { (*attr.attr.get()).cb_max_size = (attr.max_size)(parent) };
        }
    }
}

/// A directory that `mkdir` made: configfs' group, and its data.
#[pin_data]
struct Group<D> {
    #[pin]
    group: Opaque<bindings::config_group>,
    #[pin]
    data: D,
}

impl<D> Group<D> {
    const ITEM_OPS: bindings::configfs_item_operations = bindings::configfs_item_operations {
        release: Some(Self::release),
        allow_link: None,
        drop_link: None,
    };

    fn new(data: impl PinInit<D, Error>) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            group <- pin_init::init_zeroed(),
            data <- data,
        })
    }

    /// The group whose item is `item`.
    ///
    /// # Safety
    ///
    /// `item` must be the item of the group of a `Group<D>`.
    unsafe fn of_item(item: *mut bindings::config_item) -> *mut Self {
        // SAFETY: By the function's requirement, `item` is embedded in a `config_group`...
        let group = unsafe { kernel::container_of!(item, bindings::config_group, cg_item) };
        // SAFETY: ...which is the `group` field of a `Group<D>`.
        unsafe {
            kernel::container_of!(group.cast::<Opaque<bindings::config_group>>(), Self, group)
        }
    }

    /// The data of the group whose item is `item`.
    ///
    /// # Safety
    ///
    /// `item` must be the item of the group of a `Group<D>` that is alive for `'a`.
    unsafe fn data_of<'a>(item: *mut bindings::config_item) -> &'a D {
        // SAFETY: By the function's requirement.
        unsafe { &(*Self::of_item(item)).data }
    }

    /// configfs' `release`: frees the group when its last reference goes.
    ///
    /// # Safety
    ///
    /// `item` must be the item of the group of a `Group<D>` that [`Subsystem::make_group`]
    /// leaked from a `KBox`; configfs calls this once for it, when nothing else holds it.
    unsafe extern "C" fn release(item: *mut bindings::config_item) {
        // SAFETY: By the function's requirement: this is the `KBox` of `make_group`,
        // released once.
        drop(unsafe { KBox::from_raw(Self::of_item(item)) });
    }
}

/// What a [`Subsystem`]'s directory does on `mkdir` and `rmdir`; its data implements it.
pub(crate) trait GroupOperations: Sized + Send + Sync + 'static {
    /// The data of each directory `mkdir` makes.
    type Child: Send + Sync + 'static;

    /// Their item type.
    fn child_type() -> &'static ItemType<Self::Child, Self>;

    /// `mkdir NAME`: the new directory's data, or the errno that refuses it.
    fn make_group(&self, name: &CStr) -> Result<impl PinInit<Self::Child, Error>>;

    /// `rmdir`: what must be done before configfs drops its reference, which it always
    /// does; the data is dropped when the last reference goes.
    fn drop_item(&self, child: &Self::Child);
}

/// A registered configfs subsystem: a directory under `/sys/kernel/config` whose data is
/// `P`. Unregistered when dropped.
#[pin_data(PinnedDrop)]
pub(crate) struct Subsystem<P> {
    #[pin]
    subsystem: Opaque<bindings::configfs_subsystem>,
    data: P,
}

// SAFETY: configfs serializes its use of the subsystem; the data is only shared (`P: Sync`).
unsafe impl<P: Sync> Sync for Subsystem<P> {}
// SAFETY: The registration may be dropped from any thread; the data goes with it.
unsafe impl<P: Send> Send for Subsystem<P> {}

impl<P: GroupOperations> Subsystem<P> {
    const GROUP_OPS: bindings::configfs_group_operations = bindings::configfs_group_operations {
        make_item: None,
        make_group: Some(Self::make_group),
        disconnect_notify: None,
        drop_item: Some(Self::drop_item),
        is_visible: None,
        is_bin_visible: None,
    };

    /// The subsystem's own item type: no files, and [`Self::GROUP_OPS`].
    const ITEM_TYPE: bindings::config_item_type = bindings::config_item_type {
        ct_owner: OWNER,
        ct_item_ops: core::ptr::null(),
        ct_group_ops: &Self::GROUP_OPS,
        ct_attrs: core::ptr::null_mut(),
        ct_bin_attrs: core::ptr::null_mut(),
    };

    /// Registers the directory `name`, whose data is `data`.
    pub(crate) fn register(name: &'static CStr, data: P) -> impl PinInit<Self, Error> {
        let child_type = P::child_type();
        try_pin_init!(Self {
            subsystem <- {
                child_type.claim()?;
                pin_init::init_zeroed().chain(|place: &mut Opaque<bindings::configfs_subsystem>| {
                    // SAFETY: `place` is zeroed, as `config_group_init_type_name` wants;
                    // the name and the item type are statics.
                    unsafe {
                        bindings::config_group_init_type_name(
                            &mut (*place.get()).su_group,
                            name.as_char_ptr(),
                            &Self::ITEM_TYPE,
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
                })
            },
            data,
        })
        .pin_chain(move |this| {
            // SAFETY: This subsystem claimed the item type above and registers it only now.
            unsafe { child_type.set_bin_max_sizes(&this.data) };
            // SAFETY: The subsystem was initialized above, as the C API requires.
            kernel::error::to_result(unsafe {
                bindings::configfs_register_subsystem(this.subsystem.get())
            })
        })
    }

    /// The data of the subsystem whose group is `group`.
    ///
    /// # Safety
    ///
    /// `group` must be the group of a `Subsystem<P>` that is alive for `'a`.
    unsafe fn data_of<'a>(group: *mut bindings::config_group) -> &'a P {
        // SAFETY: By the function's requirement, `group` is the `su_group` of a
        // `configfs_subsystem`...
        let subsystem =
            unsafe { kernel::container_of!(group, bindings::configfs_subsystem, su_group) };
        // SAFETY: ...which is the `subsystem` field of a `Subsystem<P>`.
        let this = unsafe {
            kernel::container_of!(
                subsystem.cast::<Opaque<bindings::configfs_subsystem>>(),
                Self,
                subsystem
            )
        };
        // SAFETY: By the function's requirement, the subsystem is alive for `'a`.
        unsafe { &(*this).data }
    }

    /// configfs' `make_group` (`mkdir`): a `Group` of [`GroupOperations::Child`], leaked
    /// to configfs until `release`.
    ///
    /// # Safety
    ///
    /// `group` must be the group of a live `Subsystem<P>` and `name` NUL-terminated.
    /// configfs calls it so: only the subsystem's own group has [`Self::ITEM_TYPE`].
    unsafe extern "C" fn make_group(
        group: *mut bindings::config_group,
        name: *const c_char,
    ) -> *mut bindings::config_group {
        // SAFETY: By the function's requirements.
        let (parent, name) = unsafe { (Self::data_of(group), CStr::from_char_ptr(name)) };
        let data = match parent.make_group(name) {
            Ok(data) => data,
            Err(e) => return e.to_ptr(),
        };
        let child = match KBox::pin_init(Group::new(data), GFP_KERNEL) {
            Ok(child) => child,
            Err(e) => return e.to_ptr(),
        };
        // SAFETY: The group is never moved: configfs owns it from here until `release`.
        let child = KBox::into_raw(unsafe { Pin::into_inner_unchecked(child) });
        // SAFETY: `child` is live; its group is zeroed, which `config_group_init_type_name`
        // expects, and it copies the name; the item type is a static.
        unsafe {
            let group = (*child).group.get();
            bindings::config_group_init_type_name(
                group,
                name.as_char_ptr(),
                P::child_type().as_ptr(),
            );
            group
        }
    }

    /// configfs' `drop_item` (`rmdir`), which cannot fail.
    ///
    /// # Safety
    ///
    /// `group` as for [`Self::make_group`], and `item` the item of a group it made, as
    /// configfs passes them.
    unsafe extern "C" fn drop_item(
        group: *mut bindings::config_group,
        item: *mut bindings::config_item,
    ) {
        // SAFETY: By the function's requirements; configfs holds both during the call.
        let (parent, child) = unsafe { (Self::data_of(group), Group::data_of(item)) };
        parent.drop_item(child);
        // SAFETY: configfs requires us to drop the reference `make_group` handed over.
        unsafe { bindings::config_item_put(item) };
    }
}

#[pinned_drop]
impl<P> PinnedDrop for Subsystem<P> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: Registered in `register`; configfs refuses module unload while
        // directories exist, so nothing of ours is left under it.
        unsafe { bindings::configfs_unregister_subsystem(self.subsystem.get()) };
        // SAFETY: The mutex was initialized in `register` and nothing holds it now.
        unsafe { bindings::mutex_destroy(&raw mut (*self.subsystem.get()).su_mutex) };
    }
}

/// Declares `static NAME: ItemType<D, P>`, the item type of the directories of `D` that a
/// `Subsystem<P>` makes, with each of their files once:
///
/// - `name(mode) { show: |data, page| ..., store: |data, input| ..., }`, a text attribute
///   (either closure may be left out, and the mode must match: read bits for `show`, write
///   bits for `store`);
/// - `name(mode) { max_size: |parent| ..., commit: |data, input| ..., }`, a binary one
///   that is written, or `name(mode) { max_size: |parent| ..., read: |data, buf| ..., }`,
///   one that is read (see [`BinAttributeOperations::read`]).
///
/// `may_write(data, "name")` runs before every `store` and `commit`: an error refuses the
/// write (a `store` returns it; a `commit` is not made). The closures are safe Rust and
/// capture nothing.
macro_rules! item_type {
    (
        $(#[$meta:meta])*
        static $type:ident: ItemType<$data:ty, $parent:ty>;
        may_write: $may_write:expr;
        attributes: [
            $(
                $name:ident($mode:literal) {
                    $(show: $show:expr,)?
                    $(store: $store:expr,)?
                }
            ),* $(,)?
        ];
        bin_attributes: [
            $(
                $bin_name:ident($bin_mode:literal) {
                    max_size: $max_size:expr,
                    $(commit: $commit:expr,)?
                    $(read: $read:expr,)?
                }
            ),* $(,)?
        ];
    ) => {
        ::kernel::macros::paste! {
            $(#[$meta])*
            static $type: $crate::configfs::abstraction::ItemType<$data, $parent> = {
                use $crate::configfs::abstraction as cfs;
                use ::kernel::error::Result;
                $(
                    static [<$name:upper>]: cfs::Attribute<$data> = {
                        enum Ops {}
                        #[::kernel::macros::vtable]
                        impl cfs::AttributeOperations for Ops {
                            type Data = $data;
                            const NAME: &'static ::kernel::str::CStr =
                                ::kernel::c_str!(::core::stringify!($name));
                            const MODE: u16 = $mode;
                            $(
                                fn show(data: &$data, page: &mut cfs::Page<'_>) -> Result {
                                    let show: fn(&$data, &mut cfs::Page<'_>) -> Result = $show;
                                    show(data, page)
                                }
                            )?
                            $(
                                fn store(data: &$data, input: &[u8]) -> Result {
                                    let may_write: fn(&$data, &str) -> Result = $may_write;
                                    let store: fn(&$data, &[u8]) -> Result = $store;
                                    may_write(data, ::core::stringify!($name))?;
                                    store(data, input)
                                }
                            )?
                        }
                        cfs::Attribute::new::<Ops>()
                    };
                )*
                $(
                    static [<$bin_name:upper>]: cfs::BinAttribute<$data, $parent> = {
                        enum Ops {}
                        #[::kernel::macros::vtable]
                        impl cfs::BinAttributeOperations for Ops {
                            type Data = $data;
                            type Parent = $parent;
                            const NAME: &'static ::kernel::str::CStr =
                                ::kernel::c_str!(::core::stringify!($bin_name));
                            const MODE: u16 = $bin_mode;
                            fn max_size(parent: &$parent) -> usize {
                                let max_size: fn(&$parent) -> usize = $max_size;
                                max_size(parent)
                            }
                            $(
                                fn commit(data: &$data, input: &[u8]) {
                                    let may_write: fn(&$data, &str) -> Result = $may_write;
                                    let commit: fn(&$data, &[u8]) = $commit;
                                    if may_write(data, ::core::stringify!($bin_name)).is_ok() {
                                        commit(data, input);
                                    }
                                }
                            )?
                            $(
                                fn read(data: &$data, buf: Option<&mut [u8]>) -> Result<usize> {
                                    let read: fn(&$data, Option<&mut [u8]>) -> Result<usize> =
                                        $read;
                                    read(data, buf)
                                }
                            )?
                        }
                        cfs::BinAttribute::new::<Ops>()
                    };
                )*
                const N: usize = <[&str]>::len(&[$(::core::stringify!($name)),*]);
                const B: usize = <[&str]>::len(&[$(::core::stringify!($bin_name)),*]);
                static ATTRS: cfs::AttributeList<{ N + 1 }, cfs::Attribute<$data>> =
                    cfs::AttributeList::new(&[$(&[<$name:upper>]),*]);
                static BIN_ATTRS: cfs::AttributeList<{ B + 1 }, cfs::BinAttribute<$data, $parent>> =
                    cfs::AttributeList::new(&[$(&[<$bin_name:upper>]),*]);
                cfs::ItemType::new(&ATTRS, &BIN_ATTRS)
            };
        }
    };
}

pub(crate) use item_type;
