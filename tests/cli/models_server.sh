# ivk models against a server: the emulator, started here on a free port with the shared
# fixture catalog (server-exact.json, 12 models).
source "$(dirname "$0")/lib/assert.bash" "$@"
source "$(dirname "$0")/lib/emulator.bash"
M=$FIX/models

start_emulator main --models "$M/server-exact.json" --fail-install-matching broken-on-purpose
S=$URL
JUGG=914b2e5a-b8d3-4da1-965f-b3775bbc5745

# list: the whole catalog, then server-side filters and the name substring.
run 0 models list --server "$S" --json
json_assert '
check(len(d) == 12, "12 models: %d" % len(d))
check("914b2e5a-b8d3-4da1-965f-b3775bbc5745" in [m["key"] for m in d], "juggernaut listed")
'
run 0 models list --server "$S" --base sdxl --type main --json
json_assert 'check(sorted(m["key"] for m in d) == ["914b2e5a-b8d3-4da1-965f-b3775bbc5745", "fb57e50d-e8b1-43d3-a988-e33721c2be3e"], "sdxl main: %r" % [m["key"] for m in d])'
run 0 models list --server "$S" --type main --name SCHNELL --json
json_assert 'check([m["key"] for m in d] == ["4ea8c1b5-e56c-47c0-949e-3805d06c1301"], "name filter: %r" % d)'
run 0 models list --server "$S" --format diffusers --json
json_assert 'check(len(d) == 3, "3 diffusers models: %r" % [m["name"] for m in d])'
run 0 models list --server "$S" --base flux
assert_contains "$OUT" "flux1-dev" "table row"
assert_contains "$OUT" "NAME" "table header"
# INVOKEAI_URL is the default server.
INVOKEAI_URL=$S run 0 models list --type vae --json
json_assert 'check(sorted(m["name"] for m in d) == ["FLUX.1-schnell_ae", "sdxl-vae-fp16-fix"], "vae list via INVOKEAI_URL: %r" % d)'
run 2 models list --server "$S" --models "$M/server-exact.json"
assert_contains "$ERR" "exclude each other" "both sources"

# show: the record, as a table and as the server's JSON; an unknown key is exit 3.
run 0 models show "$JUGG" --server "$S"
assert_contains "$OUT" "juggernautXL_v9Rundiffusionphoto2" "show name"
assert_contains "$OUT" "checkpoint" "show format"
run 0 models show "$JUGG" --server "$S" --json
json_assert 'check(d["key"] == "914b2e5a-b8d3-4da1-965f-b3775bbc5745" and d["base"] == "sdxl" and d["type"] == "main", "record: %r" % d)'
run 3 models show no-such-key --server "$S"
assert_contains "$ERR" "no-such-key" "error names the key"

# install a URL, waiting: the final job is completed, every byte downloaded.
SRC=https://example.com/models/cli-test-lora.safetensors
run 0 models install "$SRC" --server "$S" --wait --timeout 60 --json
json_assert '
check(d["status"] == "completed", "completed: %r" % d["status"])
check(d["bytes"] == d["total_bytes"] and d["bytes"] > 0, "bytes == total: %r/%r" % (d["bytes"], d["total_bytes"]))
check(d["config_out"]["source"] == "https://example.com/models/cli-test-lora.safetensors", "installed record")
'
NEWKEY=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["config_out"]["key"])')
run 0 models list --server "$S" --json
json_assert 'check(len(d) == 13, "13 models after the install: %d" % len(d))'
# The same source again: already installed, nothing downloaded.
run 0 models install "$SRC" --server "$S" --wait
assert_contains "$OUT" "already installed" "second install"
assert_contains "$OUT" "$NEWKEY" "existing key"
# An install that fails on the server: exit 6, naming the job, the reason and the server's message.
run 6 models install https://example.com/broken-on-purpose.safetensors --server "$S" --wait
assert_contains "$ERR" "model install 2 of 'https://example.com/broken-on-purpose.safetensors' failed" "failure"
# A source the server does not understand: exit 3.
run 3 models install "not a model source" --server "$S"
assert_contains "$ERR" "Unsupported model source" "server detail"

# jobs and prune.
run 0 models jobs --server "$S" --json
json_assert 'check([j["status"] for j in d] == ["completed", "error"], "two finished jobs: %r" % d)'
run 0 models jobs --server "$S"
assert_contains "$OUT" "completed" "jobs table"
run 0 models prune --server "$S"
run 0 models jobs --server "$S" --json
json_assert 'check(d == [], "pruned: %r" % d)'
run 3 models cancel 999 --server "$S"
run 2 models cancel abc --server "$S"

