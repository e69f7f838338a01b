//! Asking the Linux kernel directly which sandbox layers it has, without the helper (the
//! Landlock ABI is asked by `codex_sandbox_policy::landlock_abi`, as the helper asks it).

/// Whether the kernel has seccomp (`PR_GET_SECCOMP` fails with EINVAL when it does not).
pub(crate) fn seccomp_available() -> bool {
    // SAFETY: PR_GET_SECCOMP takes no pointers.
    unsafe { libc::prctl(libc::PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 }
}

/// Whether the kernel's switches allow creating user namespaces.
pub(crate) fn user_namespaces_allowed() -> bool {
    let read = |path: &str| {
        std::fs::read_to_string(path)
            .ok()
            .map(|text| text.trim().to_owned())
    };
    let max_ok = read("/proc/sys/user/max_user_namespaces")
        .and_then(|max| max.parse::<u64>().ok())
        .is_some_and(|max| max > 0);
    // Debian's switch and Ubuntu's AppArmor restriction; absent means not restricted.
    let debian_ok = read("/proc/sys/kernel/unprivileged_userns_clone").is_none_or(|v| v != "0");
    let apparmor_ok =
        read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").is_none_or(|v| v != "1");
    max_ok && debian_ok && apparmor_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_kernel_has_seccomp() {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        assert_eq!(seccomp_available(), status.contains("Seccomp:"));
    }
}
