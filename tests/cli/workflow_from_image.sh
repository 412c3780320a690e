# ivk workflow from-image: the embedded workflow (or metadata, or graph) of an InvokeAI PNG.
source "$(dirname "$0")/lib/assert.bash" "$@"

# The chunks as stored, extracted independently for comparison.
python3 - "$PNG" "$TMP" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
pos = 8
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"tEXt":
        key, _, text = data[pos + 8:pos + 8 + length].partition(b"\0")
        open("%s/%s" % (sys.argv[2], key.decode()), "wb").write(text)
    pos += 12 + length
PY

run 0 workflow from-image "$PNG"
json_assert '
check(isinstance(d.get("nodes"), list) and len(d["nodes"]) > 0, "nodes non-empty")
check(d["name"] == "sdxl-then-flux", "name: %r" % d.get("name"))
'
[ "$OUT" = "$(cat "$TMP/invokeai_workflow")" ] || fail "stdout differs from the stored chunk"

# -o writes the chunk's bytes exactly, and nothing to stdout.
run 0 workflow from-image "$PNG" -o "$TMP/recovered.json"
assert_eq "$OUT" "" "stdout with -o"
cmp -s "$TMP/recovered.json" "$TMP/invokeai_workflow" || fail "-o file differs from the stored chunk"
ls "$TMP" | grep -q '\.tmp-' && fail "temporary file left behind"
# The recovered file is a workflow ivk can read.
run 0 inputs --json "$TMP/recovered.json"
json_assert 'check(len(d) == 24, "24 inputs in the recovered workflow")'

run 0 workflow from-image --metadata "$PNG"
json_assert 'check(d["width"] == 800 and d["height"] == 1024, "metadata size: %r" % [d.get("width"), d.get("height")])'
[ "$OUT" = "$(cat "$TMP/invokeai_metadata")" ] || fail "--metadata differs from the stored chunk"
run 0 workflow from-image --graph "$PNG"
json_assert 'check(isinstance(d["nodes"], dict) and len(d["nodes"]) > 0 and "edges" in d, "graph")'

# Errors.
run 2 workflow from-image --metadata --graph "$PNG"
run 3 workflow from-image "$TMP/missing.png"
assert_contains "$ERR" "no such file" "stderr"
run 4 workflow from-image "$SDXL"
assert_contains "$ERR" "ivk: error: $SDXL" "stderr names the file"
python3 - "$TMP/plain.png" <<'PY'
import struct, sys, zlib
def chunk(t, data):
    return struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
png += chunk(b"tEXt", b"Software\0test") + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
run 3 workflow from-image "$TMP/plain.png"
assert_contains "$ERR" "invokeai_workflow" "stderr names the chunk"
assert_contains "$ERR" "Software" "stderr lists the chunks present"
echo "ok"
