# ivk models sync / list: offline model lists (saved GET /api/v2/models/ bodies).
source "$(dirname "$0")/lib/assert.bash" "$@"
M=$FIX/models
CASES=$FIX/pyclient-sync/cases.json

# Renamed server: 1 change, to key renamed-0000, by hash; the synced workflow is written and reloads.
run 0 models sync "$SDXL" --models "$M/server-renamed.json" -o "$TMP/synced.json" --json
json_assert '
check(len(d["changes"]) == 1, "1 change: %r" % d["changes"])
c = d["changes"][0]
check(c["old"]["key"] == "914b2e5a-b8d3-4da1-965f-b3775bbc5745", "old key")
check(c["new"]["key"] == "renamed-0000", "new key: %r" % c["new"])
check(c["new"]["name"] == "juggernautXL_v9Rundiffusionphoto2-renamed", "new name")
check(d["decisions"][0]["outcome"] == "matched_by_hash", "by hash: %r" % d["decisions"][0])
check(d["decisions"][0]["input_index"] == 0, "input index 0")
check(d["complete"] is True and d["written"].endswith("synced.json"), "complete, written")
'
[ -f "$TMP/synced.json" ] || fail "OUT not written"
python3 - "$TMP/synced.json" <<'PY' || fail "synced workflow content"
import json, sys
d = json.load(open(sys.argv[1]))
n = [n for n in d["nodes"] if n["id"] == "sdxl_model_loader:PwBr7RXRsy"][0]
v = n["data"]["inputs"]["model"]["value"]
assert v["key"] == "renamed-0000", v
assert v["name"] == "juggernautXL_v9Rundiffusionphoto2-renamed", v
PY
# The written file is a workflow ivk reads back, now in sync with the server.
run 0 inputs "$TMP/synced.json" --json
json_assert 'check(json.loads(json.dumps(d[0]["value"]))["key"] == "renamed-0000", "reloaded model input: %r" % d[0])' 
run 0 models sync "$TMP/synced.json" --models "$M/server-renamed.json" --json
json_assert 'check(d["changes"] == [] and d["decisions"][0]["outcome"] == "kept", "second sync is a no-op: %r" % d)'

# Table output names the slot, the decision and the new model.
run 0 models sync "$SDXL" --models "$M/server-renamed.json"
assert_contains "$OUT" "#0 sdxl_model_loader.model" "slot"
assert_contains "$OUT" "matched_by_hash" "decision"
assert_contains "$OUT" "renamed-0000" "new key"

# Exact server: 0 changes, and the written workflow is byte-identical to the input.
run 0 models sync "$SDXL" --models "$M/server-exact.json" -o "$TMP/same.json" --json
json_assert 'check(d["changes"] == [] and d["decisions"][0]["outcome"] == "kept", "no change: %r" % d)'
cmp -s "$SDXL" "$TMP/same.json" || fail "unchanged workflow should be written byte for byte"

# -o - writes the workflow to stdout and the report to stderr.
run 0 models sync "$SDXL" --models "$M/server-renamed.json" -o -
json_assert 'check([n for n in d["nodes"] if n["id"] == "sdxl_model_loader:PwBr7RXRsy"][0]["data"]["inputs"]["model"]["value"]["key"] == "renamed-0000", "workflow on stdout")'
assert_contains "$ERR" "matched_by_hash" "report on stderr"

# --dry-run writes nothing.
run 0 models sync "$SDXL" --models "$M/server-renamed.json" -o "$TMP/dry.json" --dry-run --json
json_assert 'check(len(d["changes"]) == 1 and d["written"] is None, "dry run reports, writes nothing")'
[ ! -e "$TMP/dry.json" ] || fail "--dry-run wrote a file"

# --compat pyclient: exactly the Python client's changes for every case of cases.json.
python3 - "$CASES" >"$TMP/cases.txt" <<'PY'
import json, sys
for i, c in enumerate(json.load(open(sys.argv[1]))["cases"]):
    print(i, c["workflow"], c["models"], int(c["by_name"]), int(c["by_base"]))
