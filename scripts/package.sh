#!/usr/bin/env bash
# `npm run package`: release builds of the addon and the static helper, packed into tarballs that
# install offline into any project:
#
#   dist/codex-native-<version>.tgz                   the package (JavaScript, types, CLI)
#   dist/platforms/codex-native-binding-<p>-<v>.tgz   one per platform built (addon + helper)
#
#   scripts/package.sh [--target TRIPLE]...
#
# Without --target: the host, and every other Linux target of package.json's napi.targets whose
# cross toolchain is installed (scripts/targets.sh says what each needs); the rest are skipped
# with the reason. The packages are staged in a temporary directory (not under the checkout, where
# Jest would find a second `codex-native`), so the checkout's own build stays as it was.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=targets.sh
source "$root/scripts/targets.sh"
cd "$root"
export PATH="$root/node_modules/.bin:$PATH"

targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --target) targets+=("${2:?--target needs a triple}"); shift ;;
    *) echo "usage: $0 [--target TRIPLE]..." >&2; exit 2 ;;
  esac
  shift
done

if [ ${#targets[@]} -eq 0 ]; then
  host="$(host_triple)"
  targets=("$host")
  for target in $(node -p "require('./package.json').napi.targets.join(' ')"); do
    case "$target" in
      "$host" | *-apple-* | *-windows-*) ;;
      *) if (use_cross_toolchain "$target"); then targets+=("$target"); else echo "package.sh: skipping $target" >&2; fi ;;
    esac
  done
fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
rm -rf dist
for target in "${targets[@]}"; do
  dir="$(npm_dir "$target")"
  if [ -z "$dir" ]; then
    echo "package.sh: $target has no platform package under npm/" >&2
    exit 2
  fi
  echo "== $target → npm/$dir"
  mkdir "$stage/$dir"
  cp "npm/$dir/package.json" "npm/$dir/README.md" "$stage/$dir/"
  (
    use_cross_toolchain "$target"
    napi build --platform --release --target "$target" -p codex-node -o "$stage/$dir" --js binding.js --dts binding.d.ts
    bash scripts/build-sandbox-helper.sh --release --target "$target" --out "$stage/$dir" >/dev/null
  )
done

node scripts/pack-dist.mjs "$stage" dist
