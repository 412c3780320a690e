# ivk inputs: the table, the --json array (keys, order, values), PNG and stdin sources, templates.
source "$(dirname "$0")/lib/assert.bash" "$@"

# --json on the SDXL fixture: 9 inputs in the Python client's order.
run 0 inputs --json "$SDXL"
json_assert '
check(isinstance(d, list) and len(d) == 9, "9 inputs, got %r" % (len(d) if isinstance(d, list) else d))
check([x["input_index"] for x in d] == list(range(9)), "indices 0..8")
keys = ["input_index", "label", "title", "field_name", "node_id", "node_type", "node_name", "kind",
        "value", "required", "jsonpath"]
for x in d:
    check(list(x)[:len(keys)] == keys, "leading keys in order: %r" % list(x))
w = d[3]
check(w["field_name"] == "width", "entry 3 field_name: %r" % w["field_name"])
check(w["node_id"] == "noise:f4Bv4UWa22", "entry 3 node_id: %r" % w["node_id"])
check(w["node_type"] == "noise", "entry 3 node_type")
check(w["kind"] == "integer", "entry 3 kind: %r" % w["kind"])
check(w["value"] == 768 and type(w["value"]) is int, "entry 3 value: %r" % w["value"])
check(w["jsonpath"] == "$.nodes[?(@.id=\x27noise:f4Bv4UWa22\x27)].data.inputs.width", "entry 3 jsonpath: %r" % w["jsonpath"])
check(w["required"] is False, "required is false without templates")
check(d[1]["label"] == "positive prompt", "entry 1 label: %r" % d[1]["label"])
check(d[1]["value"] == "deep space, high quality, colorful", "entry 1 value: %r" % d[1]["value"])
check(d[1]["node_name"] == "Positive Prompt", "entry 1 node_name")
check(d[0]["label"] == "", "entry 0 raw label is empty, as the Python client reports it")
check(d[0]["kind"] == "model" and d[0]["value"]["name"] == "juggernautXL_v9Rundiffusionphoto2", "entry 0 model")
check(d[6]["kind"] == "float" and d[6]["value"] == 7.5, "entry 6 cfg_scale float 7.5")
check(d[7]["kind"] == "enum" and d[7]["value"] == "dpmpp_3m_k", "entry 7 scheduler enum")
check(d[8]["kind"] == "board" and d[8]["value"] is None, "entry 8 board without value is null: %r" % d[8]["value"])
check([x["kind"] for x in d] == ["model", "string", "string", "integer", "integer", "integer", "float", "enum", "board"], "kinds")
'

# The table: a header, one row per input, aligned columns.
run 0 inputs "$SDXL"
lines=$(printf '%s\n' "$OUT" | wc -l)
assert_eq "$lines" 10 "table lines (header + 9 rows)"
header=$(printf '%s\n' "$OUT" | head -n 1)
assert_eq "$(echo "$header" | tr -s ' ')" "# TITLE FIELD KIND VALUE FLAGS" "table header"
row3=$(printf '%s\n' "$OUT" | sed -n 5p)
assert_eq "$(echo "$row3" | tr -s ' ')" "3 width noise.width integer 768" "row of input 3"
assert_contains "$OUT" "juggernautXL_v9Rundiffusionphoto2 (sdxl)" "model shown by name and base"
assert_contains "$OUT" '"deep space, high quality, colorful"' "string value quoted"
# Columns line up: FIELD starts at the same offset in the header and in every row.
python3 - "$TMP/out" <<'PY' || fail "table columns are not aligned"
import sys
rows = open(sys.argv[1], encoding="utf-8").read().splitlines()
col = rows[0].index("FIELD")
for r in rows[1:]:
    assert r[col - 2:col] == "  " and r[col] != " ", r
PY

# FLUX: 10 inputs; the image input shows its image name, the "none" board its id.
run 0 inputs --json "$FLUX"
json_assert '
check(len(d) == 10, "10 inputs")
check(d[1]["kind"] == "image" and d[1]["field_name"] == "image", "input 1 is the image")
check(d[9]["field_name"] == "board", "input 9 is the board")
'

# An InvokeAI PNG: the embedded workflow (24 inputs), found by its signature and by extension.
run 0 inputs --json "$PNG"
json_assert 'check(len(d) == 24 and d[0]["title"] == "Positive Prompt", "PNG: 24 inputs, first Positive Prompt")'
cp "$PNG" "$TMP/image-without-extension"
run 0 inputs --json "$TMP/image-without-extension"
json_assert 'check(len(d) == 24, "PNG detected by signature")'

# Standard input.
run_stdin 0 "$SDXL" inputs --json -
json_assert 'check(len(d) == 9 and d[3]["value"] == 768, "stdin workflow")'

# Templates: kinds, titles, required and constraints from the OpenAPI schema.
run 0 inputs --json --templates "$OPENAPI" "$SDXL"
json_assert '
check(d[0]["required"] is True and d[0]["title"] == "Model", "model input required, titled Model: %r" % d[0])
check(d[0]["constraints"].get("model_bases") == ["sdxl"], "model bases from the schema: %r" % d[0]["constraints"])
check(d[3]["constraints"].get("multiple_of") == 8, "width multiple_of 8: %r" % d[3]["constraints"])
check("dpmpp_3m_k" in d[7]["constraints"].get("choices", []), "scheduler choices")
'
run 0 inputs --templates "$OPENAPI" "$SDXL"
assert_contains "$(printf '%s\n' "$OUT" | sed -n 2p)" "required" "FLAGS of the model row"
# IVK_TEMPLATES is the default for --templates.
IVK_TEMPLATES=$OPENAPI run 0 inputs --json "$SDXL"
json_assert 'check(d[0]["required"] is True and d[0]["title"] == "Model", "IVK_TEMPLATES applied")'
# A missing templates file is an error naming it.
run 3 inputs --templates "$TMP/no-such-openapi.json" "$SDXL"
assert_contains "$ERR" "ivk: error: $TMP/no-such-openapi.json" "stderr"
assert_eq "$OUT" "" "stdout on error"

# Connected inputs are flagged (copy-image has none; sdxl has none in its form): the empty form.
run 0 inputs --json "$FIX/workflows/example-nodes.json"
json_assert 'check(d == [], "empty form gives []")'
run 0 inputs "$FIX/workflows/example-nodes.json"
assert_contains "$OUT" "no inputs" "empty form message"
echo "ok"
