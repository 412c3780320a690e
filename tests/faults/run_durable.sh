# ivk run under faults, as separate processes: a small queue limit (flow control), a lost enqueue
# answer, ivk killed with SIGKILL and run again, the emulator killed with SIGKILL and restarted on the
# same port and data directory, a stalled server and trickling downloads (exit 8 near the deadline),
# a locked --out, and inputs files with bad rows. After every run, each plan item has exactly one
# image on disk and the server ran no plan item twice.
#   bash run_durable.sh <ivk> <shared-dir> <source-dir> <ivk-fault-proxy>
source "$(dirname "$0")/../cli/lib/assert.bash" "$@"
source "$(dirname "$0")/../cli/lib/emulator.bash"
PROXY=${4:?ivk-fault-proxy}
command -v curl >/dev/null || fail "curl is needed for this test"
WF=$SRC/examples/workflows/sdxl-text-to-image.json
Q=api/v1/queue/default

# free_port: a loopback port nobody listens on (for an emulator restarted on the same port).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_emulator_on NAME PORT ARGS...: like start_emulator, on a fixed port.
start_emulator_on() {
  local name=$1 port=$2
  shift 2
  "$IVK" emulator --port "$port" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
  EMULATOR_PIDS+=($!)
  for _ in $(seq 1 100); do
    grep -q 'listening on' "$TMP/$name.out" && return 0
    kill -0 "${EMULATOR_PIDS[-1]}" 2>/dev/null || fail "emulator $name exited: $(cat "$TMP/$name.err")"
    sleep 0.1
  done
  fail "emulator $name did not start"
}

# start_proxy UPSTREAM_PORT: an ivk-fault-proxy in front of it; sets PROXY_URL and CONTROL.
start_proxy() {
  rm -f "$TMP/proxy.port" "$TMP/proxy.control"
  "$PROXY" --upstream "$1" --port-file "$TMP/proxy.port" --control-port-file "$TMP/proxy.control" \
    --max-seconds 300 >"$TMP/proxy.out" 2>&1 &
  EMULATOR_PIDS+=($!)
  for _ in $(seq 1 100); do
    [ -s "$TMP/proxy.port" ] && [ -s "$TMP/proxy.control" ] && break
    sleep 0.05
  done
  [ -s "$TMP/proxy.port" ] || fail "the fault proxy did not start: $(cat "$TMP/proxy.out")"
  PROXY_URL=http://127.0.0.1:$(cat "$TMP/proxy.port")
  CONTROL=$(cat "$TMP/proxy.control")
}

# control COMMAND: one command to the fault proxy; fails unless it answers "ok".
control() {
  local reply
  exec 3<>"/dev/tcp/127.0.0.1/$CONTROL"
  printf '%s\n' "$1" >&3
  IFS= read -r -t 5 reply <&3 || fail "the fault proxy did not answer '$1'"
  exec 3<&-
  [ "$reply" = ok ] || fail "fault proxy: '$1' answered '$reply'"
}

# wait_finished FILE N: waits (up to 60 s) until FILE, ivk's --json output, holds N item_finished lines.
wait_finished() {
  for _ in $(seq 1 600); do
    local n
    n=$(grep -c '"event":"item_finished"' "$1" 2>/dev/null || true)
    [ "${n:-0}" -ge "$2" ] && return 0
    sleep 0.1
  done
  fail "fewer than $2 items finished in 60 s: $(tail -c 500 "$1")"
}

