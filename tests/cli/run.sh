# ivk run against the emulator: a 2x2 sweep whose images and run.json are checked file by file, a
# re-run that skips what is there, JSON event lines, a failing node (exit 1, errors in run.json), a
# board, a timeout, and bad input that enqueues nothing.
source "$(dirname "$0")/lib/assert.bash" "$@"
source "$(dirname "$0")/lib/emulator.bash"
WF=$SRC/examples/workflows/sdxl-text-to-image.json

start_emulator main
S=$URL

# A 2x2 sweep: 4 items, 4 PNGs of the requested size, run.json naming each item's inputs and file.
run 0 run "$WF" --server "$S" -s Width=320 -s Height=256 --sweep 'Prompt=a fox,a cat' --sweep Seed=7,8 \
  --out "$TMP/out1"
assert_contains "$ERR" "4 item(s): 4 completed, 0 failed, 0 canceled; 4 image(s)"
assert_contains "$ERR" "(4 downloaded, 0 already there)"
OUT=$(cat "$TMP/out1/run.json")
json_assert '
items = d["items"]
check(len(items) == 4, "4 items")
check([i["status"] for i in items] == ["completed"] * 4, "all completed")
ids = [i["item_id"] for i in items]
check(ids == sorted(ids), "ascending ids")
combos = [(i["inputs"]["Prompt"], i["inputs"]["Seed"]) for i in items]
check(sorted(combos) == sorted([("a fox", 7), ("a fox", 8), ("a cat", 7), ("a cat", 8)]), "sweep values %r" % combos)
check(all(i["inputs"]["Width"] == 320 and i["inputs"]["Height"] == 256 for i in items), "set values")
check(all(len(i["images"]) == 1 and i["images"][0].endswith(".png") for i in items), "one png each")
check(d["workflow"] == "sdxl-text-to-image.json", "workflow name")
'
python3 - "$TMP/out1" <<'PY' || fail "the images are not the PNGs run.json lists"
import json, struct, sys, os
d = sys.argv[1]
run = json.load(open(os.path.join(d, "run.json")))
files = sorted(f for f in os.listdir(d) if not f.startswith("run."))
listed = sorted(i["images"][0] for i in run["items"])
assert files == listed, (files, listed)
for f in files:
    data = open(os.path.join(d, f), "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f
    w, h = struct.unpack(">II", data[16:24])
    assert (w, h) == (320, 256), (f, w, h)
    assert b"invokeai_graph" in data and b"invokeai_workflow" in data, f
PY

# The same command again resumes (nothing enqueued again); another run in the same folder is refused.
before=$(ls "$TMP/out1" | wc -l)
run 0 run "$WF" --server "$S" -s Width=320 -s Height=256 --sweep 'Prompt=a fox,a cat' --sweep Seed=7,8 \
  --out "$TMP/out1"
assert_contains "$ERR" "(0 downloaded, 0 already there)"
run 3 run "$WF" --server "$S" -s Width=64 -s Height=64 --out "$TMP/out1" --no-events
assert_contains "$ERR" "another workflow"
assert_eq "$(ls "$TMP/out1" | wc -l)" "$before" "files after the refused run"

# --json: one event per line, submitted first, done last.
run 0 run "$WF" --server "$S" -s Width=64 -s Height=64 --sweep Seed=1,2 --out "$TMP/out2" --json
first=$(printf '%s\n' "$OUT" | head -1)
last=$(printf '%s\n' "$OUT" | tail -1)
assert_contains "$first" '"event":"submitted"'
assert_contains "$last" '"event":"done"'
assert_contains "$last" '"completed":2,"failed":0,"canceled":0,"images":2,"downloaded":2,"skipped":0'
assert_eq "$(printf '%s\n' "$OUT" | grep -c '"event":"item_finished"')" "2" "item_finished lines"
printf '%s\n' "$OUT" | python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' || fail "a line is not JSON"

# --sync-models: the example's model is not on the emulator; the reference is re-pointed by base.
run 0 run "$WF" --server "$S" -s Width=64 -s Height=64 --sync-models --out "$TMP/sync"
assert_contains "$ERR" "synced 1 model reference(s) to the server's models"
assert_contains "$ERR" "1 item(s): 1 completed"

# A board by name: created, and the images are on it.
run 0 run "$WF" --server "$S" -s Width=64 -s Height=64 --board "cli run board" --out "$TMP/out3"
run 0 run "$WF" --server "$S" -s Width=64 -s Height=64 --board "cli run board" --out "$TMP/out3" --no-events  # resumes: no new item
boards=$(curl -s "$S/api/v1/boards/?all=true")
count=$(printf '%s' "$boards" | python3 -c 'import json,sys; b=[x for x in json.load(sys.stdin) if x["board_name"]=="cli run board"]; print(len(b), b[0]["image_count"] if b else -1)')
assert_eq "$count" "1 1" "boards named 'cli run board' and their image count"

# Bad input: nothing is enqueued.
total_before=$(curl -s "$S/api/v1/queue/default/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["queue"]["total"])')
run 3 run "$WF" --server "$S" -s Width=abc --out "$TMP/bad"
assert_contains "$ERR" "Width"
run 3 run "$WF" --server "$S" --sweep 'Nope=1,2' --out "$TMP/bad"
total_after=$(curl -s "$S/api/v1/queue/default/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["queue"]["total"])')
assert_eq "$total_after" "$total_before" "queue size after refused runs"

# A failing node: exit 1, the server's error in run.json and on stderr.
start_emulator failing --fail-node-type l2i
run 1 run "$WF" --server "$URL" -s Width=64 -s Height=64 --sweep Seed=1,2 --out "$TMP/out4"
assert_contains "$ERR" "2 item(s): 0 completed, 2 failed"
OUT=$(cat "$TMP/out4/run.json")
json_assert '
check(all(i["status"] == "failed" and i["error_type"] and "l2i" in i["error_message"] and i["images"] == [] for i in d["items"]), "failed items %r" % d["items"])
'

# A slow server and a short timeout: exit 8, and the batch is left to the server.
start_emulator slow --step-ms 500
run 8 run "$WF" --server "$URL" -s Width=64 -s Height=64 --out "$TMP/out5" --timeout 0.5
assert_contains "$ERR" "0 of 1 items finished"

# models bench: one run per model, settings adjusted per model, images listed per model.
JUGG=914b2e5a-b8d3-4da1-965f-b3775bbc5745
SD15=5cbb2ca6-6bd8-4b1f-8f0c-3f0d7f3a1c01
run 0 models bench "$WF" --server "$S" --models "$JUGG,$SD15" --allow-base-change --json -o "$TMP/bench"
json_assert '
check([r["key"] for r in d] == ["914b2e5a-b8d3-4da1-965f-b3775bbc5745", "5cbb2ca6-6bd8-4b1f-8f0c-3f0d7f3a1c01"], "keys")
check([r["base"] for r in d] == ["sdxl", "sd-1"], "bases")
check(all(r["status"] == "completed" and len(r["images"]) == 1 and r["seconds"] > 0 for r in d), "runs %r" % d)
'
[ -n "$(ls "$TMP/bench/juggernautXL_v9")" ] || fail "no image downloaded for juggernautXL_v9"
run 3 models bench "$WF" --server "$S" --models "$JUGG,no-such-key"
run 3 models bench "$WF" --server "$S" --models "$SD15"
assert_contains "$ERR" "model $SD15"

# No server there: a network error, exit 7.
run 7 run "$WF" --server http://127.0.0.1:9 --out "$TMP/out6" --no-events
echo "run: ok"
