//! What both sides know about the helper itself: its file name, and which Landlock ABI the
//! kernel offers (the helper restricts at it, the caller reports it).

/// The helper's file name, and the arg0 under which a program acts as the helper.
pub const HELPER_NAME: &str = "codex-linux-sandbox";

/// The kernel's Landlock ABI version, `None` when Landlock is missing or disabled.
#[cfg(target_os = "linux")]
pub fn landlock_abi() -> Option<u32> {
    /// `LANDLOCK_CREATE_RULESET_VERSION`: ask `landlock_create_ruleset` for the ABI version.
    const CREATE_RULESET_VERSION: libc::c_uint = 1;
    // SAFETY: with a null attribute, size 0 and the VERSION flag the call reads no memory and
    // only returns a number.
    let abi = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<libc::c_void>(),
            0usize,
            CREATE_RULESET_VERSION,
        )
    };
    u32::try_from(abi).ok().filter(|&abi| abi > 0)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn this_kernel_reports_its_landlock_abi() {
        // Development and CI machines run a kernel with Landlock (ABI 7): the sandbox tests
        // need it anyway, so its absence is a failure here rather than a skip.
        let abi = landlock_abi();
        assert!(abi.is_some_and(|abi| abi >= 1), "{abi:?}");
    }
}
