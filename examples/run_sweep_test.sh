# examples/run_sweep against a started `ivk emulator`: its exact output for a first run and for the same
# run again (the server then given through INVOKEAI_URL), which resumes from the journal and neither
# enqueues nor downloads anything twice; the images on disk; and its error for a server that does not
# answer.
#   bash run_sweep_test.sh IVK SHARED_DIR SOURCE_DIR EXAMPLE
EXAMPLE=${4:?usage: run_sweep_test.sh IVK SHARED_DIR SOURCE_DIR EXAMPLE}
source "$3/tests/cli/lib/assert.bash" "$1" "$2" "$3"
source "$SRC/tests/cli/lib/emulator.bash"
WF=$SRC/examples/workflows/sdxl-text-to-image.json

start_emulator main

out=$("$EXAMPLE" "$WF" "$TMP/out" "$URL")
assert_eq "$out" "4 items: 4 completed, 0 failed, 0 canceled; 4 images saved, 4 downloaded now" "output of the first run"
assert_eq "$(find "$TMP/out" -maxdepth 1 -name '*.png' | wc -l)" 4 "PNG files after the first run"
[ -s "$TMP/out/run.json" ] || fail "no run.json after the first run"
[ -s "$TMP/out/run.sqlite" ] || fail "no run.sqlite after the first run"

out=$(INVOKEAI_URL=$URL "$EXAMPLE" "$WF" "$TMP/out")
assert_eq "$out" "resumed: 4 items: 4 completed, 0 failed, 0 canceled; 4 images saved, 0 downloaded now" \
  "output of the same run again"
assert_eq "$(find "$TMP/out" -maxdepth 1 -name '*.png' | wc -l)" 4 "PNG files after the same run again"
total=$(curl -s "$URL/api/v1/queue/default/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["queue"]["total"])')
assert_eq "$total" 4 "server items after both runs"

# A port nobody listens on: the connect check fails, on standard error, with exit status 1.
rc=0
"$EXAMPLE" "$WF" "$TMP/unreachable" http://127.0.0.1:1 >"$TMP/stdout" 2>"$TMP/stderr" || rc=$?
assert_eq "$rc" 1 "exit status for an unreachable server"
assert_eq "$(cat "$TMP/stdout")" "" "standard output for an unreachable server"
assert_contains "$(cat "$TMP/stderr")" "error: " "standard error"
assert_contains "$(cat "$TMP/stderr")" "GET /api/v1/app/version" "standard error"
