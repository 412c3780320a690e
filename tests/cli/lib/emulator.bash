# Starting `ivk emulator` from a CLI test (source after assert.bash). Every emulator started here is
# stopped, and $TMP removed, when the test exits. The environment is cleared so that no user setting
# (INVOKEAI_URL, a config file) can change what the commands under test talk to.
unset INVOKEAI_URL INVOKEAI_TOKEN INVOKEAI_EMAIL INVOKEAI_PASSWORD
export HOME=$TMP XDG_CONFIG_HOME=$TMP/config XDG_CACHE_HOME=$TMP/cache

EMULATOR_PIDS=()
stop_emulators() {
  local pid
  for pid in "${EMULATOR_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${EMULATOR_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap stop_emulators EXIT

# start_emulator NAME ARGS...: runs `ivk emulator --port 0 ARGS` in the background and sets URL from
# its "listening on" line.
start_emulator() {
  local name=$1 line="" i
  shift
  "$IVK" emulator --port 0 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
  EMULATOR_PIDS+=($!)
  for i in $(seq 1 100); do
    line=$(grep -m1 'listening on' "$TMP/$name.out" || true)
    [ -n "$line" ] && break
    kill -0 "${EMULATOR_PIDS[-1]}" 2>/dev/null || fail "emulator $name exited: $(cat "$TMP/$name.err")"
    sleep 0.1
  done
  [ -n "$line" ] || fail "emulator $name did not print its URL"
  URL=${line##* }
}
