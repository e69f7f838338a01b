//! [`ProcStat`]: the few fields of `/proc/<pid>/stat` that tell whether a process still runs.

/// A process's state, parent and group, as its `/proc/<pid>/stat` line states them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcStat {
    /// The state letter: `R`, `S`, `D`, `Z` (zombie), `X` (dead)…
    pub state: char,
    /// The parent's pid.
    pub ppid: libc::pid_t,
    /// The process group.
    pub pgrp: libc::pid_t,
}

impl ProcStat {
    /// Parses a `/proc/<pid>/stat` line.
    ///
    /// The line is "pid (comm) state ppid pgrp …", and `comm` may hold spaces and parentheses,
    /// so the fields are read after the last `)`.
    pub fn parse(line: &str) -> Option<ProcStat> {
        let (_, rest) = line.rsplit_once(')')?;
        let mut fields = rest.split_whitespace();
        let state = fields.next()?.chars().next()?;
        let ppid = fields.next()?.parse().ok()?;
        let pgrp = fields.next()?.parse().ok()?;
        Some(ProcStat { state, ppid, pgrp })
    }

    /// Reads and parses `/proc/<pid>/stat`; `None` when the process is gone (or unreadable).
    pub fn read(pid: libc::pid_t) -> Option<ProcStat> {
        Self::parse(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
    }

    /// Whether the process still runs: a zombie waiting to be reaped does not.
    pub fn is_live(&self) -> bool {
        !matches!(self.state, 'Z' | 'X')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_after_the_command_name() {
        let stat = ProcStat::parse("4242 (a) b (c)) S 1 777 777 0 -1 4194560").unwrap();
        assert_eq!(
            stat,
            ProcStat {
                state: 'S',
                ppid: 1,
                pgrp: 777
            }
        );
        assert!(stat.is_live());
        assert!(
            !ProcStat::parse("4242 (sh) Z 1 777 777 0")
                .unwrap()
                .is_live()
        );
        assert_eq!(ProcStat::parse("4242 (sh"), None);
    }

    #[test]
    fn this_process_runs() {
        let me = libc::pid_t::try_from(std::process::id()).unwrap();
        assert!(ProcStat::read(me).is_some_and(|stat| stat.is_live()));
    }
}
