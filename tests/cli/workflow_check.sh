# ivk workflow check: summary, warnings, --json, --strict, templates, errors.
source "$(dirname "$0")/lib/assert.bash" "$@"

run 0 workflow check "$SDXL"
assert_contains "$OUT" "file:            $SDXL" "summary"
assert_contains "$OUT" "schema version:  3.0.0" "summary"
assert_contains "$OUT" "nodes:           12" "summary"
assert_contains "$OUT" "edges:           24" "summary"
assert_contains "$OUT" "inputs:          9" "summary"
assert_contains "$OUT" "warnings:        0" "summary"
assert_not_contains "$OUT" "migrated from" "summary of a current workflow"
assert_eq "$ERR" "" "stderr"

run 0 workflow check --json "$FLUX"
json_assert '
check(d["name"] == "flux-image-to-image", "name: %r" % d["name"])
check(d["id"] == "4f79d152-dbdb-40ec-94b4-c05d061756b8", "id: %r" % d["id"])
check(d["nodes"] == 9 and d["edges"] == 19 and d["inputs"] == 10, "counts: %r" % d)
check(d["schema_version"] == "3.0.0" and d["migrated_from"] is None, "versions")
check(d["templates"] is None and d["warnings"] == [], "no templates, no warnings")
'

# A workflow whose form is built from legacy exposedFields: a warning, exit 0; --strict exits 1.
LEGACY=$FIX/workflows/default-text-to-image-sdxl.json
run 0 workflow check "$LEGACY"
assert_contains "$OUT" "migrated from:   exposedFields" "summary"
assert_contains "$OUT" "warnings:        1" "summary"
assert_contains "$OUT" "warning: \$.exposedFields: " "warning line"
run 1 workflow check --strict "$LEGACY"
run 0 workflow check --strict "$SDXL"
run 1 workflow check --strict --json "$LEGACY"
json_assert 'check(len(d["warnings"]) == 1 and d["warnings"][0]["where"] == "$.exposedFields", "warning: %r" % d["warnings"])'

# Templates: node types the schema does not know are reported, once per type.
WAN=$FIX/workflows/default-text-to-video-wan-2.2-lightning.json
run 0 workflow check --json --templates "$OPENAPI" "$WAN"
json_assert '
msgs = [w["message"] for w in d["warnings"]]
check(d["templates"] is not None, "templates recorded")
check(any("wan_video_denoise" in m and "1, 2, 3, 4, 7, 9" in m for m in msgs), "unknown type listed with its inputs: %r" % msgs)
check(len([m for m in msgs if "wan_video_denoise" in m]) == 1, "one warning per type")
'
run 0 workflow check --templates "$OPENAPI" "$SDXL"
assert_contains "$OUT" "warnings:        0" "sdxl is fully known to the v6.8 schema"
assert_contains "$OUT" "templates:" "summary shows the templates"

# The PNG's embedded workflow.
run 0 workflow check "$PNG"
assert_contains "$OUT" "workflow:        sdxl-then-flux" "summary"
assert_contains "$OUT" "inputs:          24" "summary"

# Errors: exit codes from the error kind.
head -c 3000 "$SDXL" >"$TMP/truncated.json"
run 4 workflow check "$TMP/truncated.json"
assert_contains "$ERR" "line 114" "stderr names the line"
run 3 workflow check "$TMP/missing.json"
echo '{"meta": {"version": "9.0.0"}, "nodes": [], "edges": []}' >"$TMP/future.json"
run 4 workflow check "$TMP/future.json"
assert_contains "$ERR" "9.0.0" "stderr names the version"
run 2 workflow check
run 2 workflow
echo "ok"
