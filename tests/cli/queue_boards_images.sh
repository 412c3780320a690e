# ivk queue, boards and images against the emulator: concrete counts, names and files.
source "$(dirname "$0")/lib/assert.bash" "$@"
source "$(dirname "$0")/lib/emulator.bash"
WF=$SRC/examples/workflows/sdxl-text-to-image.json

start_emulator main --step-ms 40
S=$URL

# --- queue -------------------------------------------------------------------------------
run 0 queue status --server "$S" --json
json_assert 'check(d["counts"]["total"] == 0 and d["processor_started"] is True, "empty queue %r" % d)'

# Three slow items (10 s each, so none can finish on a loaded machine before the cancels below),
# enqueued without waiting (a short timeout leaves them on the server).
run 8 run "$WF" --server "$S" -s Width=64 -s Height=64 -s Steps=250 --sweep Seed=1,2,3 --no-download --timeout 0.2 --no-events --out "$TMP/run-out"
run 0 queue list --server "$S" --json
json_assert 'check(len(d) == 3 and all(i["batch_id"] == d[0]["batch_id"] for i in d), "3 items of one batch")'
batch=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["batch_id"])')
last=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(max(i["item_id"] for i in json.load(sys.stdin)))')

run 0 queue cancel "$last" --server "$S"
assert_eq "$OUT" "canceled 1 item(s)"
run 0 queue cancel --batch "$batch" --server "$S" --json
json_assert 'check(d["canceled"] >= 1, "batch cancel %r" % d)'
run 2 queue cancel --server "$S"
assert_contains "$ERR" "give item ids, or --batch ID..., or --all"
sleep 0.5
run 0 queue list --server "$S" --status canceled --json
json_assert 'check(len(d) >= 2, "canceled items %r" % [i["item_id"] for i in d])'
run 0 queue list --server "$S"
assert_contains "$OUT" "ITEM  STATUS"
run 0 queue prune --server "$S" --json
json_assert 'check(d["deleted"] == 3, "pruned %r" % d)'
run 2 queue clear --server "$S"
run 0 queue clear --server "$S" --yes
assert_eq "$OUT" "deleted 0 item(s)"

# queue watch: the events of a run, one JSON per line.
"$IVK" queue watch --server "$S" --json --for 3 >"$TMP/watch.out" 2>"$TMP/watch.err" &
watcher=$!
sleep 0.5
run 0 run "$WF" --server "$S" -s Width=64 -s Height=64 -s Steps=2 --out "$TMP/w"
wait "$watcher" || fail "queue watch failed: $(cat "$TMP/watch.err")"
grep -q '"event":"batch_enqueued"' "$TMP/watch.out" || fail "no batch_enqueued in: $(head -c 500 "$TMP/watch.out")"
grep -q '"event":"invocation_complete"' "$TMP/watch.out" || fail "no invocation_complete"
grep '"event":"queue_item_status_changed"' "$TMP/watch.out" | grep -q '"status":"completed"' || fail "no completed status"

# --- boards ------------------------------------------------------------------------------
run 0 boards create "Foxes" --server "$S" --json
fox=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["board_id"])')
run 0 boards rename Foxes "Red foxes" --server "$S"
assert_eq "$OUT" "renamed board $fox (Red foxes)"
run 0 boards list --server "$S" --json
json_assert 'check([b["board_name"] for b in d] == ["Red foxes"], "boards %r" % d)'
run 3 boards images "no such board" --server "$S"
assert_contains "$ERR" "no board has the id or the name 'no such board'"

# --- images ------------------------------------------------------------------------------
run 0 images upload "$PNG" --board "Red foxes" --server "$S" --json
up=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["image_name"])')
run 0 boards images "Red foxes" --server "$S"
assert_eq "$OUT" "$up"
run 0 images show "$up" --server "$S" --json
json_assert 'check(d["width"] == 800 and d["height"] == 1024 and d["image_category"] == "user", "dto %r" % d)'
run 0 images download "$up" --server "$S" -o "$TMP/dl"
cmp -s "$TMP/dl/$up" "$PNG" || fail "the downloaded image differs from the uploaded file"
run 0 images download "$up" --server "$S" -o "$TMP/dl"
assert_contains "$OUT" "(already there)"
# One archive built by the server: the zip holds the uploaded file, byte for byte.
run 0 images download --board "Red foxes" --zip "$TMP/foxes.zip" --server "$S" --json
json_assert "check(d['images'] == 1 and d['bytes'] > 1000 and d['bulk_download_item_name'].endswith('.zip'), 'zip %r' % d)"
python3 - "$TMP/foxes.zip" "$up" "$PNG" <<'PY' || fail "the archive does not hold the uploaded image"
import sys, zipfile
archive, name, original = sys.argv[1:4]
with zipfile.ZipFile(archive) as z:
    assert z.namelist() == [name], z.namelist()
    assert z.read(name) == open(original, "rb").read()
PY
run 0 images star "$up" --server "$S"
assert_eq "$OUT" "starred 1 image(s)"
run 0 boards remove "$up" --server "$S"
run 0 boards images none --server "$S" --json
json_assert "check('$up' in d, 'uncategorized %r' % d)"
run 0 boards add "Red foxes" "$up" --server "$S"
run 0 images list --board "Red foxes" --server "$S" --json
json_assert "check(d['total'] == 1 and d['items'][0]['image_name'] == '$up' and d['items'][0]['starred'], 'list %r' % d)"
run 2 images delete "$up" --server "$S"
run 0 images delete "$up" --server "$S" --yes
assert_eq "$OUT" "deleted 1 image(s)"
run 3 images show "$up" --server "$S"
run 0 boards delete "Red foxes" --server "$S"
assert_eq "$OUT" "deleted board $fox (Red foxes)"
echo "queue_boards_images: ok"
