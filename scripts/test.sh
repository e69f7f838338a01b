#!/usr/bin/env bash
# The whole test run (`npm test`): build the addon (debug) and the static sandbox helper, then
# Rust tests (the helper's against that static build), Vitest, Jest, the type check of a
# consumer file, and, after `npm run package` (release), the install tests of dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

npm run build
# The helper's own tests run against the static build that ships (npm run build made it).
CODEX_SANDBOX_HELPER_UNDER_TEST="$(bash scripts/build-sandbox-helper.sh 2>/dev/null | tail -n 1)" \
  cargo test --workspace
vitest run
jest
tsc --noEmit -p __test__/tsconfig.json
npm run package
node --test tests/
