#!/usr/bin/env bash
# Builds codex-linux-sandbox statically linked against musl, checks that it really is static,
# and copies it to an output directory (default: the target's platform package, npm/linux-x64-gnu/
# for x86_64, npm/linux-arm64-gnu/ for aarch64). Prints the helper's path as its last line.
#
#   scripts/build-sandbox-helper.sh [--release] [--target TRIPLE] [--out DIR]
#
# The target defaults to the host. A target that is not Linux has no helper: the script says so
# on stderr and exits 0, so `npm run build` works on macOS too. A Linux target other than the
# host is built with Debian's cross gcc (see scripts/targets.sh). The platform's triple names the
# package (x86_64-unknown-linux-gnu → npm/linux-x64-gnu); the helper itself is built for the
# same architecture's musl triple.
#
# crt-static goes through `cargo rustc` for this one binary only: in RUSTFLAGS it would also
# hit the napi cdylib, which must stay dynamic.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=targets.sh
source "$root/scripts/targets.sh"

profile=debug
release=()
target=
out=
while [ $# -gt 0 ]; do
  case "$1" in
    --release) release=(--release); profile=release ;;
    --target) target="${2:?--target needs a triple}"; shift ;;
    --out) out="${2:?--out needs a directory}"; shift ;;
    *) echo "usage: $0 [--release] [--target TRIPLE] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done

cd "$root"
target="${target:-$(host_triple)}"
case "$target" in
  *-linux-*) ;;
  *) echo "build-sandbox-helper: $target is not Linux: there is no codex-linux-sandbox to build" >&2; exit 0 ;;
esac
if [ -z "$out" ]; then
  dir="$(npm_dir "$target")"
  if [ -z "$dir" ]; then
    echo "build-sandbox-helper: no platform package for $target under npm/; pass --out DIR" >&2
    exit 2
  fi
  out="$root/npm/$dir"
fi
# The helper links musl, not glibc: a static glibc program probes the CPU's features at every
# start (cpuid, which traps to the hypervisor in a VM), and that alone took half a millisecond
# per run here, a third of the helper's whole cost; musl's start-up does nothing of the kind.
# Rust's musl targets carry their own C library, so only their std is needed (rustup).
helper_target="${target%-gnu}-musl"
if [ ! -d "$(rustc --print target-libdir --target "$helper_target" 2>/dev/null)" ]; then
  if ! command -v rustup >/dev/null; then
    echo "build-sandbox-helper: the helper is built for $helper_target, whose Rust std is missing (rustup target add $helper_target)" >&2
    exit 1
  fi
  rustup target add "$helper_target" >&2
fi
use_cross_toolchain "$helper_target"

# relocation-model=static makes a plain static executable instead of a static PIE: a static PIE
# relocates itself at every start, and those relocations (and the copy-on-write faults they
# cause) cost a quarter of a millisecond per exec here. The trade-off: the helper stays alive
# as the supervisor, outside the sandbox, with its own image at a fixed address. It reads only
# its caller's arguments and the kernel's notifications (every field bounds-checked), and the
# command it supervises runs in a fresh, randomized address space after exec.
cargo rustc -p codex-linux-sandbox --bin codex-linux-sandbox --target "$helper_target" "${release[@]}" \
  -- -C target-feature=+crt-static -C relocation-model=static
binary="${CARGO_TARGET_DIR:-$root/target}/$helper_target/$profile/codex-linux-sandbox"

# Whichever ELF tool the host has checks the result (readelf reads any architecture's ELF).
if command -v readelf >/dev/null; then
  if readelf -l "$binary" | grep -q 'PT_INTERP\|Requesting program interpreter'; then
    echo "build-sandbox-helper: $binary has a program interpreter: not static" >&2
    exit 1
  fi
elif command -v file >/dev/null; then
  if ! file -L "$binary" | grep -Eq 'statically linked|static-pie linked'; then
    echo "build-sandbox-helper: file(1) does not call $binary static: $(file -L "$binary")" >&2
    exit 1
  fi
else
  echo "build-sandbox-helper: neither readelf nor file is installed: not checking that $binary is static" >&2
fi

mkdir -p "$out"
install -m 0755 "$binary" "$out/codex-linux-sandbox"
echo "$out/codex-linux-sandbox"
