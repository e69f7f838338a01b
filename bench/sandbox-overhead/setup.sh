#!/usr/bin/env bash
# Installs what the sandbox-overhead benchmark needs from Debian: bubblewrap, the comparison, and
# musl-gcc for the bare wrapper. (gcc and python3 are already on the machine.) Not part of the
# test run.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
$sudo apt-get update
$sudo apt-get install -y bubblewrap musl-tools
