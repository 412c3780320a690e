#!/usr/bin/env bash
# Times whole `ivk` processes (start, load, print, exit) with hyperfine, the way a user's shell
# or script pays for them. Usage: bench/cli_inputs.sh [BUILD_DIR]   (default: build)
# The Python client needs ~345 ms just to import before doing any of this.
set -euo pipefail
cd "$(dirname "$0")/.."
ivk="${1:-build}/cli/ivk"
wf=../shared/fixtures/workflows/sdxl-text-to-image.json
openapi=../shared/invokeai/openapi-v6.8.json
command -v hyperfine >/dev/null || { echo "bench/cli_inputs.sh needs hyperfine (scripts/setup installs it)" >&2; exit 1; }
hyperfine -N --warmup 20 --runs 200 \
  "$ivk inputs $wf" \
  "$ivk inputs --json $wf" \
  "$ivk payload $wf -s 3=1024 -s 1=fox" \
  "$ivk inputs --templates $openapi $wf"
