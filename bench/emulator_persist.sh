#!/usr/bin/env bash
# What --persist costs the emulator: one batch of N items (default 500; 64x64 images, 2 denoise steps,
# --step-ms 0) enqueued in one request and executed, timed from the request until the batch status
# says all N completed (polled every 5 ms), once in memory and once with --persist. Prints the
# enqueue time and the enqueue+execute time per item of each, the emulator's CPU time per item
# (user+system, steadier than wall time on a busy machine), and the database's size.
# Usage: bench/emulator_persist.sh [BUILD_DIR] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
n=${2:-500}
ivk=$build/cli/ivk
[[ -x $ivk ]] || { echo "bench/emulator_persist.sh: build ivk first ($ivk missing)" >&2; exit 1; }

tmp=$(mktemp -d)
pid=
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

measure() {  # LABEL EMULATOR_ARGS...
  local label=$1 line="" i
  shift
  "$ivk" emulator --port 0 --step-ms 0 "$@" >"$tmp/emu.out" 2>&1 &
  pid=$!
  for i in $(seq 100); do
    line=$(grep -m1 'listening on' "$tmp/emu.out" || true)
    [[ -n $line ]] && break
    sleep 0.1
  done
  [[ -n $line ]] || { echo "the emulator did not start: $(cat "$tmp/emu.out")" >&2; exit 1; }
  python3 - "${line##* }" "$n" "$label" "$pid" <<'EOF'
import json, os, sys, time, urllib.request
url, n, label, pid = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def cpu_seconds():  # utime + stime of the emulator
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
graph = {"id": "g", "nodes": {
    "noise": {"id": "noise", "type": "noise", "seed": 1, "width": 64, "height": 64},
    "denoise": {"id": "denoise", "type": "denoise_latents", "steps": 2},
    "out": {"id": "out", "type": "l2i", "is_intermediate": False}},
    "edges": [
        {"source": {"node_id": "noise", "field": "noise"}, "destination": {"node_id": "denoise", "field": "noise"}},
        {"source": {"node_id": "denoise", "field": "latents"}, "destination": {"node_id": "out", "field": "latents"}}]}
data = [[{"node_path": "noise", "field_name": "seed", "items": list(range(n))}]]
body = json.dumps({"prepend": False, "batch": {"batch_id": "bench", "graph": graph, "data": data}}).encode()
req = urllib.request.Request(url + "/api/v1/queue/default/enqueue_batch", body, {"Content-Type": "application/json"})
cpu_start = cpu_seconds()
start = time.perf_counter()
result = json.load(urllib.request.urlopen(req))
enqueued = time.perf_counter()
assert result["enqueued"] == n, result["enqueued"]
while True:
    status = json.load(urllib.request.urlopen(url + "/api/v1/queue/default/b/bench/status"))
    if status["completed"] + status["failed"] == n:
        break
    time.sleep(0.005)
done = time.perf_counter()
cpu = cpu_seconds() - cpu_start
assert status["completed"] == n, status
print(f"{label:10} {n} items: enqueue {1e6 * (enqueued - start) / n:7.1f} us/item, "
      f"enqueue+execute {1e6 * (done - start) / n:7.1f} us/item ({n / (done - start):6.0f} items/s), "
      f"emulator CPU {1e6 * cpu / n:7.1f} us/item")
EOF
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
}

measure "in memory"
mkdir -p "$tmp/data"
measure "--persist" --data-dir "$tmp/data" --persist
echo "database: $(du -k "$tmp/data/emulator.db" | cut -f1) KiB for $n items and their image records"
