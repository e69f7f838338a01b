# Sourced by the build scripts: what a Rust target triple means for this repository.

# The npm/ directory (and platform package suffix) of a target: napi-rs's `<os>-<arch>[-<abi>]`.
# Prints nothing for a target that has no platform package here.
npm_dir() {
  case "$1" in
    x86_64-unknown-linux-gnu) echo linux-x64-gnu ;;
    aarch64-unknown-linux-gnu) echo linux-arm64-gnu ;;
    x86_64-apple-darwin) echo darwin-x64 ;;
    aarch64-apple-darwin) echo darwin-arm64 ;;
    x86_64-pc-windows-msvc) echo win32-x64-msvc ;;
  esac
}

# The Rust host triple.
host_triple() {
  rustc -vV | sed -n 's/^host: //p'
}

# For a Linux target of another architecture than the host's, exports Cargo's linker variable for
# it (unless the caller set it) as Debian's cross gcc, which cc-rs also picks for C code (ring).
# Only for cross builds: a native arm64 host's gcc need not carry the triplet name (Fedora,
# Amazon Linux).
# Fails with what to install when that linker or the target's Rust std is missing.
use_cross_toolchain() {
  local target="$1" gcc packages
  # The host's own architecture (a musl target on a glibc host too) links with the host's cc.
  [ "${target%%-*}" = "$(host_triple | cut -d- -f1)" ] && return 0
  case "$target" in
    aarch64-unknown-linux-gnu) gcc=aarch64-linux-gnu-gcc; packages="gcc-aarch64-linux-gnu libc6-dev-arm64-cross" ;;
    x86_64-unknown-linux-gnu) gcc=x86_64-linux-gnu-gcc; packages="gcc-x86-64-linux-gnu libc6-dev-amd64-cross" ;;
    # Rust's musl targets bring their own C library and start files: only the linker is needed.
    aarch64-unknown-linux-musl) gcc=aarch64-linux-gnu-gcc; packages="gcc-aarch64-linux-gnu" ;;
    x86_64-unknown-linux-musl) gcc=x86_64-linux-gnu-gcc; packages="gcc-x86-64-linux-gnu" ;;
    *) echo "${0##*/}: no cross toolchain is known for $target on this host" >&2; return 1 ;;
  esac
  local var
  var="CARGO_TARGET_$(echo "$target" | tr 'a-z-' 'A-Z_')_LINKER"
  if [ -z "${!var:-}" ]; then
    if ! command -v "$gcc" >/dev/null; then
      echo "${0##*/}: $target needs the cross linker $gcc (Debian: apt-get install $packages)" >&2
      return 1
    fi
    export "$var=$gcc"
  fi
  if [ ! -d "$(rustc --print target-libdir --target "$target")" ]; then
    echo "${0##*/}: $target needs Rust's standard library for it (rustup target add $target)" >&2
    return 1
  fi
}
