//! [`Denials`]: what the sandbox refused during one run, kept bounded, for the status pipe and
//! for the lines a person running the helper by hand reads.

use std::collections::BTreeSet;

use codex_sandbox_policy::{Denial, DenialReport, MAX_DENIAL_RECORDS};

/// Every refusal of one run: the first ones in full, all of them counted.
#[derive(Debug, Default)]
pub(crate) struct Denials {
    records: Vec<Denial>,
    total: u64,
    network: u64,
    unix_sockets: u64,
    /// Distinct families (network) and paths (Unix sockets), for the summary lines.
    families: BTreeSet<String>,
    paths: BTreeSet<String>,
}

/// How many distinct paths a summary line names before it says "…".
const NAMED_IN_SUMMARY: usize = 3;

impl Denials {
    /// A socket of `family`/`socket_type` (raw numbers) was refused.
    pub(crate) fn network(&mut self, family: i32, socket_type: i32) {
        self.network += 1;
        let family = family_name(family);
        if self.families.len() < MAX_DENIAL_RECORDS {
            self.families.insert(family.clone());
        }
        self.push(Denial::Network {
            family,
            socket_type: type_name(socket_type),
        });
    }

    /// A connect to the Unix socket at `path` (as the command gave it) was refused.
    pub(crate) fn unix_socket(&mut self, path: String) {
        self.unix_sockets += 1;
        if self.paths.len() < MAX_DENIAL_RECORDS {
            self.paths.insert(path.clone());
        }
        self.push(Denial::UnixSocket { path });
    }

    fn push(&mut self, denial: Denial) {
        self.total += 1;
        if self.records.len() < MAX_DENIAL_RECORDS {
            self.records.push(denial);
        }
    }

    /// The report for the status pipe; `None` when nothing was refused.
    pub(crate) fn report(&self) -> Option<DenialReport> {
        (self.total > 0).then(|| DenialReport {
            records: self.records.clone(),
            total: self.total,
        })
    }

    /// One line per kind, e.g. `denied 3 network sockets (AF_INET)`.
    pub(crate) fn summary(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if self.network > 0 {
            let families: Vec<&str> = self.families.iter().map(String::as_str).collect();
            lines.push(format!(
                "denied {} network socket{} ({}); the policy keeps the network off",
                self.network,
                plural(self.network),
                families.join(", ")
            ));
        }
        if self.unix_sockets > 0 {
            let mut named: Vec<&str> = self
                .paths
                .iter()
                .take(NAMED_IN_SUMMARY)
                .map(String::as_str)
                .collect();
            if self.paths.len() > NAMED_IN_SUMMARY {
                named.push("…");
            }
            lines.push(format!(
                "denied {} connect{} to Unix sockets outside the sandbox ({}); allow one with allowUnixSockets",
                self.unix_sockets,
                plural(self.unix_sockets),
                named.join(", ")
            ));
        }
        lines
    }
}

fn plural(count: u64) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// `AF_INET` and friends; unknown families by number.
fn family_name(family: i32) -> String {
    let name = match family {
        libc::AF_UNIX => "AF_UNIX",
        libc::AF_INET => "AF_INET",
        libc::AF_INET6 => "AF_INET6",
        libc::AF_NETLINK => "AF_NETLINK",
        libc::AF_PACKET => "AF_PACKET",
        libc::AF_VSOCK => "AF_VSOCK",
        libc::AF_BLUETOOTH => "AF_BLUETOOTH",
        libc::AF_ALG => "AF_ALG",
        libc::AF_XDP => "AF_XDP",
        other => return format!("AF_{other}"),
    };
    name.to_string()
}

/// `SOCK_STREAM` and friends (flags masked off); unknown types by number.
fn type_name(socket_type: i32) -> String {
    let name = match socket_type & 0xf {
        libc::SOCK_STREAM => "SOCK_STREAM",
        libc::SOCK_DGRAM => "SOCK_DGRAM",
        libc::SOCK_RAW => "SOCK_RAW",
        libc::SOCK_RDM => "SOCK_RDM",
        libc::SOCK_SEQPACKET => "SOCK_SEQPACKET",
        other => return format!("SOCK_{other}"),
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_bounded_and_counted_with_one_line_per_kind() {
        let mut denials = Denials::default();
        assert!(denials.report().is_none());
        assert!(denials.summary().is_empty());
        for _ in 0..40 {
            denials.network(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC);
        }
        denials.network(libc::AF_INET6, libc::SOCK_DGRAM);
        denials.unix_socket("/var/run/docker.sock".into());
        let report = denials.report().unwrap();
        assert_eq!(report.records.len(), MAX_DENIAL_RECORDS);
        assert_eq!(report.total, 42);
        assert_eq!(
            report.records[0],
            Denial::Network {
                family: "AF_INET".into(),
                socket_type: "SOCK_STREAM".into()
            }
        );
        assert_eq!(
            denials.summary(),
            vec![
                "denied 41 network sockets (AF_INET, AF_INET6); the policy keeps the network off"
                    .to_string(),
                "denied 1 connect to Unix sockets outside the sandbox (/var/run/docker.sock); allow one with allowUnixSockets"
                    .to_string()
            ]
        );
    }
}
