# ivk workflow index-map export/verify: the Python client's index map format and drift report.
source "$(dirname "$0")/lib/assert.bash" "$@"

run 0 workflow index-map export "$SDXL" --generated-at 2025-01-02T03:04:05Z
json_assert '
check(list(d) == ["workflow_id", "generated_at", "inputs"], "keys: %r" % list(d))
check(d["workflow_id"] is None, "sdxl has no id")
check(d["generated_at"] == "2025-01-02T03:04:05Z", "generated_at")
check([e["index"] for e in d["inputs"]] == list(range(9)), "indices")
e = d["inputs"][3]
check(e == {"index": 3, "label": "", "field_name": "width",
            "jsonpath": "$.nodes[?(@.id=\x27noise:f4Bv4UWa22\x27)].data.inputs.width"}, "entry 3: %r" % e)
check(d["inputs"][1]["label"] == "positive prompt", "entry 1 label")
'
run 0 workflow index-map export "$FLUX"
json_assert '
check(d["workflow_id"] == "4f79d152-dbdb-40ec-94b4-c05d061756b8", "workflow id")
check(d["generated_at"].endswith("Z"), "generated_at is UTC")
'

# Export then verify the same workflow: clean, exit 0.
run 0 workflow index-map export "$SDXL" -o "$TMP/map.json"
assert_eq "$OUT" "" "stdout with -o"
[ -s "$TMP/map.json" ] || fail "map file not written"
run 0 workflow index-map verify "$SDXL" "$TMP/map.json"
assert_eq "$OUT" "9 unchanged, 0 moved, 0 missing, 0 new: the index map matches the workflow" "verify summary"
run 0 workflow index-map verify --json "$SDXL" "$TMP/map.json"
json_assert '
check(list(d) == ["unchanged", "moved", "missing", "new"], "report keys: %r" % list(d))
check(len(d["unchanged"]) == 9 and d["moved"] == [] and d["missing"] == [] and d["new"] == [], "clean report")
check(d["unchanged"][1] == {"index": 1, "label": "positive prompt"}, "unchanged entry: %r" % d["unchanged"][1])
'

# Swap the first two form children and drop the last: 2 moved, 6 unchanged, 1 missing; exit 1.
python3 - "$SDXL" "$TMP/edited.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
children = d["form"]["elements"]["root"]["data"]["children"]
children[0], children[1] = children[1], children[0]
children.pop()
json.dump(d, open(sys.argv[2], "w"))
PY
run 1 workflow index-map verify "$TMP/edited.json" "$TMP/map.json"
assert_contains "$OUT" "6 unchanged, 2 moved, 1 missing, 0 new" "drift summary"
assert_contains "$OUT" "moved    0 -> 1" "moved row"
assert_contains "$OUT" "missing  8" "missing row"
run 1 workflow index-map verify --json "$TMP/edited.json" "$TMP/map.json"
json_assert '
check(len(d["unchanged"]) == 6 and len(d["moved"]) == 2 and len(d["missing"]) == 1 and d["new"] == [], "counts: %r" % d)
check({"from": 0, "to": 1, "label": ""} in d["moved"], "moved 0 -> 1: %r" % d["moved"])
check(d["missing"][0]["field_name"] == "board" and d["missing"][0]["index"] == 8, "missing board: %r" % d["missing"])
'
# The other way round: the board is new.
run 0 workflow index-map export "$TMP/edited.json" -o "$TMP/edited-map.json"
run 1 workflow index-map verify --json "$SDXL" "$TMP/edited-map.json"
json_assert 'check(d["new"] == [{"index": 8, "label": ""}], "new: %r" % d["new"])'

# Errors.
echo '{' >"$TMP/bad-map.json"
run 4 workflow index-map verify "$SDXL" "$TMP/bad-map.json"
assert_contains "$ERR" "$TMP/bad-map.json" "stderr names the map"
run 3 workflow index-map verify "$SDXL" "$TMP/no-map.json"
run 2 workflow index-map verify "$SDXL"
run 2 workflow index-map
echo "ok"
