#!/usr/bin/env bash
# Whole-process wall time of `true` and `ls /`: direct, through a bare static exec-only wrapper,
# through codex-linux-sandbox (Landlock + seccomp only, then every default layer) and through
# bubblewrap with an equivalent policy. Prints medians and the ratios against direct and against
# the bare wrapper. Needs ./setup.sh first (bubblewrap).
#
#   bench/sandbox-overhead/run.sh [RUNS]        (default 1000 runs per case)
#
# The "Landlock + seccomp" case sets CODEX_SANDBOX_NO_MOUNT_NS=1, the helper's benchmark/debug
# knob that skips its optional mount-namespace layer. The cases take turns run by run
# (measure.py), so a machine busy with other work slows them alike.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${1:-1000}"
for tool in bwrap gcc python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (run $here/setup.sh)" >&2; exit 1; }
done

work="$(mktemp -d -p /var/tmp codex-sandbox-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ws"

echo "== building the helper (static, release) and the bare wrapper" >&2
helper="$("$root/scripts/build-sandbox-helper.sh" --release --out "$work/bin" | tail -n 1)"
gcc -O2 -static -o "$work/bin/bare-exec" "$here/bare-exec.c"

echo "== measuring ($runs runs per case)" >&2
python3 "$here/measure.py" "$helper" "$work/bin/bare-exec" "$work/ws" "$runs"
