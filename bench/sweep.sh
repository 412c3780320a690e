#!/usr/bin/env bash
# End-to-end sweep benchmark against the emulator with zero step time (the server does no work, so
# what is left is HTTP, events, JSON, PNG writing and downloads):
#   1. `ivk run` of an N-item sweep (default 1000) with events, downloading every image:
#      wall time, items/s, client CPU ms per item and peak memory (from /usr/bin/time -f).
#   2. The same with --no-events (polling only), and with --no-download (the same traffic as 3).
#   3. The emulator alone: the same batch enqueued and followed by a minimal client polling
#      batch_status every 10 ms, nothing downloaded: the server's own ceiling for this traffic.
#   4. The Python client's documented loop (spec/pyclient.md §1.12): submit one item, then
#      wait_for_completion_sync polling GET queue/i/{id} every 0.5 s; run for M items (default 20)
#      with Python's urllib (invokeai-py-client itself is not installable here) and extrapolated.
# Usage: bench/sweep.sh [BUILD_DIR] [N] [M]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
n=${2:-1000}
m=${3:-20}
ivk=$build/cli/ivk
wf=examples/workflows/sdxl-text-to-image.json
[[ -x $ivk ]] || { echo "bench/sweep.sh: build ivk first ($ivk missing)" >&2; exit 1; }

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

start_emulator() {  # sets url
  local line="" i
  "$ivk" emulator --port 0 --step-ms 0 >"$tmp/emu.out" 2>&1 &
  pids+=($!)
  for i in $(seq 100); do
    line=$(grep -m1 'listening on' "$tmp/emu.out" || true)
    [[ -n $line ]] && break
    sleep 0.1
  done
  url=${line##* }
}

seeds=$(seq -s, 1 "$n")

measure_ivk() {  # LABEL EXTRA_ARGS...
  local label=$1
  shift
  start_emulator
  /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$ivk" run "$wf" --server "$url" -s Width=64 -s Height=64 \
    --sweep "Seed=$seeds" --out "$tmp/out-$label" --timeout 3600 "$@" 2>"$tmp/err-$label" >/dev/null
  read -r wall user sys rss <"$tmp/time"
  local images emu_ticks
  images=$( (find "$tmp/out-$label" -name '*.png' 2>/dev/null || true) | wc -l)
  # The emulator's own CPU time (utime + stime, in clock ticks), to see who the bottleneck is.
  emu_ticks=$(awk '{print $14 + $15}' "/proc/${pids[-1]}/stat")
  awk -v l="$label" -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v i="$images" \
    -v e="$emu_ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {
    printf "%-22s %5d items in %6.2f s %7.1f items/s  client CPU %5.2f ms/item  emulator CPU %5.2f ms/item  peak RSS %5.1f MB  %d PNGs\n",
      l, n, w, n / w, (u + s) * 1000 / n, e * 1000 / hz / n, r / 1024, i }'
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
}

echo "sweep of $n items, 64x64, emulator --step-ms 0, $(nproc) cores"
measure_ivk "ivk run (events)"
measure_ivk "ivk run (polling)" --no-events
measure_ivk "ivk run --no-download" --no-download

start_emulator
"$ivk" payload "$wf" -s Width=64 -s Height=64 --sweep "Seed=$seeds" --no-workflow >"$tmp/body.json"
python3 - "$url" "$tmp/body.json" "$n" "$m" <<'PY'
import json, sys, time, urllib.request
url, body_file, n, m = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def call(method, path, body=None):
    req = urllib.request.Request(url + path, method=method, data=body,
                                 headers={"Content-Type": "application/json"} if body else {})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())
body = open(body_file, "rb").read()
t0 = time.perf_counter()
batch = call("POST", "/api/v1/queue/default/enqueue_batch", body)["batch"]["batch_id"]
while True:
    s = call("GET", "/api/v1/queue/default/b/%s/status" % batch)
    if s["completed"] + s["failed"] + s["canceled"] >= n:
        break
    time.sleep(0.01)
wall = time.perf_counter() - t0
print("%-22s %5d items in %7.2f s  %8.1f items/s  (enqueue + batch_status polls, nothing downloaded)"
      % ("emulator alone", n, wall, n / wall))

# The Python client's loop: one submit per item, then poll the item every 0.5 s until terminal.
one = json.loads(body)
one["batch"]["data"] = []
t0 = time.perf_counter()
for i in range(m):
    item = call("POST", "/api/v1/queue/default/enqueue_batch", json.dumps(one).encode())["item_ids"][0]
    while True:
        q = call("GET", "/api/v1/queue/default/i/%d" % item)
        if q["status"] in ("completed", "failed", "canceled"):
            break
        time.sleep(0.5)
wall = time.perf_counter() - t0
print("%-22s %5d items in %7.2f s  %8.1f items/s  (-> %.0f s for %d items; no downloads)"
      % ("pyclient-style loop", m, wall, m / wall, wall / m * n, n))
PY
