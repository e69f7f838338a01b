#!/usr/bin/env bash
# Whole-process wall time of `true` and `ls /`: direct, through a bare static exec-only wrapper,
# through codex-linux-sandbox (Landlock + seccomp only, then every default layer) and through
# bubblewrap with an equivalent policy. Prints medians and the ratios against direct and against
# the bare wrapper. Needs ./setup.sh first (bubblewrap, hyperfine).
#
#   bench/sandbox-overhead/run.sh [RUNS]        (default 1000 runs per case)
#
# The helper's "Landlock + seccomp" case sets CODEX_SANDBOX_NO_MOUNT_NS=1, the helper's
# benchmark/debug knob that skips the optional mount-namespace layer.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${1:-1000}"
for tool in hyperfine bwrap gcc python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (run $here/setup.sh)" >&2; exit 1; }
done

work="$(mktemp -d -p /var/tmp codex-sandbox-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ws" "$work/results"

echo "== building the helper (static, release) and the bare wrapper" >&2
helper="$("$root/scripts/build-sandbox-helper.sh" --release --out "$work/bin" | tail -n 1)"
gcc -O2 -static -o "$work/bin/bare-exec" "$here/bare-exec.c"
bare="$work/bin/bare-exec"

policy="'{\"mode\":\"workspace-write\"}'"
sandbox="$helper --policy $policy --cwd $work/ws --"
# bubblewrap, same policy: everything read-only but the workspace and /tmp, no network.
bwrap="bwrap --ro-bind / / --bind $work/ws $work/ws --bind /tmp /tmp --dev /dev --proc /proc --unshare-net --chdir $work/ws"

# The machine may be shared: rather than all runs of one case and then the next, the cases take
# turns in $rounds rounds, and each median pools every round's runs.
rounds=5
per_round=$(( (runs + rounds - 1) / rounds ))

# measure NAME ROUND COMMAND [ENV=VALUE...]: one round of COMMAND, times kept as JSON.
measure() {
  local name="$1" round="$2" command="$3"
  shift 3
  env -u TMPDIR "$@" hyperfine -N --warmup 20 --runs "$per_round" --style none \
    --export-json "$work/results/$name.$round.json" "$command" >/dev/null
}

cd "$work/ws"
for round in $(seq "$rounds"); do
  echo "== round $round/$rounds" >&2
  for program in true "ls /"; do
    key="${program%% *}"
    measure "$key-direct" "$round" "$program"
    measure "$key-bare" "$round" "$bare $program"
    measure "$key-landlock-seccomp" "$round" "$sandbox $program" CODEX_SANDBOX_NO_MOUNT_NS=1
    measure "$key-all-layers" "$round" "$sandbox $program"
    measure "$key-bubblewrap" "$round" "$bwrap $program"
  done
done

python3 - "$work/results" <<'PY'
import json, pathlib, statistics, sys

results = pathlib.Path(sys.argv[1])
def median(name):
    times = []
    for path in sorted(results.glob(f"{name}.*.json")):
        times += json.loads(path.read_text())["results"][0]["times"]
    return statistics.median(times) * 1000

cases = ["direct", "bare", "landlock-seccomp", "all-layers", "bubblewrap"]
for program in ["true", "ls"]:
    direct, bare = median(f"{program}-direct"), median(f"{program}-bare")
    print(f"\n{program}: median wall time (ms), ratio vs direct, ratio vs bare wrapper")
    for case in cases:
        m = median(f"{program}-{case}")
        print(f"  {case:<18} {m:7.3f} ms   {m / direct:5.2f}x direct   {m / bare:5.2f}x bare")
    ll = median(f"{program}-landlock-seccomp") / bare
    full = median(f"{program}-all-layers") / direct
    print(f"  targets: landlock+seccomp {ll:.2f}x bare (<= 1.15: {'met' if ll <= 1.15 else 'MISSED'}),"
          f" all layers {full:.2f}x direct (<= 2.5: {'met' if full <= 2.5 else 'MISSED'})")
PY
