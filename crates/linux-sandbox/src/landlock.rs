//! Landlock: read and execute everywhere, write only beneath the writable roots, and — at the
//! ABIs that have them — no TCP, no signals or abstract Unix sockets outside, no connecting to
//! Unix socket files but in the workspace, the extra writable roots and the allow-list.
//!
//! Every rule is attached to a descriptor the helper opened once ([`crate::paths`]): nothing is
//! looked up by path here.

use std::os::fd::{AsFd, BorrowedFd};
use std::path::PathBuf;

use codex_sandbox_policy::LandlockCoverage;
use landlock::{
    ABI, Access, AccessFs, AccessNet, BitFlags, CompatLevel, Compatible, PathBeneath, PathFd,
    PathFdError, RulesetAttr, RulesetCreatedAttr, RulesetError, RulesetStatus, Scope,
    make_bitflags,
};

/// The ABI from which Landlock covers everything this helper knows how to restrict: truncate
/// (3), TCP (4), scoping of signals and abstract sockets (6), resolving Unix socket paths (9).
const FULL_COVERAGE_ABI: ABI = ABI::V9;
/// The ABI whose rules cover connecting to a Unix socket file (`ResolveUnix`).
pub(crate) const UNIX_SOCKET_ABI: u32 = ABI::V9 as u32;

/// A directory (or file) a rule is attached to.
pub(crate) struct RuleTarget<'a> {
    /// The opened path.
    pub(crate) fd: BorrowedFd<'a>,
    /// Whether it is a directory (a file only takes the rights a file can have).
    pub(crate) is_dir: bool,
}

/// What the sandbox should hold, as far as Landlock is concerned.
pub(crate) struct LandlockRules<'a> {
    /// Roots that get every access right, Unix-socket connects included.
    pub(crate) writable_roots: Vec<RuleTarget<'a>>,
    /// Roots that get every right but connecting to Unix sockets (`/tmp`, `$TMPDIR`).
    pub(crate) shared_roots: Vec<RuleTarget<'a>>,
    /// Socket files or directories on the policy's allow-list.
    pub(crate) allowed_sockets: Vec<RuleTarget<'a>>,
    /// Deny TCP bind and connect (where the ABI can).
    pub(crate) deny_tcp: bool,
}

/// The ABI that was enforced and how much of the helper's wishes it covers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LandlockOutcome {
    /// The ABI used for the ruleset (the kernel's, capped at the newest this crate knows).
    pub(crate) abi: u32,
    /// Full when the ABI has every protection the helper knows; otherwise partial.
    pub(crate) coverage: LandlockCoverage,
}

/// Why Landlock could not be enforced.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LandlockError {
    /// The kernel has no Landlock, or it is disabled at boot.
    #[error("the kernel does not offer Landlock (needs ABI 1 or newer)")]
    Unavailable,
    /// `/` or `/dev/null` could not be opened to attach a rule.
    #[error("cannot open {} for a rule", path.display())]
    Path {
        /// The ABI tried: the kernel's, at most the newest this crate knows.
        abi: u32,
        /// The path.
        path: PathBuf,
        /// Why opening it failed.
        #[source]
        source: PathFdError,
    },
    /// Building or enforcing the ruleset failed.
    #[error("ABI {abi} ruleset could not be enforced")]
    Ruleset {
        /// The ABI tried: the kernel's, at most the newest this crate knows.
        abi: u32,
        /// The crate's error.
        #[source]
        source: RulesetError,
    },
    /// The kernel enforced less than was asked for.
    #[error("ABI {abi} ruleset was only partly enforced ({status:?})")]
    NotFullyEnforced {
        /// The ABI tried: the kernel's, at most the newest this crate knows.
        abi: u32,
        /// What the kernel reported.
        status: RulesetStatus,
    },
}

impl LandlockError {
    /// The ABI tried, `None` when the kernel has no Landlock.
    pub(crate) fn kernel_abi(&self) -> Option<u32> {
        match self {
            LandlockError::Unavailable => None,
            LandlockError::Path { abi, .. }
            | LandlockError::Ruleset { abi, .. }
            | LandlockError::NotFullyEnforced { abi, .. } => Some(*abi),
        }
    }

