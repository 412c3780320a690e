#!/usr/bin/python3
"""The emulator's Socket.IO server against an independent peer: python-socketio's client.

Usage: emulator_socketio.py IVK_BINARY SHARED_DIR

Runs `ivk emulator --port 0`, connects with python-socketio over WebSocket only, polling only and the
default polling -> WebSocket upgrade, subscribes to the default queue (with an ack), enqueues a small
graph over HTTP and checks the event order and payloads of spec §8.4. Then, in multi-user mode, checks
that a socket without a valid token is refused and one with a token (auth payload or Authorization
header) is accepted. Exits 77 (skipped) when python-socketio or its transports are not installed: it
needs Debian's python3-socketio, python3-websocket and python3-requests under /usr/bin/python3.
"""
import json
import sys
import threading
import urllib.request

from emulator_process import start_emulator, stop_emulator

try:
    import socketio
    import requests  # noqa: F401  (python-engineio's polling transport)
    import websocket  # noqa: F401  (python-engineio's WebSocket transport)
except ImportError as e:
    print(f"SKIP: {e}")
    sys.exit(77)

IVK, SHARED = sys.argv[1], sys.argv[2]
failures = []
checked = 0

# The events one queue item produces (spec §8.4), and the invocation nodes of the graph below.
QUEUE_EVENTS = ["batch_enqueued", "queue_item_status_changed", "invocation_started", "invocation_progress",
                "invocation_complete", "invocation_error", "queue_cleared", "queue_items_retried"]
EXPECTED = ["batch_enqueued", "queue_item_status_changed",
            "invocation_started", "invocation_complete",
            "invocation_started", "invocation_complete",
            "invocation_started", "invocation_complete",
            "queue_item_status_changed"]
GRAPH = {"id": "g1", "nodes": {
    "noise": {"id": "noise", "type": "noise", "seed": 7, "width": 64, "height": 48},
    "denoise": {"id": "denoise", "type": "denoise_latents", "steps": 2},
    "out": {"id": "out", "type": "l2i", "is_intermediate": False}},
    "edges": [
        {"source": {"node_id": "noise", "field": "noise"}, "destination": {"node_id": "denoise", "field": "noise"}},
        {"source": {"node_id": "denoise", "field": "latents"}, "destination": {"node_id": "out", "field": "latents"}}]}


def check(cond, what):
    global checked
    checked += 1
    if not cond:
        failures.append(what)


def start(args):
    return start_emulator(IVK, args)


def stop(proc):
    stop_emulator(proc, failures)


def http(base, method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def run_one_item(base, label, transports, token=None, use_header=False):
    """Connects, subscribes, enqueues one item and checks what arrives."""
    sio = socketio.Client(reconnection=False)
    received = []
    done = threading.Event()

    def listen(name):
        def handler(data):
            received.append((name, data))
            if name == "queue_item_status_changed" and data.get("status") in ("completed", "failed", "canceled"):
                done.set()
        sio.on(name, handler)

    for name in QUEUE_EVENTS:
        listen(name)
    kwargs = {}
    if token and use_header:
        kwargs["headers"] = {"Authorization": f"Bearer {token}"}
    elif token:
        kwargs["auth"] = {"token": token}
    try:
        sio.connect(base, transports=transports, socketio_path="/ws/socket.io", wait_timeout=10, **kwargs)
    except Exception as e:  # noqa: BLE001 (any failure to connect is the finding)
        failures.append(f"{label}: connect failed: {e!r}")
        return
    try:
        want = transports[0] if transports and len(transports) == 1 else "websocket"
        check(sio.transport() == want, f"{label}: transport {sio.transport()!r}, expected {want!r}")
        check(bool(sio.sid), f"{label}: no Socket.IO sid")
        # An ack proves the subscription is in place before the batch goes in.
        sio.call("subscribe_queue", {"queue_id": "default"}, timeout=10)
        status, body = http(base, "POST", "/api/v1/queue/default/enqueue_batch",
                            {"prepend": False, "batch": {"graph": GRAPH, "runs": 1, "origin": "conformance",
                                                         "destination": "gallery"}}, token)
        if status != 200:
            failures.append(f"{label}: enqueue_batch answered {status}: {body}")
            return
        item_id = body["item_ids"][0]
        check(done.wait(30), f"{label}: no final queue_item_status_changed; got {[n for n, _ in received]}")
    finally:
        sio.disconnect()
    names = [n for n, _ in received if n != "invocation_progress"]
    check(names == EXPECTED, f"{label}: event order {names}")
    if names != EXPECTED:
        return
    events = [(n, d) for n, d in received if n != "invocation_progress"]
    for name, data in received:
        check(isinstance(data.get("timestamp"), int), f"{label}: {name} without an int timestamp")
        check(data.get("queue_id") == "default", f"{label}: {name} queue_id {data.get('queue_id')!r}")
    check(events[0][1].get("enqueued") == 1, f"{label}: batch_enqueued {events[0][1]}")
    check(events[1][1].get("status") == "in_progress" and events[1][1].get("item_id") == item_id,
          f"{label}: first status change {events[1][1]}")
    check(events[-1][1].get("status") == "completed" and events[-1][1].get("item_id") == item_id,
          f"{label}: last status change {events[-1][1]}")
    sources = [d.get("invocation_source_id") for n, d in events if n == "invocation_started"]
    check(sources == ["noise", "denoise", "out"], f"{label}: invocation_source_id order {sources}")
    result = events[-2][1].get("result") or {}
    check(result.get("type") == "image_output", f"{label}: l2i result {result}")


def refused(base, label, **kwargs):
    sio = socketio.Client(reconnection=False)
    errors = []
    sio.on("connect_error", lambda data=None: errors.append(data))
    try:
        # The client waits out wait_timeout after a refusal: keep it short.
        sio.connect(base, socketio_path="/ws/socket.io", wait_timeout=2, **kwargs)
    except socketio.exceptions.ConnectionError:
        # The CONNECT_ERROR's payload reaches the connect_error handler: 44{"message": ...}.
        message = errors[0].get("message") if errors and isinstance(errors[0], dict) else errors
        check(message == "Connection rejected by server", f"{label}: refusal {message!r}")
        return
    finally:
        try:
            sio.disconnect()
        except Exception:  # noqa: BLE001 (already gone)
            pass
    failures.append(f"{label}: connection accepted without a valid token")


def main():
    proc, base = start([])
    try:
        run_one_item(base, "websocket", ["websocket"])
        run_one_item(base, "polling", ["polling"])
        run_one_item(base, "upgrade", None)
    finally:
        stop(proc)

    proc, base = start(["--multiuser", "--user", "a@b.c:pw:admin"])
    try:
        refused(base, "multiuser anonymous websocket", transports=["websocket"])
        refused(base, "multiuser anonymous polling", transports=["polling"])
        refused(base, "multiuser bad token", transports=["websocket"], auth={"token": "x.y.z"})
        status, body = http(base, "POST", "/api/v1/auth/login", {"email": "a@b.c", "password": "pw"})
        check(status == 200, f"login answered {status}: {body}")
        if status == 200:
            token = body["token"]
            run_one_item(base, "multiuser auth payload", ["websocket"], token=token)
            run_one_item(base, "multiuser header", ["polling"], token=token, use_header=True)
    finally:
        stop(proc)

    for f in failures:
        print("FAIL", f)
    print(f"{checked} checks, {len(failures)} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