# scan a folder with two model files; --install installs them in place.
# A LoRA the server identifies by its tensor names, and a VAE checkpoint it identifies by name.
mkdir -p "$TMP/scan"
python3 - "$TMP/scan/a-detail.safetensors" <<'PY'
import json, struct, sys
header = json.dumps({"lora_unet_down.lora_down.weight": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}}).encode()
open(sys.argv[1], "wb").write(struct.pack("<Q", len(header)) + header + b"\0\0")
PY
head -c 1024 /dev/zero >"$TMP/scan/b-vae.ckpt"
run 0 models scan "$TMP/scan" --server "$S" --json
json_assert 'check(sorted((e["path"].rsplit("/", 1)[1], e["is_installed"]) for e in d) == [("a-detail.safetensors", False), ("b-vae.ckpt", False)], "scan: %r" % d)'
run 0 models scan "$TMP/scan" --server "$S" --install --wait --json
json_assert 'check(all(e["job"]["status"] == "completed" for e in d), "installed: %r" % [e["job"] for e in d])'
run 0 models scan "$TMP/scan" --server "$S" --json
json_assert 'check(all(e["is_installed"] for e in d), "now installed: %r" % d)'
run 3 models scan "$TMP/nowhere" --server "$S"

# stats and the Hugging Face token.
run 0 models stats --server "$S"
run 0 models hf-login --server "$S" --token hf_0123456789abcdef --json
json_assert 'check(d == {"status": "valid"}, "valid token: %r" % d)'
run 0 models hf-login --server "$S"
assert_contains "$OUT" "valid" "status"
run 1 models hf-login --server "$S" --token nope
run 0 models hf-login --server "$S" --logout --json
json_assert 'check(d["status"] != "valid", "logged out: %r" % d)'

# sync and check against the server: the sdxl workflow names the installed juggernaut.
run 0 models sync "$SDXL" --server "$S" --json
json_assert 'check(d["changes"] == [] and d["decisions"][0]["outcome"] == "kept", "kept: %r" % d["decisions"])'
run 0 models check "$SDXL" --server "$S" --json
json_assert 'check(d["ok"] is True and d["findings"] == [], "check ok: %r" % d["findings"])'

# delete: refused without --yes when stdin is not a terminal; then deleted, and gone.
run_stdin 2 /dev/null models delete "$JUGG" --server "$S"
assert_contains "$ERR" "--yes" "refusal names --yes"
run 0 models delete "$JUGG" "$NEWKEY" --server "$S" --yes --json
json_assert 'check(d["deleted"] == ["914b2e5a-b8d3-4da1-965f-b3775bbc5745", "'"$NEWKEY"'"] and d["failed"] == [], "deleted: %r" % d)'
run 3 models show "$JUGG" --server "$S"
run 3 models delete "$JUGG" --server "$S" --yes
# Now the sdxl workflow's model is gone: sync cannot resolve it (3), check reports it (1).
run 3 models sync "$SDXL" --server "$S" --json
json_assert 'check(d["complete"] is False and d["decisions"][0]["outcome"] == "unresolved", "unresolved: %r" % d["decisions"])'
run 1 models check "$SDXL" --server "$S"
assert_contains "$OUT" "is not installed" "missing model"

# No server there: exit 7 (network), for list and for sync.
kill "${EMULATOR_PIDS[0]}"
wait "${EMULATOR_PIDS[0]}" 2>/dev/null || true
run 7 models list --server "$S"
run 7 models sync "$SDXL" --server "$S"

# A multi-user server: without credentials, 9 (auth); INVOKEAI_EMAIL/INVOKEAI_PASSWORD log in.
start_emulator multi --models "$M/server-exact.json" --multiuser --user admin@example.com:secret-pw:admin
run 9 models list --server "$URL"
INVOKEAI_EMAIL=admin@example.com INVOKEAI_PASSWORD=secret-pw run 0 models list --server "$URL" --json
json_assert 'check(len(d) == 12, "12 models after login: %d" % len(d))'
INVOKEAI_EMAIL=admin@example.com INVOKEAI_PASSWORD=wrong run 9 models list --server "$URL"
assert_not_contains "$ERR" "wrong" "password in the error"

echo "models_server: ok"
