//! Dropping privileges: every capability (bounding and ambient sets included), then
//! no_new_privs so that nothing exec'd later can gain any back.

use crate::error::SetupError;

/// `_LINUX_CAPABILITY_VERSION_3`: 64-bit capability sets in two 32-bit halves.
const CAPABILITY_VERSION_3: u32 = 0x2008_0522;
/// `CAP_SETPCAP`, the capability that allows changing the bounding set.
const CAP_SETPCAP: u32 = 8;
/// Capability numbers are below 64; the kernel answers EINVAL past its last one.
const CAPABILITY_LIMIT: libc::c_ulong = 64;

/// `struct __user_cap_header_struct`.
#[repr(C)]
struct CapHeader {
    version: u32,
    pid: libc::c_int,
}

/// `struct __user_cap_data_struct`, one per 32-bit half.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// Empties the bounding, ambient, effective, permitted and inheritable capability sets.
///
/// A process that is root in its own user namespace holds every capability there and could
/// unmount the read-only binds; after this it holds none, and no exec can restore them.
///
/// # Errors
/// [`SetupError::Os`] when a held capability could not be dropped.
pub(crate) fn drop_capabilities() -> Result<(), SetupError> {
    // Emptying the bounding set takes CAP_SETPCAP, which root and the owner of a fresh user
    // namespace have. Without it the set cannot change — and once the sets below are empty and
    // no_new_privs is on, no exec can gain anything through it either.
    if current_capabilities()?[0].effective & (1 << CAP_SETPCAP) != 0 {
        for cap in 0..CAPABILITY_LIMIT {
            // SAFETY: prctl with integer arguments.
            if unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0) } != 0 {
                if std::io::Error::last_os_error().raw_os_error() == Some(libc::EINVAL) {
                    // Past the kernel's last capability.
                    break;
                }
                return Err(SetupError::last_os("dropping the capability bounding set"));
            }
        }
    }
    // SAFETY: prctl with integer arguments.
    if unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
            0,
            0,
            0,
        )
    } != 0
    {
        return Err(SetupError::last_os("clearing ambient capabilities"));
    }
    let mut header = CapHeader {
        version: CAPABILITY_VERSION_3,
        pid: 0,
    };
    let empty = [CapData::default(); 2];
    // SAFETY: header and data have the layout the kernel expects for version 3.
    if unsafe { libc::syscall(libc::SYS_capset, &mut header, empty.as_ptr()) } != 0 {
        return Err(SetupError::last_os("dropping capabilities"));
    }
    Ok(())
}

/// This process's capability sets.
fn current_capabilities() -> Result<[CapData; 2], SetupError> {
    let mut header = CapHeader {
        version: CAPABILITY_VERSION_3,
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    // SAFETY: header and data have the layout the kernel expects for version 3.
    if unsafe { libc::syscall(libc::SYS_capget, &mut header, data.as_mut_ptr()) } != 0 {
        return Err(SetupError::last_os("reading capabilities"));
    }
    Ok(data)
}

/// Sets no_new_privs: setuid bits and file capabilities stop granting anything on exec.
///
/// # Errors
/// [`SetupError::Os`] if the kernel refuses.
pub(crate) fn set_no_new_privs() -> Result<(), SetupError> {
    // SAFETY: prctl with integer arguments.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(SetupError::last_os("no_new_privs"));
    }
    Ok(())
}

/// Makes this process non-dumpable: nothing without `CAP_SYS_PTRACE` can ptrace it or read its
/// memory, which keeps the command (same user, same Landlock domain) out of the init.
///
/// # Errors
/// [`SetupError::Os`] if the kernel refuses.
pub(crate) fn set_not_dumpable() -> Result<(), SetupError> {
    // SAFETY: prctl with integer arguments.
    if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
        return Err(SetupError::last_os("marking the init non-dumpable"));
    }
    Ok(())
}
