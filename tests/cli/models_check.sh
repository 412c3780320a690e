# ivk models check: model slots, availability and compatibility against a saved model list.
source "$(dirname "$0")/lib/assert.bash" "$@"
M=$FIX/models

# Every model of the flux workflow is installed under another key (renamed server): 4 warnings, exit 0.
run 0 models check "$FLUX" --models "$M/server-renamed.json" --json
json_assert '
slots = d["requirements"]
check([s["field_name"] for s in slots] == ["model", "t5_encoder_model", "clip_embed_model", "vae_model"], "slots: %r" % slots)
check([s["input_index"] for s in slots] == [0, 2, 3, 4], "form indices")
check(slots[1]["bases"] == ["any"] and slots[1]["types"] == ["t5_encoder"], "t5 slot: %r" % slots[1])
kinds = [f["kind"] for f in d["findings"]]
check(kinds == ["found_by_hash"] * 4, "findings: %r" % kinds)
check(all(f["severity"] == "warning" for f in d["findings"]), "warnings only")
check(d["ok"] is True, "ok")
'
# The sdxl workflow against a server that has the exact model: nothing to report.
run 0 models check "$SDXL" --models "$M/server-exact.json" --templates "$OPENAPI"
[[ $OUT == *"0 errors, 0 warnings"* ]] || fail "exact server: $OUT"
[[ $OUT == *"sdxl_model_loader.model"*"sdxl main"*"juggernautXL_v9Rundiffusionphoto2"* ]] || fail "slot row: $OUT"

# A server without that model: an error naming it, exit 1.
run 1 models check "$SDXL" --models "$M/server-base-only.json"
[[ $OUT == *"error: "*"juggernautXL_v9Rundiffusionphoto2"*"is not installed"* ]] || fail "missing model: $OUT"
[[ $OUT == *"1 errors, 0 warnings"* ]] || fail "counts: $OUT"

# Bad input: a missing model list is a file error with the file's name.
run 3 models check "$SDXL" --models "$TMP/none.json"
[[ $ERR == *"none.json"* ]] || fail "missing file: $ERR"
echo "models_check: ok"
