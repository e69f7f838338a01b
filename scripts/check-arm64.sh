#!/usr/bin/env bash
# linux-arm64-gnu on an x86-64 machine: installs the cross toolchain and qemu if missing (Debian's
# gcc-aarch64-linux-gnu, libc6-dev-arm64-cross and qemu-user; Rust's std by rustup), packs dist/
# (`npm run package`, which then builds arm64 too), and checks the arm64 platform tarball.
#
#   scripts/check-arm64.sh [--install | --packaged]
#
# --install only installs what is missing; --packaged checks the dist/ that is there instead of
# packing again (CI packs once, in `npm test`: a second napi build right after the first
# rebuilds the addon for nothing, as napi's type-definition cache only then exists).
#
# The checks:
# - it holds an aarch64 addon (a shared object) and an aarch64 helper that is static and
#   executable;
# - under qemu-aarch64 the helper answers a bad command line with exit 125, and refuses to run a
#   command when it cannot confine it: qemu-user emulates no seccomp, which every policy needs,
#   so a network-off and a network-on policy must both exit 125, naming seccomp, without the
#   command's side effect;
# - the helper's and the policy crate's unit tests, built for aarch64, pass under qemu (among
#   them the aarch64 seccomp program, run through the tests' BPF interpreter); the tests of
#   roots:: and sock_diag:: are skipped: qemu-user mistranslates their O_PATH walks (ENOENT
#   for a directory that exists) and their NETLINK_SOCK_DIAG queries (EINVAL), and the check
#   that this kernel has Landlock, which qemu-user does not emulate;
# - dist/ installed for arm64 (`npm install --cpu=arm64`) and loaded by Debian's arm64 Node under
#   qemu-aarch64: exec, timeout, helper discovery, the helper's refusals as typed errors, and a
#   stream from a local server work (scripts/check-arm64-addon.mjs).
#
# Not checked here: nothing shows the sandbox holding on arm64, since qemu-user enforces neither
# Landlock nor seccomp; and the commands the emulated addon spawns are this host's x86-64 ones.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=targets.sh
source "$root/scripts/targets.sh"
target=aarch64-unknown-linux-gnu
cd "$root"

mode=all
case "${1:-}" in
  '') ;;
  --install) mode=install ;;
  --packaged) mode=packaged ;;
  *) echo "usage: $0 [--install | --packaged]" >&2; exit 2 ;;
esac

missing=()
command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu)
[ -e /usr/aarch64-linux-gnu/lib/libc.a ] || missing+=(libc6-dev-arm64-cross)
command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The addon's target, and the helper's (musl, see scripts/build-sandbox-helper.sh).
for rust_target in "$target" aarch64-unknown-linux-musl; do
  if [ ! -d "$(rustc --print target-libdir --target "$rust_target")" ]; then
    rustup target add "$rust_target"
  fi
done

case "$mode" in
  install) exit 0 ;;
  all) npm run package ;;
esac

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
tarballs=(dist/platforms/codex-native-binding-linux-arm64-gnu-*.tgz)
if [ ! -e "${tarballs[0]}" ]; then
  echo "check-arm64: no arm64 tarball in dist/platforms/ (npm run package packs one once the cross toolchain is installed)" >&2
  exit 1
fi
tar -xzf "${tarballs[0]}" -C "$scratch"
package="$scratch/package"
addon="$package/codex-native.linux-arm64-gnu.node"
helper="$package/codex-linux-sandbox"

failures=0
check() {
  local what="$1"
  shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}
machine() { readelf -h "$1" | grep -q 'Machine: *AArch64'; }
shared_object() { readelf -h "$1" | grep -q 'Type: *DYN'; }
static() { ! readelf -l "$1" | grep -q 'Requesting program interpreter'; }
executable() { [ -x "$1" ]; }

check "addon is aarch64" machine "$addon"
check "addon is a shared object" shared_object "$addon"
check "helper is aarch64" machine "$helper"
check "helper is static" static "$helper"
check "helper is executable" executable "$helper"
echo "     addon $(du -h "$addon" | cut -f1), needs glibc $(readelf -V "$addon" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1 | cut -d_ -f2); helper $(du -h "$helper" | cut -f1)"

# Runs the helper under qemu; sets $status and $stderr.
emulate() {
  set +e
  stderr="$(qemu-aarch64 "$helper" "$@" 2>&1 >/dev/null)"
  status=$?
  set -e
}
# The helper under a policy whose layer $1 qemu lacks: refused (125, naming $1), nothing run.
refused() {
  local marker
  marker="$(mktemp -u "$scratch/ran-XXXXXX")"
  emulate --policy "$2" --cwd "$scratch" -- /bin/sh -c "touch '$marker'"
  echo "     $2: exit $status: $stderr"
  [ "$status" -eq 125 ] && [ ! -e "$marker" ] && [[ "$stderr" == *"$1"* ]]
}
# The helper on a bad command line: 125 and a usage message.
usage_error() {
  emulate "$@"
  echo "     ${*:-(no arguments)}: exit $status: $stderr"
  [ "$status" -eq 125 ] && [[ "$stderr" == *usage* ]]
}

