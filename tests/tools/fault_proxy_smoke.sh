#!/usr/bin/env bash
# ivk-fault-proxy as a program: port files, the control commands over loopback, a fault reaching a
# client, and stopping (by `shutdown`, and by itself after --max-seconds).
#   bash fault_proxy_smoke.sh <path-to-ivk-fault-proxy> <path-to-ivk>
set -euo pipefail
PROXY=${1:?usage: fault_proxy_smoke.sh PROXY IVK}
IVK=${2:?ivk}
command -v curl >/dev/null || { echo "curl is needed for this test"; exit 77; }
TMP=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# wait_for_file FILE: the port files appear once the program listens.
wait_for_file() {
  for _ in $(seq 1 100); do [ -s "$1" ] && return 0; sleep 0.1; done
  fail "$1 did not appear"
}

# control COMMAND: one command on the control port; the answer in $REPLY.
control() {
  exec 3<>"/dev/tcp/127.0.0.1/$(cat "$TMP/control")"
  printf '%s\n' "$1" >&3
  IFS= read -r -t 5 REPLY <&3 || fail "no answer to $1"
  exec 3<&-
}

"$IVK" emulator --port 0 >"$TMP/emu.out" 2>"$TMP/emu.err" &
PIDS+=($!)
URL=
for _ in $(seq 1 100); do
  URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$TMP/emu.out" | head -n 1 || true)
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || fail "the emulator did not start: $(cat "$TMP/emu.err")"
UPSTREAM=${URL##*:}

"$PROXY" --upstream "$UPSTREAM" --port-file "$TMP/port" --control-port-file "$TMP/control" >"$TMP/proxy.out" &
PROXY_PID=$!
PIDS+=("$PROXY_PID")
wait_for_file "$TMP/port"
wait_for_file "$TMP/control"
PORT=$(cat "$TMP/port")

body=$(curl -sS "http://127.0.0.1:$PORT/api/v1/app/version")
case "$body" in *'"version"'*) ;; *) fail "forwarded GET answered $body" ;; esac

control "fail-gets 1 7"
[ "$REPLY" = ok ] || fail "fail-gets answered $REPLY"
status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/app/version")
[ "$status" = 503 ] || fail "a failed GET answered $status"

control "stats"
[ "$REPLY" = "accepted=2 responses_dropped=0 gets_failed=1 requests=2 GET:/api/v1/app/version=2" ] ||
  fail "stats answered $REPLY"
control "frobnicate"
case "$REPLY" in "error: unknown command"*) ;; *) fail "an unknown command answered $REPLY" ;; esac

control "shutdown"
[ "$REPLY" = ok ] || fail "shutdown answered $REPLY"
rc=0
wait "$PROXY_PID" || rc=$?
[ "$rc" = 0 ] || fail "the proxy exited $rc after shutdown"

# Left alone, it stops by itself.
"$PROXY" --upstream "$UPSTREAM" --max-seconds 1 >/dev/null &
LONE_PID=$!
PIDS+=("$LONE_PID")
rc=0
wait "$LONE_PID" || rc=$?
[ "$rc" = 0 ] || fail "the proxy exited $rc after --max-seconds"

rc=0
"$PROXY" --port 1 2>"$TMP/usage.err" || rc=$?
[ "$rc" = 2 ] || fail "a missing --upstream exited $rc"
grep -q -- "--upstream PORT is required" "$TMP/usage.err" || fail "usage error said: $(cat "$TMP/usage.err")"
echo "fault proxy smoke: ok"
