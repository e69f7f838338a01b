#!/usr/bin/env python3
"""Times whole processes for run.sh: every case once per round, round after round, so that a
busy machine slows all cases alike; prints medians and ratios of wall time and, as a cross-check
that preemption by other work cannot inflate, of CPU time (user + system, from wait4).

usage: measure.py HELPER BARE WORKSPACE RUNS
"""
import os
import shutil
import statistics
import sys
import time

helper, bare, workspace, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
WARMUP = 20
POLICY = '{"mode":"workspace-write"}'

base_env = {k: v for k, v in os.environ.items() if k != "TMPDIR"}
no_mount_env = dict(base_env, CODEX_SANDBOX_NO_MOUNT_NS="1")
sandbox = [helper, "--policy", POLICY, "--cwd", workspace, "--"]
# bubblewrap with the same policy: everything read-only but the workspace and /tmp, no network.
bwrap = [shutil.which("bwrap"), "--ro-bind", "/", "/", "--bind", workspace, workspace,
         "--bind", "/tmp", "/tmp", "--dev", "/dev", "--proc", "/proc", "--unshare-net",
         "--chdir", workspace]

CASES = ["direct", "bare", "landlock-seccomp", "all-layers", "bubblewrap"]


def cases_for(program):
    program = [shutil.which(program[0])] + program[1:]
    return {
        "direct": (program, base_env),
        "bare": ([bare] + program, base_env),
        "landlock-seccomp": (sandbox + program, no_mount_env),
        "all-layers": (sandbox + program, base_env),
        "bubblewrap": (bwrap + program, base_env),
    }


devnull = os.open(os.devnull, os.O_RDWR)
quiet = [(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1)]


def once(argv, env):
    """Runs argv once; returns (wall ms, CPU ms)."""
    start = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=quiet)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter_ns() - start
    if status != 0:
        sys.exit(f"measure.py: {' '.join(argv)} failed (wait status {status})")
    return elapsed / 1e6, (usage.ru_utime + usage.ru_stime) * 1e3


def report(what, median):
    direct, floor = median["direct"], median["bare"]
    for name in CASES:
        m = median[name]
        print(f"  {what} {name:<18} {m:7.3f} ms   {m / direct:5.2f}x direct   {m / floor:5.2f}x bare")
    ll = median["landlock-seccomp"] / floor
    full = median["all-layers"] / direct
    print(f"  {what} targets: Landlock+seccomp {ll:.2f}x bare (<= 1.15: {'met' if ll <= 1.15 else 'MISSED'}),"
          f" all layers {full:.2f}x direct (<= 2.5: {'met' if full <= 2.5 else 'MISSED'})")


os.chdir(workspace)
print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
for label, program in [("true", ["true"]), ("ls /", ["ls", "/"])]:
    cases = cases_for(program)
    wall = {name: [] for name in CASES}
    cpu = {name: [] for name in CASES}
    for round_ in range(WARMUP + runs):
        for name in CASES:
            elapsed, used = once(*cases[name])
            if round_ >= WARMUP:
                wall[name].append(elapsed)
                cpu[name].append(used)
    print(f"\n{label}: medians over {runs} interleaved runs, vs direct, vs the bare wrapper")
    report("wall", {name: statistics.median(values) for name, values in wall.items()})
    report("cpu ", {name: statistics.median(values) for name, values in cpu.items()})