# check_exactly_once DIR URL N FIRST_SEED [MAX_CANCELED]: run.json lists the N plan items completed
# with one PNG each, the PNGs on disk are exactly those, and the server completed every seed
# FIRST_SEED..FIRST_SEED+N-1 exactly once; any other server item of the run was canceled (at most
# MAX_CANCELED, default 0: a restart cancels what was in progress, and ivk runs it again).
check_exactly_once() {
  curl -sS "$2/$Q/list_all" >"$TMP/list_all.json" || fail "cannot list the queue of $2"
  python3 - "$1" "$TMP/list_all.json" "$3" "$4" "${5:-0}" <<'PY' || fail "exactly-once check of $1"
import collections, json, os, sys
out, listing, n, first, max_canceled = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
run = json.load(open(os.path.join(out, "run.json")))
items = run["items"]
assert sorted(i["index"] for i in items) == list(range(n)), "plan indices %r" % [i["index"] for i in items]
assert all(i["status"] == "completed" for i in items), [i for i in items if i["status"] != "completed"][:3]
assert all(len(i["images"]) == 1 for i in items), [i for i in items if len(i["images"]) != 1][:3]
assert sorted(i["inputs"]["Seed"] for i in items) == list(range(first, first + n)), "seeds"
listed = sorted(i["images"][0] for i in items)
assert len(set(listed)) == n, "a file listed twice"
pngs = sorted(f for f in os.listdir(out) if f.endswith(".png"))
leftovers = [f for f in os.listdir(out) if ".tmp-" in f]
assert not leftovers, "temporary files left in the folder: %r" % leftovers[:5]
assert pngs == listed, ("pngs on disk differ from run.json", len(pngs), len(listed))
for f in pngs:
    with open(os.path.join(out, f), "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n", f
for i in items:
    assert i["files"][0]["bytes"] == os.path.getsize(os.path.join(out, i["files"][0]["file"])), i["files"]
server = collections.defaultdict(collections.Counter)
for q in json.load(open(listing)):
    seed = [v["value"] for v in q["field_values"] or [] if v["field_name"] == "seed"]
    if seed and first <= seed[0] < first + n:
        server[seed[0]][q["status"]] += 1
assert sorted(server) == list(range(first, first + n)), "seeds on the server"
twice = {s: c for s, c in server.items() if c["completed"] != 1}
assert not twice, "seeds not completed exactly once on the server: %r" % dict(list(twice.items())[:5])
others = sum(sum(c.values()) - c["completed"] - c["canceled"] for c in server.values())
canceled = sum(c["canceled"] for c in server.values())
assert others == 0, "server items neither completed nor canceled: %d" % others
assert canceled <= max_canceled, "%d canceled server items (at most %d expected)" % (canceled, max_canceled)
PY
}

SMALL=(-s Width=64 -s Height=64)

# --- Flow control: a queue limit of 20, a 200-item plan. The default window is a quarter of the limit
# (5); a poller samples the server's queue meanwhile and never sees more than 5 waiting or running.
start_emulator small --max-queue-size 20 --step-ms 0
python3 - "$URL" >"$TMP/peak" <<'PY' &
import json, sys, time, urllib.request
peak, deadline = 0, time.time() + 60
while time.time() < deadline:
    try:
        q = json.load(urllib.request.urlopen(sys.argv[1] + "/api/v1/queue/default/status", timeout=2))["queue"]
    except Exception:
        break
    peak = max(peak, q["pending"] + q["in_progress"])
    if q["completed"] >= 200:
        break
    time.sleep(0.005)
print(peak)
PY
poller=$!
run 0 run "$WF" --server "$URL" "${SMALL[@]}" --sweep "Seed=$(seq -s, 1000 1199)" --out "$TMP/flow" --no-events
assert_contains "$ERR" "200 item(s): 200 completed, 0 failed, 0 canceled; 200 image(s)"
wait "$poller"
peak=$(cat "$TMP/peak")
[ "$peak" -ge 1 ] && [ "$peak" -le 5 ] || fail "the server held $peak of the run's items at once (window 5)"
check_exactly_once "$TMP/flow" "$URL" 200 1000

# --- A lost enqueue answer: the proxy drops the answer to the first enqueue after the server took
# it; ivk looks the batch up, adopts it, and the server runs each seed once.
start_emulator lost --step-ms 0
start_proxy "${URL##*:}"
control "drop-response POST /enqueue_batch 1"
run 0 run "$WF" --server "$PROXY_URL" "${SMALL[@]}" --sweep "Seed=$(seq -s, 2000 2029)" --window 10 --out "$TMP/lost" --json
assert_eq "$(grep -c '"event":"batch_adopted"' "$TMP/out")" 1 "batch_adopted events"
assert_eq "$(grep -c '"event":"batch_absent"' "$TMP/out")" 0 "batch_absent events"
check_exactly_once "$TMP/lost" "$URL" 30 2000
control "shutdown"

# --- ivk killed with SIGKILL mid-run, then the same command again: it goes on from the journal,
# collects what completed while it was away and enqueues nothing twice.
start_emulator killed --step-ms 4
KILL_RUN=(run "$WF" --server "$URL" "${SMALL[@]}" --sweep "Seed=$(seq -s, 3000 3059)" --window 8 --out "$TMP/killed")
"$IVK" "${KILL_RUN[@]}" --json >"$TMP/killed.json" 2>"$TMP/killed.err" &
ivk_pid=$!
wait_finished "$TMP/killed.json" 15
kill -KILL "$ivk_pid"
wait "$ivk_pid" 2>/dev/null || true
[ -s "$TMP/killed/run.sqlite" ] || fail "no journal after the kill"
run 0 "${KILL_RUN[@]}"
assert_contains "$ERR" "60 item(s): 60 completed, 0 failed, 0 canceled; 60 image(s)" "stderr of the resumed run"
check_exactly_once "$TMP/killed" "$URL" 60 3000

# --- The emulator killed with SIGKILL mid-run and restarted on the same port and data directory:
# the item it was running comes back canceled, and ivk enqueues it again.
port=$(free_port)
start_emulator_on restart1 "$port" --data-dir "$TMP/data" --persist --step-ms 4
URL=http://127.0.0.1:$port
"$IVK" run "$WF" --server "$URL" "${SMALL[@]}" --sweep "Seed=$(seq -s, 4000 4059)" --window 8 --out "$TMP/restart" \
  --timeout 120 --json >"$TMP/restart.json" 2>"$TMP/restart.err" &
ivk_pid=$!
wait_finished "$TMP/restart.json" 15
kill -KILL "${EMULATOR_PIDS[-1]}"
wait "${EMULATOR_PIDS[-1]}" 2>/dev/null || true
sleep 1
start_emulator_on restart2 "$port" --data-dir "$TMP/data" --persist --step-ms 4
rc=0
wait "$ivk_pid" || rc=$?
[ "$rc" = 0 ] || fail "the run across the emulator's restart exited $rc: $(tail -5 "$TMP/restart.err")"
assert_contains "$(tail -1 "$TMP/restart.json")" '"event":"done","completed":60,"failed":0,"canceled":0,"images":60' "the last event"
grep -q '"event":"item_requeued"' "$TMP/restart.json" || fail "no item was enqueued again after the restart"
check_exactly_once "$TMP/restart" "$URL" 60 4000 8

# --- A second ivk on a folder in use is refused, and leaves the first run's files alone; the first
# run ends as if nothing happened.
start_emulator locked --step-ms 4
"$IVK" run "$WF" --server "$URL" "${SMALL[@]}" --sweep "Seed=$(seq -s, 5000 5029)" --window 4 --out "$TMP/locked" \
  --json >"$TMP/locked.json" 2>"$TMP/locked.err" &
ivk_pid=$!
wait_finished "$TMP/locked.json" 3
total_before=$(curl -sS "$URL/$Q/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["queue"]["total"])')
run 5 run "$WF" --server "$URL" "${SMALL[@]}" --sweep "Seed=$(seq -s, 5000 5029)" --window 4 --out "$TMP/locked"
assert_contains "$ERR" "another ivk run"
run 5 run --resume "$TMP/locked"
assert_contains "$ERR" "another ivk run"
wait "$ivk_pid" || fail "the first run failed: $(tail -5 "$TMP/locked.err")"
total_after=$(curl -sS "$URL/$Q/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["queue"]["total"])')
assert_eq "$total_after" 30 "server items after the refused runs (before them: $total_before)"
check_exactly_once "$TMP/locked" "$URL" 30 5000

# --- A server that stops answering mid-run: exit 8 within the deadline plus a few seconds, and the
# journal is good for the same command once the server answers again.
start_emulator stalled --step-ms 4
start_proxy "${URL##*:}"
STALL_RUN=(run "$WF" --server "$PROXY_URL" "${SMALL[@]}" --sweep "Seed=$(seq -s, 6000 6039)" --window 8 --out "$TMP/stall")
"$IVK" "${STALL_RUN[@]}" --timeout 6 --json >"$TMP/stall.json" 2>"$TMP/stall.err" &
ivk_pid=$!
started=$SECONDS
wait_finished "$TMP/stall.json" 5
control "stall on"
rc=0
wait "$ivk_pid" || rc=$?
elapsed=$((SECONDS - started))
[ "$rc" = 8 ] || fail "the stalled run exited $rc, expected 8: $(tail -3 "$TMP/stall.err")"
[ "$elapsed" -le 11 ] || fail "the stalled run took $elapsed s with --timeout 6"
control "clear"
control "cut"
run 0 "${STALL_RUN[@]}"
check_exactly_once "$TMP/stall" "$URL" 40 6000

# Downloads that trickle (100 bytes/s, images of several KB): exit 8 near the deadline too.
control "trickle 100"
started=$SECONDS
run 8 run "$WF" --server "$PROXY_URL" -s Width=256 -s Height=256 --sweep "Seed=$(seq -s, 6100 6103)" --out "$TMP/trickle" \
  --timeout 4 --no-events
elapsed=$((SECONDS - started))
[ "$elapsed" -le 9 ] || fail "the trickling run took $elapsed s with --timeout 4"
control "shutdown"

# --- Inputs files with bad rows: the error names the file, line and column; nothing is enqueued.
start_emulator inputs --step-ms 0
printf 'Seed,Prompt\n1,a fox\nnot-a-seed,a cat\n' >"$TMP/bad.csv"
printf '{"Seed": 1}\n{"Seed": 2, "Nope": 3}\n' >"$TMP/bad.jsonl"
printf '{"Seed": 1}\n{"Seed": \n' >"$TMP/broken.jsonl"
run 3 run "$WF" --server "$URL" "${SMALL[@]}" --inputs "$TMP/bad.csv" --out "$TMP/in1"
assert_contains "$ERR" "bad.csv: line 3, column 1"
assert_contains "$ERR" "Seed"
run 3 run "$WF" --server "$URL" "${SMALL[@]}" --inputs "$TMP/bad.jsonl" --out "$TMP/in2"
assert_contains "$ERR" "bad.jsonl: line 2"
assert_contains "$ERR" "Nope"
run 4 run "$WF" --server "$URL" "${SMALL[@]}" --inputs "$TMP/broken.jsonl" --out "$TMP/in3"
assert_contains "$ERR" "broken.jsonl: line 2"
assert_eq "$(curl -sS "$URL/$Q/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["queue"]["total"])')" 0 \
  "server items after the refused inputs files"
# A good CSV combined with a sweep: 2 rows x 2 seeds, named by the template.
printf 'Seed,Prompt\n7001,"a fox, red"\n7000,a cat\n' >"$TMP/good.csv"
run 0 run "$WF" --server "$URL" "${SMALL[@]}" --inputs "$TMP/good.csv" --sweep "Steps=1,2" --out "$TMP/in4" \
  --name '{index:03}-{Seed}'
assert_contains "$ERR" "4 item(s): 4 completed"
OUT=$(cat "$TMP/in4/run.json")
json_assert '
items = sorted(d["items"], key=lambda i: i["index"])
got = [(i["inputs"]["Seed"], i["inputs"]["Prompt"], i["inputs"]["Steps"]) for i in items]
check(got == [(7001, "a fox, red", 1), (7001, "a fox, red", 2), (7000, "a cat", 1), (7000, "a cat", 2)], "items %r" % got)
check([i["images"] for i in items] == [["000-7001.png"], ["001-7001.png"], ["002-7000.png"], ["003-7000.png"]], "names %r" % [i["images"] for i in items])
'
echo "run_durable: ok"
