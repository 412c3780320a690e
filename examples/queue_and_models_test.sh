# examples/queue_and_models against a started `ivk emulator`: its exact output, with the server given
# on the command line and through INVOKEAI_URL, and its error for a server that does not answer.
#   bash queue_and_models_test.sh IVK SHARED_DIR SOURCE_DIR EXAMPLE
EXAMPLE=${4:?usage: queue_and_models_test.sh IVK SHARED_DIR SOURCE_DIR EXAMPLE}
source "$3/tests/cli/lib/assert.bash" "$1" "$2" "$3"
source "$SRC/tests/cli/lib/emulator.bash"

start_emulator main

expected="server 6.8.0 at $URL
queue default: 0 pending, 0 in progress, 0 completed, 0 failed, 0 canceled
11 models
  sd-1         main       stable-diffusion-v1-5
  sdxl         main       juggernautXL_v9
  sdxl-refiner main       stable-diffusion-xl-refiner-1.0
  flux         main       FLUX Schnell
  any          t5_encoder t5_bnb_int8_quantized_encoder
  any          clip_embed clip-vit-large-patch14
  flux         vae        FLUX.1-schnell_ae
  sdxl         vae        sdxl-vae-fp16-fix
  sdxl         lora       pixel-art-xl
  sd-1         lora       add_detail
  sdxl         controlnet controlnet-canny-sdxl-1.0"

out=$("$EXAMPLE" "$URL")
assert_eq "$out" "$expected" "output with the URL argument"
out=$(INVOKEAI_URL=$URL "$EXAMPLE")
assert_eq "$out" "$expected" "output with INVOKEAI_URL"

# A port nobody listens on: the connect check fails, on standard error, with exit status 1.
rc=0
"$EXAMPLE" http://127.0.0.1:1 >"$TMP/out" 2>"$TMP/err" || rc=$?
assert_eq "$rc" 1 "exit status for an unreachable server"
assert_eq "$(cat "$TMP/out")" "" "standard output for an unreachable server"
assert_contains "$(cat "$TMP/err")" "error: " "standard error"
assert_contains "$(cat "$TMP/err")" "GET /api/v1/app/version" "standard error"
