# ivk against an https server with a self-signed certificate (the python-socketio peer of the
# EventStream tests, served over TLS): REST calls and the event socket (wss://) refuse the certificate
# by default, and work with --insecure. The certificate is made here with the openssl command.
source "$(dirname "$0")/lib/assert.bash" "$@"
source "$(dirname "$0")/lib/emulator.bash"  # the clean environment (no INVOKEAI_URL, no config file)

/usr/bin/python3 -c 'import socketio, aiohttp' 2>/dev/null || { echo "SKIP: python3-socketio or aiohttp missing"; exit 77; }
command -v openssl >/dev/null || { echo "SKIP: no openssl command"; exit 77; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null ||
  fail "openssl could not make a certificate"

# The peer prints "TLSPORT n" then "PORT n" (its plain control port) and exits when its stdin closes,
# which happens when this script ends.
coproc PEER { exec /usr/bin/python3 "$SRC/tests/support/socketio_peer.py" --tls "$TMP/cert.pem" "$TMP/key.pem"; }
read -t 20 -r tls_line <&"${PEER[0]}" || fail "the TLS peer did not start"
read -t 20 -r plain_line <&"${PEER[0]}" || fail "the TLS peer printed no control port"
S=https://localhost:${tls_line#TLSPORT }
CONTROL=${plain_line#PORT }

control() {  # METHOD PATH [BODY]: a control route on the peer's plain port; prints the answer
  /usr/bin/python3 -c '
import sys, urllib.request
port, method, path = sys.argv[1:4]
body = sys.argv[4].encode() if len(sys.argv) > 4 else None
req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), data=body, method=method,
                             headers={"Content-Type": "application/json"})
print(urllib.request.urlopen(req, timeout=10).read().decode())' "$CONTROL" "$@"
}

# --- without --insecure: both transports refuse the self-signed certificate ---------------------
run 7 queue status --server "$S"
assert_contains "$ERR" "certificate"
assert_contains "$ERR" "hint: --insecure skips the certificate check"
run 7 queue watch --server "$S" --for 1
assert_contains "$ERR" "certificate verify failed"
assert_contains "$ERR" "wss://localhost:"
assert_contains "$ERR" "hint: --insecure skips the certificate check"
assert_eq "$(control GET /control/state | python3 -c 'import json,sys; print(json.load(sys.stdin)["connects"])')" "0" \
  "Socket.IO connects without --insecure"

# --- with --insecure: REST gets through TLS (the peer has no queue routes: a 404 from it) ---------
run 3 queue status --server "$S" --insecure
assert_contains "$ERR" "404"

# ... and the event socket runs over wss://, token and all.
"$IVK" queue watch --server "$S" --insecure --token tls-token --json --for 5 >"$TMP/watch.out" 2>"$TMP/watch.err" &
watcher=$!
for _ in $(seq 1 100); do
  n=$(control GET /control/state | python3 -c 'import json,sys; print(json.load(sys.stdin)["subscribe_count"])')
  [ "$n" = 1 ] && break
  sleep 0.1
done
[ "$n" = 1 ] || fail "queue watch --insecure did not subscribe: $(cat "$TMP/watch.err")"
control POST /control/emit \
  '{"event":"queue_item_status_changed","payload":{"queue_id":"default","item_id":7,"status":"completed"},"room":"default"}' >/dev/null
wait "$watcher" || fail "queue watch --insecure failed: $(cat "$TMP/watch.err")"
OUT=$(cat "$TMP/watch.out")
json_lines=$(printf '%s\n' "$OUT" | grep -c '"event":"queue_item_status_changed"' || true)
assert_eq "$json_lines" "1" "status events seen by queue watch"
OUT=$(printf '%s\n' "$OUT" | grep '"event":"queue_item_status_changed"')
json_assert 'check(d["payload"] == {"queue_id": "default", "item_id": 7, "status": "completed"}, "payload %r" % d)'
OUT=$(control GET /control/state)
json_assert 'check(d["authorization"] == ["Bearer tls-token"] and d["auths"] == [{"token": "tls-token"}], "auth %r" % d)'
echo "tls: ok"
