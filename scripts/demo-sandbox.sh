#!/usr/bin/env bash
# Demo of the codex-linux-sandbox helper: builds it (static, release), then runs one write
# inside a temporary workspace (allowed) and one outside it (denied), checking both effects.
# Exits non-zero if either outcome is not the expected one.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="$(mktemp -d -p /var/tmp codex-sandbox-demo.XXXXXX)"
trap 'rm -rf "$scratch"' EXIT

echo "== building codex-linux-sandbox (static, release)"
helper="$("$root/scripts/build-sandbox-helper.sh" --release --out "$scratch/bin" | tail -n 1)"

workspace="$scratch/workspace"
outside="$scratch/outside"
mkdir -p "$workspace" "$outside"
policy='{"mode":"workspace-write"}'

echo "== workspace: $workspace"
echo "== outside:   $outside"
echo "== policy:    $policy"

# The status pipe (fd 3) reports which layers were enforced, just before the command runs.
status="$(env -u TMPDIR CODEX_SANDBOX_STATUS_FD=3 "$helper" --policy "$policy" --cwd "$workspace" \
  -- sh -c 'echo hello > allowed.txt' 3>&1 >/dev/null)"
echo "== helper status: $status"

set +e
env -u TMPDIR "$helper" --policy "$policy" --cwd "$workspace" \
  -- sh -c "echo hello > '$outside/denied.txt'" 2>"$scratch/denied.err"
denied_exit=$?
set -e

ok=0
if [ -f "$workspace/allowed.txt" ]; then
  echo "ALLOWED: wrote $workspace/allowed.txt (inside the workspace)"
else
  echo "UNEXPECTED: the write inside the workspace did not happen"; ok=1
fi
if [ ! -e "$outside/denied.txt" ] && [ "$denied_exit" -ne 0 ]; then
  echo "DENIED:  $outside/denied.txt was not created (exit $denied_exit: $(tr -d '\n' <"$scratch/denied.err"))"
else
  echo "UNEXPECTED: the write outside the workspace was not stopped"; ok=1
fi
exit "$ok"
