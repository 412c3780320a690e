#!/usr/bin/env bash
# Durable runs against the emulator (64x64 images), figures printed, nothing asserted:
#   1. plans from a JSONL inputs file of N items (default 10000 and 100000; `--step-ms 0`): wall time,
#      client CPU ms per item, peak RSS, journal bytes per item;
#   2. the fault run: F items (default 2000) with the emulator killed with SIGKILL twice and
#      restarted (--persist), ivk killed with SIGKILL once and run again, every connection cut every
#      3 s and 5% of GETs answered 503 by ivk-fault-proxy; lost plan items, plan items the server
#      completed twice, and the wall time against the same run without faults.
# Usage: bench/durable_run.sh [BUILD_DIR] [N1,N2,...] [F]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
sizes=${2:-10000,100000}
faults_n=${3:-2000}
ivk=$build/cli/ivk
proxy=$build/tests/ivk-fault-proxy
wf=examples/workflows/sdxl-text-to-image.json
[[ -x $ivk ]] || { echo "bench/durable_run.sh: build ivk first ($ivk missing)" >&2; exit 1; }

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
export XDG_CACHE_HOME=$tmp/cache

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# emulator PORT ARGS...: starts `ivk emulator` on PORT and waits until it listens; sets emu_pid.
emulator() {
  local port=$1
  shift
  "$ivk" emulator --port "$port" "$@" >"$tmp/emu-$port.out" 2>&1 &
  emu_pid=$!
  pids+=("$emu_pid")
  for _ in $(seq 100); do
    grep -q 'listening on' "$tmp/emu-$port.out" && return 0
    sleep 0.1
  done
  echo "the emulator did not start: $(cat "$tmp/emu-$port.out")" >&2
  exit 1
}

echo "durable runs, 64x64 images, $(nproc) cores"
IFS=, read -r -a plan_sizes <<<"$sizes"
for n in "${plan_sizes[@]}"; do
  python3 -c "import sys; [print('{\"Seed\": %d}' % i) for i in range(int(sys.argv[1]))]" "$n" >"$tmp/plan.jsonl"
  port=$(free_port)
  emulator "$port" --step-ms 0
  /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$ivk" run "$wf" --server "http://127.0.0.1:$port" \
    -s Width=64 -s Height=64 --inputs "$tmp/plan.jsonl" --out "$tmp/out-$n" --timeout 36000 >/dev/null 2>"$tmp/err"
  read -r wall user sys rss <"$tmp/time"
  journal=$(($(stat -c %s "$tmp/out-$n/run.sqlite") + $(stat -c %s "$tmp/out-$n/run.sqlite-wal" 2>/dev/null || echo 0)))
  pngs=$(find "$tmp/out-$n" -name '*.png' | wc -l)
  awk -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v j="$journal" -v p="$pngs" 'BEGIN {
    printf "plan of %6d items (JSONL): %7.1f s  %6.1f items/s  client CPU %.2f ms/item (user %.2f, sys %.2f)  peak RSS %5.1f MB  journal %4.0f B/item  %d PNGs\n",
      n, w, n / w, (u + s) * 1000 / n, u * 1000 / n, s * 1000 / n, r / 1024, j / n, p }'
  kill "$emu_pid"; wait "$emu_pid" 2>/dev/null || true
  rm -rf "$tmp/out-$n"
done

[[ -x $proxy ]] || { echo "bench/durable_run.sh: no $proxy (build the tests) — fault run skipped"; exit 0; }

seeds=$(seq -s, 1 "$faults_n")
run_args=("$wf" -s Width=64 -s Height=64 --sweep "Seed=$seeds" --timeout 3600 --json)

# The same run without faults, for the wall time.
port=$(free_port)
emulator "$port" --step-ms 1 --data-dir "$tmp/clean-data" --persist
t0=$(date +%s.%N)
"$ivk" run "${run_args[@]}" --server "http://127.0.0.1:$port" --out "$tmp/clean" >/dev/null 2>&1
clean_wall=$(echo "$(date +%s.%N) - $t0" | bc)
kill "$emu_pid"; wait "$emu_pid" 2>/dev/null || true

