# ivk emulator: starts on a free port, announces its URL on stdout, serves, exits 0 on SIGINT.
source "$(dirname "$0")/lib/assert.bash" "$@"
command -v curl >/dev/null || fail "curl is needed for this test"

run 0 emulator --help
for opt in --host --port --models --data-dir --persist --multiuser --user --jwt-secret --server-version \
           --download-speed --fail-install-matching; do
  assert_contains "$OUT" "$opt" "emulator --help"
done
run 2 emulator --port 70000
run 2 emulator --user nobody
run 2 emulator --multiuser --user nobody
run 2 emulator --persist

# start_emulator ARGS...: runs ivk emulator in the background; sets PID and URL.
start_emulator() {
  "$IVK" emulator "$@" >"$TMP/emu.out" 2>"$TMP/emu.err" &
  PID=$!
  URL=
  for _ in $(seq 1 100); do
    URL=$(sed -n 's/^ivk emulator listening on \(http:.*\)$/\1/p' "$TMP/emu.out")
    [ -n "$URL" ] && break
    kill -0 "$PID" 2>/dev/null || fail "ivk emulator exited early: $(cat "$TMP/emu.err")"
    sleep 0.1
  done
  [ -n "$URL" ] || { kill -KILL "$PID"; fail "no 'listening on' line within 10 s: $(cat "$TMP/emu.out")"; }
}

# stop_emulator SIGNAL: sends it and checks the exit status (0) within 10 s.
stop_emulator() {
  kill "-$1" "$PID"
  local rc=0
  for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID"; fail "ivk emulator ignored SIG$1"; fi
  wait "$PID" || rc=$?
  assert_eq "$rc" 0 "exit status after SIG$1"
}

start_emulator --port 0 --server-version 6.9.0
[[ $URL =~ ^http://127\.0\.0\.1:[0-9]+$ ]] || fail "URL line: $URL"
assert_eq "$(wc -l <"$TMP/emu.out")" 1 "stdout lines"
body=$(curl -sS "$URL/api/v1/app/version")
assert_eq "$body" '{"version":"6.9.0","highlights":null}' "version body"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/nothing/here")
assert_eq "$code" 404 "unknown route"
stop_emulator INT

# Multi-user: login works, a protected route needs the token; SIGTERM stops it too.
start_emulator --port 0 --multiuser --user 'admin@example.com:s3cr:et:admin' --jwt-secret test
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/app/app_deps")
assert_eq "$code" 401 "app_deps without a token"
body=$(curl -sS -H 'Content-Type: application/json' -d '{"email":"admin@example.com","password":"s3cr:et"}' \
  "$URL/api/v1/auth/login")
OUT=$body
json_assert 'check(d["user"]["is_admin"] is True and d["token"].count(".") == 2, "login: %r" % d)'
stop_emulator TERM

# A port in use is a file/bind error (exit 5) naming the address.
start_emulator --port 0
port=${URL##*:}
run 5 emulator --port "$port"
assert_contains "$ERR" "$port" "bind error"
stop_emulator INT
echo "emulator: ok"
