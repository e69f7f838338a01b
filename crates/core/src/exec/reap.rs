//! Ending a command: wait for it, or for a timeout or cancellation and then kill its group.
//!
//! The OS effects sit behind [`ProcessGroup`] so the escalation (SIGTERM, grace, SIGKILL) can be
//! tested without processes.

use std::io;
use std::process::ExitStatus;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// How often we look whether a signalled group has emptied before the grace runs out.
const GROUP_POLL: Duration = Duration::from_millis(10);

/// The two steps of ending a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupSignal {
    /// Ask to exit (SIGTERM).
    Terminate,
    /// End at once (SIGKILL).
    Kill,
}

/// The process-level operations the reaping logic needs.
pub(crate) trait ProcessGroup {
    /// Sends `signal` to every process in the group; a group that is already gone is success.
    fn signal_group(&mut self, signal: GroupSignal) -> io::Result<()>;
    /// Whether any process (the direct child included, until it is reaped) is still in the group.
    fn group_alive(&mut self) -> bool;
    /// Waits for the direct child and reaps it; again after that, returns the same status.
    async fn wait(&mut self) -> io::Result<ExitStatus>;
}

/// Why the run ended, before the exit status is looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// The direct child exited by itself (or by a signal someone else sent).
    Natural,
    /// The timeout expired; the group was killed.
    TimedOut,
    /// The caller cancelled; the group was killed.
    Cancelled,
}

/// Waits for the child, or for `timeout`/`cancel`, in which case the group gets SIGTERM and,
/// if anything in it is still there after `grace`, SIGKILL.
///
/// # Errors
/// The OS error when waiting for the child fails or a signal cannot be sent.
pub(crate) async fn wait_or_kill<P: ProcessGroup>(
    process: &mut P,
    timeout: Option<Duration>,
    cancel: &CancellationToken,
    grace: Duration,
) -> io::Result<(ExitStatus, Ending)> {
    let deadline = async {
        match timeout {
            Some(timeout) => tokio::time::sleep(timeout).await,
            None => std::future::pending().await,
        }
    };
    let ending = tokio::select! {
        // Cancellation first: an abort that landed during spawn must win over a fast exit.
        biased;
        () = cancel.cancelled() => Ending::Cancelled,
        status = process.wait() => return Ok((status?, Ending::Natural)),
        () = deadline => Ending::TimedOut,
    };
    let status = kill_group(process, grace).await?;
    Ok((status, ending))
}

