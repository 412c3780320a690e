# ivk payload: invalid values, unknown inputs and command-line mistakes.
source "$(dirname "$0")/lib/assert.bash" "$@"

# A value that does not fit the input's kind: exit 3, the message names input 3; no output.
run 3 payload "$SDXL" -s 3=abc
assert_contains "$ERR" "ivk: error: " "stderr"
assert_contains "$ERR" "input 3" "stderr names the input"
assert_contains "$ERR" "abc" "stderr shows the value"
assert_eq "$OUT" "" "stdout on error"
# All or nothing: a good value with a bad one still fails.
run 3 payload "$SDXL" -s 4=512 -s 3=abc

# Unknown inputs: by label, by index, by node.field.
run 3 payload "$SDXL" -s "no such input=1"
assert_contains "$ERR" "no such input" "stderr names the reference"
run 3 payload "$SDXL" -s 42=1
assert_contains "$ERR" "42" "stderr names the index"
run 3 payload "$SDXL" -s nonode.width=1

# Sweeps: a bad item names the sweep and the item; unknown input; mismatched zip lengths.
run 3 payload "$SDXL" --sweep 3=512,abc
assert_contains "$ERR" "item 1" "stderr names the item"
run 3 payload "$SDXL" --sweep nothing=1,2
run 3 payload "$SDXL" --sweep-json '3=[512'
run 3 payload "$SDXL" --sweep-json '3=512'
run 3 payload "$SDXL" --sweep 3=512 --sweep 4=512,1024 --zip

# Missing workflow file: exit 3 with a clear message.
run 3 payload "$TMP/missing.json" -s 3=1
assert_contains "$ERR" "no such file" "stderr"

# Command-line mistakes: exit 2.
run 2 payload "$SDXL" -s 3
assert_contains "$ERR" "INPUT=VALUE" "stderr explains the syntax"
run 2 payload "$SDXL" --graph-only --sweep 3=1,2
run 2 payload "$SDXL" --runs 0
run 2 payload "$SDXL" --compat nope
run 2 payload
echo "ok"
