#!/usr/bin/env python3
"""Times whole processes for run.sh: every case once per round, round after round, so that a
busy machine slows all cases alike; prints medians and ratios of wall time and, as a cross-check
that preemption by other work cannot inflate, of CPU time (user + system, from wait4). Then the
per-call cost inside a sandboxed process: AF_UNIX connects (each one goes to the supervisor) and
calls that involve no socket (which the supervisor never sees).

usage: measure.py HELPER BARE FLOOR LOOP WORKSPACE SCRATCH RUNS

WORKSPACE holds a .git directory, as an agent's workspace usually does (the helper binds it
read-only); SCRATCH holds none (the helper makes an empty placeholder there for the run, so
that no .git can be planted, and removes it after).
"""
import os
import shutil
import statistics
import subprocess
import sys
import time

helper, bare, floor, loop, workspace, scratch, runs = sys.argv[1:7] + [int(sys.argv[7])]
WARMUP = 20
POLICY = '{"mode":"workspace-write"}'

base_env = {k: v for k, v in os.environ.items() if k != "TMPDIR"}
sandbox = [helper, "--policy", POLICY, "--cwd", workspace, "--"]
sandbox_scratch = [helper, "--policy", POLICY, "--cwd", scratch, "--"]
# bubblewrap with the same policy and the process isolation its peers add: everything read-only
# but the workspace and /tmp, no network, own PID and IPC namespaces, a new session, dying with
# its parent.
bwrap = [shutil.which("bwrap"), "--ro-bind", "/", "/", "--bind", workspace, workspace,
         "--bind", "/tmp", "/tmp", "--dev", "/dev", "--proc", "/proc", "--unshare-net",
         "--unshare-pid", "--unshare-ipc", "--new-session", "--die-with-parent",
         "--chdir", workspace]

CASES = ["direct", "bare", "namespaces-floor", "all-layers", "all-layers-no-git", "bubblewrap"]


def cases_for(program):
    program = [shutil.which(program[0])] + program[1:]
    return {
        "direct": (program, base_env),
        "bare": ([bare] + program, base_env),
        "namespaces-floor": ([floor] + program, base_env),
        "all-layers": (sandbox + program, base_env),
        "all-layers-no-git": (sandbox_scratch + program, base_env),
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
    direct, bare_median = median["direct"], median["bare"]
    for name in CASES:
        m = median[name]
        print(f"  {what} {name:<18} {m:7.3f} ms   {m / direct:5.2f}x direct   {m / bare_median:5.2f}x bare")
    for case in ["all-layers", "all-layers-no-git"]:
        full = median[case] / direct
        vs_bwrap = median["bubblewrap"] / median[case]
        print(f"  {what} target: {case} {full:.2f}x direct (<= 2.5: {'met' if full <= 2.5 else 'MISSED'});"
              f" bubblewrap takes {vs_bwrap:.2f}x as long")


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


def per_call(argv, env):
    """The loop's own mean ns per iteration."""
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


print("\nper call, inside the process (median of 7 runs, interleaved):")
for name, args in [("AF_UNIX connect+accept", ["connect", "10000", workspace]),
                   ("getppid+stat (no socket)", ["plain", "1000000"])]:
    outside, inside = [], []
    for _ in range(7):
        outside.append(per_call([loop] + args, base_env))
        inside.append(per_call(sandbox + [loop] + args, base_env))
    o, i = statistics.median(outside), statistics.median(inside)
    print(f"  {name:<26} unsandboxed {o / 1000:8.2f} us   sandboxed {i / 1000:8.2f} us"
          f"   +{(i - o) / 1000:7.2f} us   {i / o:5.2f}x")
