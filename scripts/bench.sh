#!/usr/bin/env bash
# `npm run bench`: install the alternatives (bench/package.json), build release, run bench/run.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --prefix bench --no-audit --no-fund
npm run build:release
node bench/run.mjs
