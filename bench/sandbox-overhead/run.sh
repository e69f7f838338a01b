#!/usr/bin/env bash
# Whole-process wall time of `true` and `ls /`: direct, through a bare static exec-only wrapper,
# through a program that only makes the namespaces the helper makes (namespaces-floor.c), through
# codex-linux-sandbox with every default layer (namespaces, init, supervisor, filter,
# Landlock) and through bubblewrap with an equivalent policy plus --unshare-pid --unshare-ipc
# --new-session. Prints medians and the ratios against direct and against the bare wrapper; then
# the per-call cost of an AF_UNIX connect under the supervisor, and of calls it never sees.
# Needs ./setup.sh first (bubblewrap, musl-gcc).
#
#   bench/sandbox-overhead/run.sh [RUNS]        (default 1000 runs per case)
#
# The cases take turns run by run (measure.py), so a machine busy with other work slows them
# alike.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${1:-1000}"
for tool in bwrap gcc musl-gcc python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (run $here/setup.sh)" >&2; exit 1; }
done

work="$(mktemp -d -p /var/tmp codex-sandbox-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ws/.git" "$work/scratch"

echo "== building the helper (static, release) and the bare wrapper" >&2
helper="$("$root/scripts/build-sandbox-helper.sh" --release --out "$work/bin" | tail -n 1)"
# musl, as the helper: a static glibc program's start alone costs half a millisecond in a VM.
musl-gcc -O2 -static -o "$work/bin/bare-exec" "$here/bare-exec.c"
musl-gcc -O2 -static -o "$work/bin/namespaces-floor" "$here/namespaces-floor.c"
gcc -O2 -o "$work/bin/syscall-loop" "$here/syscall-loop.c"

echo "== measuring ($runs runs per case)" >&2
python3 "$here/measure.py" "$helper" "$work/bin/bare-exec" "$work/bin/namespaces-floor" "$work/bin/syscall-loop" "$work/ws" "$work/scratch" "$runs"