check "qemu: no arguments is a usage error (125)" usage_error
check "qemu: an unknown option is a usage error (125)" usage_error --no-such-option
# qemu-user implements no seccomp, which every policy needs (the helper asks the kernel first).
check "qemu: workspace-write, no seccomp → refused, command not run" \
  refused seccomp '{"mode":"workspace-write"}'
check "qemu: read-only with network, no seccomp → refused, command not run" \
  refused seccomp '{"mode":"read-only","networkAccess":true}'

echo "== unit tests for $target under qemu"
if (use_cross_toolchain "$target" &&
  CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu" \
    cargo test --locked --target "$target" -p codex-linux-sandbox -p codex-sandbox-policy --lib -q -- \
      --skip roots:: --skip sock_diag:: --skip this_kernel_reports_its_landlock_abi); then
  echo "ok   unit tests of codex-linux-sandbox and codex-sandbox-policy on aarch64"
else
  echo "FAIL unit tests of codex-linux-sandbox and codex-sandbox-policy on aarch64"
  failures=$((failures + 1))
fi

# Debian's arm64 Node and the libraries it needs, unpacked into a sysroot for qemu's -L. apt runs
# on a private state directory, so this machine's own apt (architectures, lists) stays as it was.
# Debian 13's Node 20 meets package.json's engines (Debian 12's is Node 18).
sysroot="${CARGO_TARGET_DIR:-$root/target}/arm64-node"
if [ ! -x "$sysroot/root/usr/bin/node" ]; then
  echo "== Debian's arm64 nodejs into $sysroot"
  rm -rf "$sysroot"
  mkdir -p "$sysroot/lists/partial" "$sysroot/cache/archives/partial" "$sysroot/debs" "$sysroot/root"
  : >"$sysroot/status"
  echo "deb http://deb.debian.org/debian trixie main" >"$sysroot/sources.list"
  apt_private=(-o "Dir::Etc::SourceList=$sysroot/sources.list" -o Dir::Etc::SourceParts=/nonexistent
    -o "Dir::State::Lists=$sysroot/lists" -o "Dir::Cache=$sysroot/cache" -o "Dir::State::status=$sysroot/status"
    -o APT::Architecture=arm64 -o APT::Architectures=arm64 -o Debug::NoLocking=1)
  apt-get "${apt_private[@]}" update -qq
  # nodejs and everything it depends on (a `<virtual>` line names no package to fetch).
  mapfile -t debs < <(apt-cache "${apt_private[@]}" depends --recurse --no-recommends --no-suggests \
    --no-conflicts --no-breaks --no-replaces --no-enhances nodejs | grep -v '^ \|^<' | sort -u)
  (cd "$sysroot/debs" && apt-get "${apt_private[@]}" download -qq "${debs[@]}" 2>/dev/null)
  for deb in "$sysroot"/debs/*.deb; do dpkg-deb -x "$deb" "$sysroot/root"; done
  # Debian 13 has merged /usr: the loader's /lib path is a symlink that base-files would make.
  ln -s usr/lib "$sysroot/root/lib"
fi

project="$scratch/project"
mkdir "$project"
echo '{"name":"arm64-consumer","version":"1.0.0","private":true}' >"$project/package.json"
(cd "$project" && npm install --offline --no-audit --no-fund --cpu=arm64 "$root/dist/codex-native-"*.tgz >/dev/null)
helper_under_qemu="$scratch/helper-under-qemu"
printf '#!/bin/sh\nexec qemu-aarch64 %s "$@"\n' \
  "$project/node_modules/@codex-native/binding-linux-arm64-gnu/codex-linux-sandbox" >"$helper_under_qemu"
chmod +x "$helper_under_qemu"
# A crash under emulation must not leave a core file behind.
ulimit -c 0
if ! (cd "$project" && qemu-aarch64 -L "$sysroot/root" "$sysroot/root/usr/bin/node" \
  "$root/scripts/check-arm64-addon.mjs" "$helper_under_qemu"); then
  failures=$((failures + 1))
fi

if [ "$failures" -gt 0 ]; then
  echo "check-arm64: $failures check(s) failed" >&2
  exit 1
fi
echo "check-arm64: the arm64 package is complete, its addon works and its helper fails closed under emulation"
