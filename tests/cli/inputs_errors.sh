# ivk inputs on broken or missing files: exit codes and messages.
source "$(dirname "$0")/lib/assert.bash" "$@"

# A truncated workflow: exit 4 (unreadable workflow), the message names the line.
head -c 3000 "$SDXL" >"$TMP/truncated.json"
run 4 inputs "$TMP/truncated.json"
assert_contains "$ERR" "ivk: error: $TMP/truncated.json" "stderr names the file"
assert_contains "$ERR" "line 114" "stderr names the line"
assert_eq "$OUT" "" "stdout on error"

# Not a workflow at all.
echo '{"hello": "world"}' >"$TMP/not-a-workflow.json"
run 4 inputs "$TMP/not-a-workflow.json"
assert_contains "$ERR" "ivk: error: " "stderr"

# A missing file: exit 3 (not found) with a clear message.
run 3 inputs "$TMP/missing.json"
assert_contains "$ERR" "ivk: error: $TMP/missing.json: no such file" "stderr"
run 3 inputs "$TMP/missing.png"
assert_contains "$ERR" "$TMP/missing.png" "stderr"

# A directory: exit 5 (file problem).
run 5 inputs "$TMP"
assert_contains "$ERR" "is a directory" "stderr"

# A PNG without a workflow chunk.
python3 - "$TMP/plain.png" <<'PY'
import struct, sys, zlib
def chunk(t, data):
    return struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
run 3 inputs "$TMP/plain.png"
assert_contains "$ERR" "invokeai_workflow" "stderr names the missing chunk"

# Command-line mistakes: exit 2.
run 2 inputs
run 2 inputs --no-such-option "$SDXL"
echo "ok"
