#!/usr/bin/env bash
# `npm run demo`: build, then run a sandboxed command through the package's own CLI — a write in
# the workspace succeeds, a write outside it is denied, and `doctor` says what is enforced.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run build
workspace="$(mktemp -d)"
trap 'rm -rf "$workspace"' EXIT

echo '$ codex-native doctor'
node bin/codex-native doctor || true
echo
echo "\$ codex-native exec --sandbox workspace-write --cwd $workspace -- sh -c 'echo hello > inside.txt && cat inside.txt'"
node bin/codex-native exec --sandbox workspace-write --cwd "$workspace" -- sh -c 'echo hello > inside.txt && cat inside.txt'
echo
echo "\$ codex-native exec --sandbox workspace-write --cwd $workspace -- touch $HOME/outside.txt"
status=0
node bin/codex-native exec --sandbox workspace-write --cwd "$workspace" -- touch "$HOME/outside.txt" || status=$?
echo "exit code $status (123: the sandbox denied the write)"
test "$status" -eq 123
test ! -e "$HOME/outside.txt"
echo "and $HOME/outside.txt does not exist"