    /// The ABI the failed step needed: 1 when Landlock is missing, else the one that was tried.
    pub(crate) fn needed_abi(&self) -> u32 {
        self.kernel_abi().unwrap_or(1)
    }
}

/// The kernel's Landlock ABI version, `None` when Landlock is unavailable.
pub(crate) fn kernel_abi() -> Option<u32> {
    codex_sandbox_policy::landlock_abi()
}

/// Restricts this process (and what it execs) with a ruleset at the kernel's newest ABI.
///
/// Needs no_new_privs (or `CAP_SYS_ADMIN`). Every access right requested is one the kernel
/// knows, and the kernel must report the ruleset as fully enforced, otherwise this fails.
///
/// # Errors
/// A [`LandlockError`] saying what could not be enforced; the caller must not run the command.
pub(crate) fn restrict(rules: &LandlockRules<'_>) -> Result<LandlockOutcome, LandlockError> {
    let kernel = kernel_abi().ok_or(LandlockError::Unavailable)?;
    // ABI::from caps an ABI newer than the crate at the newest one it knows.
    let abi = ABI::from(i32::try_from(kernel).unwrap_or(i32::MAX));
    let used = abi as u32;
    let ruleset_error = |source| LandlockError::Ruleset { abi: used, source };

    let mut ruleset = landlock::Ruleset::default()
        .set_compatibility(CompatLevel::HardRequirement)
        .handle_access(AccessFs::from_all(abi))
        .map_err(ruleset_error)?;
    if rules.deny_tcp && abi >= ABI::V4 {
        ruleset = ruleset
            .handle_access(AccessNet::from_all(abi))
            .map_err(ruleset_error)?;
    }
    if abi >= ABI::V6 {
        ruleset = ruleset.scope(Scope::from_all(abi)).map_err(ruleset_error)?;
    }
    let root = PathFd::new("/").map_err(|source| LandlockError::Path {
        abi: used,
        path: "/".into(),
        source,
    })?;
    let dev_null = PathFd::new("/dev/null").map_err(|source| LandlockError::Path {
        abi: used,
        path: "/dev/null".into(),
        source,
    })?;
    let mut created = ruleset
        .create()
        .map_err(ruleset_error)?
        .add_rule(PathBeneath::new(root, AccessFs::from_read(abi)))
        .map_err(ruleset_error)?
        .add_rule(PathBeneath::new(dev_null, dev_null_access(abi)))
        .map_err(ruleset_error)?;
    let everything = AccessFs::from_all(abi);
    let shared = everything & !BitFlags::from(AccessFs::ResolveUnix);
    let sockets = everything & AccessFs::ResolveUnix;
    let grants = [
        (&rules.writable_roots, everything),
        (&rules.shared_roots, shared),
        (&rules.allowed_sockets, sockets),
    ];
    for (targets, access) in grants {
        if access.is_empty() {
            continue;
        }
        for target in targets {
            created = created
                .add_rule(beneath(target, access, abi))
                .map_err(ruleset_error)?;
        }
    }
    let status = created.restrict_self().map_err(ruleset_error)?;
    if status.ruleset != RulesetStatus::FullyEnforced {
        return Err(LandlockError::NotFullyEnforced {
            abi: used,
            status: status.ruleset,
        });
    }
    Ok(LandlockOutcome {
        abi: used,
        coverage: if abi >= FULL_COVERAGE_ABI {
            LandlockCoverage::Full
        } else {
            LandlockCoverage::Partial
        },
    })
}

/// `/dev/null` may be read, written, truncated (`> /dev/null`) and ioctl'd, never executed.
fn dev_null_access(abi: ABI) -> BitFlags<AccessFs> {
    AccessFs::from_file(abi)
        & make_bitflags!(AccessFs::{ReadFile | WriteFile | Truncate | IoctlDev})
}

/// A rule granting `access` beneath `target`; for a file, only the rights a file can have.
fn beneath<'a>(
    target: &'a RuleTarget<'a>,
    access: BitFlags<AccessFs>,
    abi: ABI,
) -> PathBeneath<BorrowedFd<'a>> {
    let access = if target.is_dir {
        access
    } else {
        access & AccessFs::from_file(abi)
    };
    PathBeneath::new(target.fd.as_fd(), access)
}
