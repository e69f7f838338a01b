#!/usr/bin/env bash
# Builds codex-linux-sandbox statically linked (crt-static), checks that it really is static,
# and copies it to an output directory (default: npm/linux-x64-gnu/).
#
#   scripts/build-sandbox-helper.sh [--release] [--out DIR]
#
# crt-static goes through `cargo rustc` for this one binary only: in RUSTFLAGS it would also
# hit the napi cdylib, which must stay dynamic.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile=debug
release=()
out="$root/npm/linux-x64-gnu"
while [ $# -gt 0 ]; do
  case "$1" in
    --release) release=(--release); profile=release ;;
    --out) out="${2:?--out needs a directory}"; shift ;;
    *) echo "usage: $0 [--release] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done

cd "$root"
target="$(rustc -vV | sed -n 's/^host: //p')"
# An explicit --target keeps the static build apart from the ordinary (dynamic) host build.
# relocation-model=static makes a plain static executable instead of a static PIE: a static PIE
# relocates itself at every start, and those relocations (and the copy-on-write faults they
# cause) cost a quarter of a millisecond per exec here, as much as all the sandboxing. The
# helper lives for a millisecond, reads only its caller's arguments, then execs the command
# into a fresh (randomized) address space, so a fixed address for its own image gives nothing away.
cargo rustc -p codex-linux-sandbox --bin codex-linux-sandbox --target "$target" "${release[@]}" \
  -- -C target-feature=+crt-static -C relocation-model=static
binary="${CARGO_TARGET_DIR:-$root/target}/$target/$profile/codex-linux-sandbox"

if readelf -l "$binary" | grep -q 'PT_INTERP\|Requesting program interpreter'; then
  echo "build-sandbox-helper: $binary has a program interpreter: not static" >&2
  exit 1
fi
if command -v file >/dev/null && ! file -L "$binary" | grep -Eq 'statically linked|static-pie linked'; then
  echo "build-sandbox-helper: file(1) does not call $binary static: $(file -L "$binary")" >&2
  exit 1
fi

mkdir -p "$out"
install -m 0755 "$binary" "$out/codex-linux-sandbox"
echo "$out/codex-linux-sandbox"