# finished FILE: item_finished lines so far.
finished() { grep -c '"event":"item_finished"' "$1" 2>/dev/null || true; }
wait_for() {  # FILE COUNT
  while [[ $(finished "$1") -lt $2 ]]; do sleep 0.2; done
}
control() {
  exec 3<>"/dev/tcp/127.0.0.1/$(cat "$tmp/control")"
  printf '%s\n' "$1" >&3
  IFS= read -r -t 5 _ <&3 || true
  exec 3<&-
}

port=$(free_port)
data=$tmp/fault-data
emulator "$port" --step-ms 1 --data-dir "$data" --persist
"$proxy" --upstream "$port" --port-file "$tmp/pport" --control-port-file "$tmp/control" --max-seconds 3600 \
  >/dev/null 2>&1 &
pids+=($!)
while [[ ! -s $tmp/pport || ! -s $tmp/control ]]; do sleep 0.05; done
purl=http://127.0.0.1:$(cat "$tmp/pport")
control "fail-gets 0.05 7"
(while true; do sleep 3; control cut; done) &
cutter=$!
pids+=("$cutter")

# start_ivk N: the run through the proxy, its events in $tmp/fN.json; sets ivk_pid.
start_ivk() {
  "$ivk" run "${run_args[@]}" --server "$purl" --out "$tmp/faulty" >"$tmp/f$1.json" 2>"$tmp/f$1.err" &
  ivk_pid=$!
}
# crash_emulator: SIGKILL, then the same port and data directory again a second later.
crash_emulator() {
  kill -KILL "$emu_pid"; wait "$emu_pid" 2>/dev/null || true
  sleep 1
  emulator "$port" --step-ms 1 --data-dir "$data" --persist
}

t0=$(date +%s.%N)
start_ivk 1
wait_for "$tmp/f1.json" $((faults_n / 4))
crash_emulator
wait_for "$tmp/f1.json" $((faults_n / 2))
kill -KILL "$ivk_pid"; wait "$ivk_pid" 2>/dev/null || true
start_ivk 2
wait_for "$tmp/f2.json" $((faults_n / 4))
crash_emulator
rc=0
wait "$ivk_pid" || rc=$?
fault_wall=$(echo "$(date +%s.%N) - $t0" | bc)
kill "$cutter" 2>/dev/null || true

curl -sS "http://127.0.0.1:$port/api/v1/queue/default/list_all" >"$tmp/list.json"
python3 - "$tmp/faulty" "$tmp/list.json" "$faults_n" "$rc" "$clean_wall" "$fault_wall" "$tmp/f1.json" "$tmp/f2.json" <<'PY'
import collections, json, os, sys
out, listing, n, rc, clean, faulty = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5]), float(sys.argv[6])
events = collections.Counter()
for f in sys.argv[7:]:
    for line in open(f):
        try:
            events[json.loads(line)["event"]] += 1
        except Exception:
            pass
run = json.load(open(os.path.join(out, "run.json")))
ok = {i["inputs"]["Seed"] for i in run["items"] if i["status"] == "completed" and len(i["images"]) == 1
      and os.path.exists(os.path.join(out, i["images"][0]))}
lost = n - len(ok & set(range(1, n + 1)))
server = collections.Counter()
statuses = collections.Counter()
for q in json.load(open(listing)):
    statuses[q["status"]] += 1
    seed = [v["value"] for v in q["field_values"] or [] if v["field_name"] == "seed"]
    if seed and q["status"] == "completed":
        server[seed[0]] += 1
twice = sum(1 for c in server.values() if c > 1)
pngs = len([f for f in os.listdir(out) if f.endswith(".png")])
print("fault run of %d items: exit %s, lost %d, completed twice on the server %d, %d PNGs on disk; "
      "%.1f s against %.1f s without faults (x%.2f)" % (n, rc, lost, twice, pngs, faulty, clean, faulty / clean))
print("  server items by status: %s" % dict(statuses))
print("  ivk events: %s" % {k: v for k, v in events.items() if k not in ("item_finished",)})
PY
