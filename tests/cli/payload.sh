# ivk payload: values set with -s, sweeps, batch options, graph-only, pretty output.
source "$(dirname "$0")/lib/assert.bash" "$@"

# -s by index and by label; the graph carries the new values.
run 0 payload "$SDXL" -s 3=1024 -s "positive prompt=a red fox" --graph-id g-1
case "$OUT" in *$'\n'*) fail "compact output should be one line" ;; esac
json_assert '
check(set(d) == {"prepend", "batch"}, "top-level keys: %r" % list(d))
b = d["batch"]
for k in ("graph", "workflow", "runs", "data", "origin", "destination"):
    check(k in b, "batch has %s" % k)
n = b["graph"]["nodes"]
check(b["graph"]["id"] == "g-1", "graph id")
check(n["noise:f4Bv4UWa22"]["width"] == 1024, "width set: %r" % n["noise:f4Bv4UWa22"].get("width"))
check(n["noise:f4Bv4UWa22"]["height"] == 1024, "height unchanged")
check(n["positive_prompt:kjUMdcg0zO"]["value"] == "a red fox", "prompt set: %r" % n["positive_prompt:kjUMdcg0zO"])
check(d["prepend"] is False and b["runs"] == 1 and b["data"] == [], "defaults: prepend false, runs 1, no data")
check(b["origin"] == "workflows" and b["destination"] == "gallery", "default origin/destination")
check(isinstance(b["workflow"], dict) and b["workflow"]["name"], "the workflow is attached")
'
# NODE_ID.FIELD references and floats keep their spelling (no 7E-1).
run 0 payload "$SDXL" -s noise:f4Bv4UWa22.height=512 -s 6=0.7
json_assert '
n = d["batch"]["graph"]["nodes"]
check(n["noise:f4Bv4UWa22"]["height"] == 512, "height by node_id.field")
check(n["denoise_latents:TRC0Y88EWe"]["cfg_scale"] == 0.7, "cfg_scale 0.7")
'
assert_contains "$OUT" '"cfg_scale":0.7' "number spelling"
# A value containing '=' (split at the first '=').
run 0 payload "$SDXL" -s "1=a=b"
json_assert 'check(d["batch"]["graph"]["nodes"]["positive_prompt:kjUMdcg0zO"]["value"] == "a=b", "value with =")'

# Two sweeps: two groups (cartesian product), values typed by the input kind.
run 0 payload "$SDXL" --sweep 3=512,768 --sweep 4=512,1024
json_assert '
data = d["batch"]["data"]
check(len(data) == 2, "2 groups: %r" % data)
check(all(len(g) == 1 for g in data), "one datum per group")
check(data[0][0]["node_path"] == "noise:f4Bv4UWa22" and data[0][0]["field_name"] == "width", "group 0 is width")
check(data[0][0]["items"] == [512, 768], "width items are numbers: %r" % data[0][0]["items"])
check(data[1][0]["field_name"] == "height" and data[1][0]["items"] == [512, 1024], "group 1 is height")
'
# --zip: one group of two data.
run 0 payload "$SDXL" --sweep 3=512,768 --sweep 4=512,1024 --zip
json_assert '
data = d["batch"]["data"]
check(len(data) == 1 and len(data[0]) == 2, "1 group of 2: %r" % data)
check([x["field_name"] for x in data[0]] == ["width", "height"], "order kept")
'
# --sweep-json (commas inside values) interleaved with --sweep keeps the command-line order.
run 0 payload "$SDXL" --sweep-json '1=["a fox, red", "a cat"]' --sweep 3=512,768 --sweep-json '5=[10, 20]'
json_assert '
data = d["batch"]["data"]
check([g[0]["field_name"] for g in data] == ["value", "width", "steps"], "order: %r" % data)
check(data[0][0]["items"] == ["a fox, red", "a cat"], "json items: %r" % data[0][0]["items"])
check(data[2][0]["items"] == [10, 20], "steps items")
'
# String sweeps are strings even when they look like numbers.
run 0 payload "$SDXL" --sweep "positive prompt=1,2"
json_assert 'check(d["batch"]["data"][0][0]["items"] == ["1", "2"], "string items: %r" % d["batch"]["data"])'

# Batch options.
run 0 payload "$SDXL" --runs 3 --prepend --no-workflow --batch-id b-1 --origin scripts --destination canvas
json_assert '
b = d["batch"]
check(d["prepend"] is True, "prepend")
check(b["runs"] == 3, "runs")
check(b.get("workflow") is None, "no workflow: %r" % (b.get("workflow"),))
check(b.get("batch_id") == "b-1", "batch id")
check(b["origin"] == "scripts" and b["destination"] == "canvas", "origin/destination")
'

# --graph-only: just the graph.
run 0 payload "$SDXL" --graph-only --graph-id g-2 -s 5=12
json_assert '
check(set(d) >= {"id", "nodes", "edges"} and "batch" not in d, "a graph: %r" % list(d))
check(d["id"] == "g-2", "graph id")
check(d["nodes"]["denoise_latents:TRC0Y88EWe"]["steps"] == 12, "steps set")
'
compact=$OUT

# --pretty: the same document, indented.
run 0 payload "$SDXL" --graph-only --graph-id g-2 -s 5=12 --pretty
pretty=$OUT
[ "$(printf '%s\n' "$pretty" | wc -l)" -gt 50 ] || fail "--pretty output should span many lines"
assert_contains "$pretty" $'{\n  "id": "g-2",' "pretty layout"
python3 -c 'import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); sys.exit(a != b)' "$compact" "$pretty" \
  || fail "--pretty changes the document"

# --board-auto: the board "auto" resolves to the given board; without it, no board is sent.
run 0 payload "$SDXL" --board-auto my-board -s 8=auto --graph-only
json_assert 'check(d["nodes"]["canvas_output:JbPTiAJ26r"].get("board") == {"board_id": "my-board"}, "auto board")'
run 0 payload "$SDXL" -s 8=auto --graph-only
json_assert 'check("board" not in d["nodes"]["canvas_output:JbPTiAJ26r"], "auto board without --board-auto")'
# --compat pyclient gives a valid body too.
run 0 payload "$SDXL" --compat pyclient
json_assert 'check("graph" in d["batch"] and "noise:f4Bv4UWa22" in d["batch"]["graph"]["nodes"], "pyclient body")'

# A PNG workflow works as a source.
run 0 payload "$PNG" -s 2=640
json_assert 'check(any(v.get("value") == 640 for v in d["batch"]["graph"]["nodes"].values()), "PNG input 2 set to 640")'
echo "ok"