/// SIGTERM to the group, then SIGKILL once `grace` has passed with anything still in it.
async fn kill_group<P: ProcessGroup>(process: &mut P, grace: Duration) -> io::Result<ExitStatus> {
    process.signal_group(GroupSignal::Terminate)?;
    let emptied = tokio::time::timeout(grace, async {
        let status = process.wait().await;
        // Grandchildren get the same grace as the child: they may be cleaning up too.
        while process.group_alive() {
            tokio::time::sleep(GROUP_POLL).await;
        }
        status
    })
    .await;
    match emptied {
        Ok(status) => status,
        Err(_elapsed) => {
            process.signal_group(GroupSignal::Kill)?;
            process.wait().await
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::process::ExitStatusExt;

    use super::*;

    /// A scripted process: which signals end the child, and whether stragglers ignore SIGTERM.
    #[derive(Default)]
    struct FakeGroup {
        sent: Vec<GroupSignal>,
        exits_after: Option<Duration>,
        dies_on: Vec<GroupSignal>,
        stragglers_ignore_term: bool,
        child_status: Option<ExitStatus>,
        stragglers: bool,
    }

    impl ProcessGroup for FakeGroup {
        fn signal_group(&mut self, signal: GroupSignal) -> io::Result<()> {
            self.sent.push(signal);
            if self.dies_on.contains(&signal) && self.child_status.is_none() {
                let number = match signal {
                    GroupSignal::Terminate => libc::SIGTERM,
                    GroupSignal::Kill => libc::SIGKILL,
                };
                self.child_status = Some(ExitStatus::from_raw(number));
            }
            if signal == GroupSignal::Kill || !self.stragglers_ignore_term {
                self.stragglers = false;
            }
            Ok(())
        }

        fn group_alive(&mut self) -> bool {
            self.child_status.is_none() || self.stragglers
        }

        async fn wait(&mut self) -> io::Result<ExitStatus> {
            loop {
                if let Some(status) = self.child_status {
                    return Ok(status);
                }
                match self.exits_after.take() {
                    Some(after) => {
                        tokio::time::sleep(after).await;
                        self.child_status = Some(ExitStatus::from_raw(3 << 8));
                    }
                    None => std::future::pending::<()>().await,
                }
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_child_that_exits_is_not_signalled() {
        let mut group = FakeGroup {
            exits_after: Some(Duration::from_millis(5)),
            ..FakeGroup::default()
        };
        let (status, ending) = wait_or_kill(
            &mut group,
            Some(Duration::from_secs(1)),
            &CancellationToken::new(),
            Duration::from_secs(2),
        )
        .await
        .unwrap();
        assert_eq!((status.code(), ending), (Some(3), Ending::Natural));
        assert!(group.sent.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn timeout_sends_term_and_stops_when_the_group_is_gone() {
        let mut group = FakeGroup {
            dies_on: vec![GroupSignal::Terminate, GroupSignal::Kill],
            ..FakeGroup::default()
        };
        let start = tokio::time::Instant::now();
        let (status, ending) = wait_or_kill(
            &mut group,
            Some(Duration::from_millis(100)),
            &CancellationToken::new(),
            Duration::from_secs(2),
        )
        .await
        .unwrap();
        assert_eq!(ending, Ending::TimedOut);
        assert_eq!(status.signal(), Some(libc::SIGTERM));
        assert_eq!(group.sent, vec![GroupSignal::Terminate]);
        assert!(start.elapsed() < Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_child_ignoring_term_gets_kill_after_the_grace() {
        let mut group = FakeGroup {
            dies_on: vec![GroupSignal::Kill],
            ..FakeGroup::default()
        };
        let start = tokio::time::Instant::now();
        let (status, _) = wait_or_kill(
            &mut group,
            Some(Duration::from_millis(100)),
            &CancellationToken::new(),
            Duration::from_millis(500),
        )
        .await
        .unwrap();
        assert_eq!(status.signal(), Some(libc::SIGKILL));
        assert_eq!(group.sent, vec![GroupSignal::Terminate, GroupSignal::Kill]);
        assert_eq!(start.elapsed(), Duration::from_millis(600));
    }

    #[tokio::test(start_paused = true)]
    async fn grandchildren_ignoring_term_get_kill_even_when_the_child_died() {
        let mut group = FakeGroup {
            dies_on: vec![GroupSignal::Terminate, GroupSignal::Kill],
            stragglers: true,
            stragglers_ignore_term: true,
            ..FakeGroup::default()
        };
        let (status, _) = wait_or_kill(
            &mut group,
            Some(Duration::from_millis(10)),
            &CancellationToken::new(),
            Duration::from_millis(200),
        )
        .await
        .unwrap();
        assert_eq!(status.signal(), Some(libc::SIGTERM));
        assert_eq!(group.sent, vec![GroupSignal::Terminate, GroupSignal::Kill]);
        assert!(!group.group_alive());
    }

    #[tokio::test(start_paused = true)]
    async fn cancellation_wins_even_if_already_requested() {
        let cancel = CancellationToken::new();
        cancel.cancel();
        let mut group = FakeGroup {
            exits_after: Some(Duration::ZERO),
            dies_on: vec![GroupSignal::Terminate],
            ..FakeGroup::default()
        };
        let (_, ending) = wait_or_kill(&mut group, None, &cancel, Duration::from_secs(2))
            .await
            .unwrap();
        assert_eq!(ending, Ending::Cancelled);
        assert_eq!(group.sent, vec![GroupSignal::Terminate]);
    }

    #[tokio::test(start_paused = true)]
    async fn no_timeout_waits_as_long_as_it_takes() {
        let mut group = FakeGroup {
            exits_after: Some(Duration::from_secs(3600)),
            ..FakeGroup::default()
        };
        let (status, ending) = wait_or_kill(
            &mut group,
            None,
            &CancellationToken::new(),
            Duration::from_secs(2),
        )
        .await
        .unwrap();
        assert_eq!((status.code(), ending), (Some(3), Ending::Natural));
    }
}