PY
while read -r i wf models by_name by_base; do
  flags=()
  [ "$by_name" = 1 ] && flags+=(--by-name) || flags+=(--no-by-name)
  [ "$by_base" = 1 ] && flags+=(--by-base)
  rc=0
  "$IVK" models sync "$FIX/$wf" --models "$FIX/$models" "${flags[@]}" --compat pyclient --json \
    -o "$TMP/compat-$i.json" >"$TMP/out" 2>"$TMP/err" || rc=$?
  python3 - "$CASES" "$i" "$rc" "$TMP/out" "$TMP/err" "$TMP/compat-$i.json" <<'PY' || fail "compat case $i ($wf $models ${flags[*]})"
import json, os, sys
cases, i, rc, out, err, written = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
c = json.load(open(cases))["cases"][i]
if c["error"] is None:
    assert rc == 0, "exit %d: %s" % (rc, open(err).read())
    got = json.load(open(out))["changes"]
    assert got == c["changes"], "changes differ:\n%r\n%r" % (got, c["changes"])
    assert os.path.exists(written), "not written"
else:
    assert rc == 3, "exit %d, expected 3" % rc
    assert c["error"] in open(err).read(), "error text: %r" % open(err).read()
    assert not os.path.exists(written), "written despite the error"
PY
done <"$TMP/cases.txt"

# Unresolved references: exit 3, the plan says which, nothing written.
run 3 models sync "$FLUX" --models "$M/server-base-only.json" -o "$TMP/unresolved.json"
assert_contains "$OUT" "unresolved" "plan table"
assert_contains "$ERR" "4 model reference(s) not found" "error"
[ ! -e "$TMP/unresolved.json" ] || fail "written despite unresolved references"
# --by-base resolves them, encoders (base any) included, each with a model of its own type.
run 0 models sync "$FLUX" --models "$M/server-base-only.json" --by-base --json
json_assert '
new = {c["old"]["type"]: c["new"] for c in d["changes"]}
check(new["main"]["key"] == "base-0002-1", "alphabetical first flux main: %r" % new["main"])
check(new["t5_encoder"]["key"] == "base-0006-1", "t5 by base any")
check(new["clip_embed"]["key"] == "base-0005-1", "clip by base any")
check(new["vae"]["key"] == "base-0004-1" and new["vae"]["type"] == "vae", "vae stays a vae")
'
# --prefer BASE=KEY wins ties; --indices limits the sync to those form inputs.
run 0 models sync "$FLUX" --models "$M/server-base-only.json" --by-base --prefer flux=base-0002-0 --indices 0,4 --json
json_assert '
check([x["field_name"] for x in d["decisions"]] == ["model", "vae_model"], "indices 0,4: %r" % d["decisions"])
check(d["changes"][0]["new"]["key"] == "base-0002-0", "preferred key: %r" % d["changes"][0])
'
run 2 models sync "$FLUX" --models "$M/server-base-only.json" --indices 0,x
run 2 models sync "$FLUX" --models "$M/server-base-only.json" --prefer flux
run 3 models sync "$FLUX" --models "$M/server-renamed.json" --indices 1

# Unknown enums (a veo3 video model) are listed and do not break the sync.
run 0 models sync "$SDXL" --models "$M/server-unknown-enum.json" --compat pyclient --json
json_assert 'check(d["changes"] == [], "no change")'
run 0 models list --models "$M/server-unknown-enum.json" --base veo3
assert_contains "$OUT" "veo3-api" "unknown base listed"
assert_contains "$OUT" "video" "unknown type listed"
run 0 models list --models "$M/server-exact.json" --type main --name SCHNELL --json
json_assert 'check([m["key"] for m in d] == ["4ea8c1b5-e56c-47c0-949e-3805d06c1301"], "filtered list: %r" % d)'
printf '{"models":[{"key":"k"}]}' >"$TMP/bad.json"
run 4 models list --models "$TMP/bad.json"
assert_contains "$ERR" '$.models[0].hash' "JSON path in the error"
run 3 models list --models "$TMP/missing.json"
assert_contains "$ERR" "no such file" "missing file"
