# ivk emulator --persist: killed with SIGKILL in the middle of a run and restarted on the same port and
# data directory, it ends every item as InvokeAI would (finished ones kept, the interrupted one
# canceled, the pending one run) and still serves the finished images byte for byte.
source "$(dirname "$0")/lib/assert.bash" "$@"
source "$(dirname "$0")/lib/emulator.bash"
command -v curl >/dev/null || fail "curl is needed for this test"
DATA=$TMP/data
Q=api/v1/queue/default

run 0 emulator --help
assert_contains "$OUT" "--max-queue-size" "emulator --help"
assert_contains "$OUT" "in-progress items become canceled" "emulator --help on --persist"
run 2 emulator --max-queue-size 0

start_emulator first --data-dir "$DATA" --persist --step-ms 200
port=${URL##*:}

# Four items of one batch: 1 step, 1 step, 500 steps (100 s: still running when killed), 1 step.
python3 - >"$TMP/batch.json" <<'EOF'
import json
graph = {"id": "g", "nodes": {
    "noise": {"id": "noise", "type": "noise", "seed": 3, "width": 64, "height": 64},
    "denoise": {"id": "denoise", "type": "denoise_latents", "steps": 1},
    "out": {"id": "out", "type": "l2i", "is_intermediate": False}},
    "edges": [
        {"source": {"node_id": "noise", "field": "noise"}, "destination": {"node_id": "denoise", "field": "noise"}},
        {"source": {"node_id": "denoise", "field": "latents"}, "destination": {"node_id": "out", "field": "latents"}}]}
data = [[{"node_path": "denoise", "field_name": "steps", "items": [1, 1, 500, 1]}]]
print(json.dumps({"prepend": False, "batch": {"batch_id": "kill-test", "graph": graph, "data": data}}))
EOF
OUT=$(curl -sS -H 'Content-Type: application/json' --data-binary @"$TMP/batch.json" "$URL/$Q/enqueue_batch")
json_assert 'check(d["enqueued"] == 4 and d["item_ids"] == [4, 3, 2, 1], "enqueue %r" % d)'

# item_status ID: prints the item's status.
item_status() {
  curl -sS "$URL/$Q/i/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'
}
for _ in $(seq 1 300); do
  [ "$(item_status 3)" = in_progress ] && break
  sleep 0.05
done
assert_eq "$(item_status 3)" in_progress "item 3 before the kill"
assert_eq "$(item_status 4)" pending "item 4 before the kill"

# The images of the two finished items, as served before the kill.
image_name() {
  curl -sS "$URL/$Q/i/$1" | python3 -c '
import json, sys
results = json.load(sys.stdin)["session"]["results"]
print([r["image"]["image_name"] for r in results.values() if r["type"] == "image_output"][0])'
}
for id in 1 2; do
  assert_eq "$(item_status $id)" completed "item $id before the kill"
  image_name "$id" >"$TMP/name$id"
  curl -sS -o "$TMP/before$id.png" "$URL/api/v1/images/i/$(cat "$TMP/name$id")/full"
done

kill -KILL "${EMULATOR_PIDS[-1]}"
wait "${EMULATOR_PIDS[-1]}" 2>/dev/null || true

# The same port and data directory again (start_emulator always asks for a free port).
"$IVK" emulator --port "$port" --data-dir "$DATA" --persist --step-ms 0 >"$TMP/second.out" 2>"$TMP/second.err" &
EMULATOR_PIDS+=($!)
for _ in $(seq 1 100); do
  grep -q 'listening on' "$TMP/second.out" && break
  kill -0 "${EMULATOR_PIDS[-1]}" 2>/dev/null || fail "the restarted emulator exited: $(cat "$TMP/second.err")"
  sleep 0.1
done
assert_eq "$(cat "$TMP/second.out")" "ivk emulator listening on http://127.0.0.1:$port" "restart line"

for _ in $(seq 1 200); do
  [ "$(item_status 4)" = completed ] && break
  sleep 0.05
done
OUT=$(curl -sS "$URL/$Q/list_all")
json_assert '
status = {i["item_id"]: i["status"] for i in d}
check(status == {1: "completed", 2: "completed", 3: "canceled", 4: "completed"}, "statuses %r" % status)
check(all(i["batch_id"] == "kill-test" for i in d), "batch ids")
three = [i for i in d if i["item_id"] == 3][0]
check(three["started_at"] is not None and three["completed_at"] is not None, "item 3 times %r" % three)
check(three["error_type"] is None, "item 3 has no error")'
OUT=$(curl -sS "$URL/$Q/b/kill-test/status")
json_assert 'check((d["completed"], d["canceled"], d["pending"], d["total"]) == (3, 1, 0, 4), "batch %r" % d)'

for id in 1 2; do
  curl -sS -o "$TMP/after$id.png" "$URL/api/v1/images/i/$(cat "$TMP/name$id")/full"
  cmp "$TMP/before$id.png" "$TMP/after$id.png" || fail "image of item $id changed across the restart"
  size=$(wc -c <"$TMP/after$id.png")
  [ "$size" -gt 100 ] || fail "image of item $id is $size bytes"
done
OUT=$(curl -sS "$URL/api/v1/images/?limit=10")
json_assert 'check(d["total"] == 3, "images after the restart: %r" % d["total"])'

# New items continue the ids.
OUT=$(curl -sS -H 'Content-Type: application/json' --data-binary @"$TMP/batch.json" "$URL/$Q/enqueue_batch")
json_assert 'check(d["item_ids"][0] == 8, "ids after the restart %r" % d["item_ids"])'
echo "emulator_persist: ok"
