#!/usr/bin/env bash
# Clean build time of one target (default: ivk, i.e. the library, the emulator and the CLI), without
# ccache, from a fresh build directory. Prints wall time and CPU time (user + system of every compiler
# and linker process), which is steadier than wall time on a shared machine.
#
#   bench/build_time.sh [SOURCE_DIR] [TARGET] [JOBS] [-- CMAKE_ARGS...]
#
# SOURCE_DIR defaults to this checkout; pass another checkout (e.g. an older commit's worktree) to
# compare. The build directory is a temporary one, removed afterwards.
set -euo pipefail
src="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
target="${2:-ivk}"
jobs="${3:-2}"
shift $(($# < 3 ? $# : 3))
[[ "${1:-}" == -- ]] && shift
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export CCACHE_DISABLE=1
cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIVK_BUILD_TESTS=OFF \
  -DIVK_BUILD_BENCH=OFF -DIVK_BUILD_EXAMPLES=OFF "$@" >/dev/null
start=$(date +%s.%N)
# `time` of the shell counts the CPU of every child that was waited for: the compilers and linkers.
TIMEFORMAT='%U %S'
cpu=$({ time cmake --build "$dir" --target "$target" --parallel "$jobs" >/dev/null; } 2>&1)
end=$(date +%s.%N)
read -r user sys <<<"$cpu"
steps=$(grep -c '' "$dir/.ninja_log" || true)
python3 - "$src" "$target" "$jobs" "$start" "$end" "$user" "$sys" "$((steps - 1))" <<'PY'
import sys
src, target, jobs, start, end, user, sys_t, steps = sys.argv[1:]
wall = float(end) - float(start)
cpu = float(user) + float(sys_t)
print(f"{target} from {src}: {wall:.0f} s wall with -j{jobs}, {cpu:.0f} s CPU "
      f"({float(user):.0f} user + {float(sys_t):.0f} system), {steps} build steps")
PY
