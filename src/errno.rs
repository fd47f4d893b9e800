// SPDX-License-Identifier: GPL-2.0

//! Errno names for `status` (the kernel's own table needs CONFIG_SYMBOLIC_ERRNAME).

use kernel::error::{code::*, Error};

/// The name of `e` as the errno man page writes it, or `EUNKNOWN`.
pub(crate) fn errno_name(e: Error) -> &'static str {
    const NAMES: &[(Error, &str)] = &[
        (EPERM, "EPERM"),
        (ENOENT, "ENOENT"),
        (EIO, "EIO"),
        (E2BIG, "E2BIG"),
        (ENOMEM, "ENOMEM"),
        (EFAULT, "EFAULT"),
        (EBUSY, "EBUSY"),
        (EEXIST, "EEXIST"),
        (EINVAL, "EINVAL"),
        (EFBIG, "EFBIG"),
        (ENOSPC, "ENOSPC"),
        (ERANGE, "ERANGE"),
        (ENODATA, "ENODATA"),
        (EOVERFLOW, "EOVERFLOW"),
        (EILSEQ, "EILSEQ"),
        (EOPNOTSUPP, "EOPNOTSUPP"),
        (EAGAIN, "EAGAIN"),
        (ENOSYS, "ENOSYS"),
    ];
    NAMES
        .iter()
        .find(|(code, _)| code.to_errno() == e.to_errno())
        .map_or("EUNKNOWN", |(_, name)| name)
}
