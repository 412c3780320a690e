#!/usr/bin/python3
"""A real python-socketio server for ivk's EventStream tests (an independent peer, DESIGN.md).

It serves Socket.IO the way InvokeAI does (AsyncServer, socketio_path "/ws/socket.io", queue rooms
joined by "subscribe_queue"), on aiohttp instead of ASGI, with short heartbeats so dead-connection
detection is quick. Tests drive it over HTTP routes on the same port:

  POST /control/emit        {"event": name, "payload": any JSON, "room": optional, "count": optional}
  POST /control/disconnect  {"level": "socketio" | "engineio"}: drop every connected client
  POST /control/mode        {"reject": bool}: make the connect handler refuse (CONNECT_ERROR)
  GET  /control/state       {"connects": n, "auths": [...], "authorization": [...], "rooms": {sid: [queue ids]},
                             "subscribe_count": n, "connected": [sids]}

Prints "PORT <n>" on stdout once listening (port chosen by the OS), and exits when stdin closes, so a
test that dies never leaves it behind. With `--tls CERT.pem KEY.pem` the same app is also served over
TLS (https/wss) on a second port, printed first as "TLSPORT <n>"; the control routes stay on PORT. Run with Debian's /usr/bin/python3 (python3-socketio 5.x,
python3-aiohttp).
"""
import asyncio
import logging
import os
import ssl
import sys

import socketio
from aiohttp import web

PING_INTERVAL = 1  # seconds: a dead client or server is noticed within interval + timeout
PING_TIMEOUT = 2

# Clients that end their sessions abruptly are the point of some tests; keep their warnings out of the log.
logging.getLogger("engineio.server").setLevel(logging.CRITICAL)

sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*",
                           ping_interval=PING_INTERVAL, ping_timeout=PING_TIMEOUT)
app = web.Application()
sio.attach(app, socketio_path="/ws/socket.io")

state = {"connects": 0, "auths": [], "authorization": [], "rooms": {}, "subscribe_count": 0,
         "connected": [], "reject": False}


@sio.event
async def connect(sid, environ, auth=None):
    state["connects"] += 1
    state["auths"].append(auth)
    state["authorization"].append(environ.get("HTTP_AUTHORIZATION"))
    if state["reject"]:
        return False  # python-socketio answers 44{"message":"Connection rejected by server"}
    state["connected"].append(sid)
    state["rooms"][sid] = []
    return True


@sio.event
async def disconnect(sid):
    if sid in state["connected"]:
        state["connected"].remove(sid)
    state["rooms"].pop(sid, None)


@sio.event
async def subscribe_queue(sid, data):
    queue_id = data["queue_id"]
    sio.enter_room(sid, queue_id)
    state["rooms"].setdefault(sid, []).append(queue_id)
    state["subscribe_count"] += 1


async def control_emit(request):
    body = await request.json()
    for _ in range(int(body.get("count", 1))):
        await sio.emit(body["event"], body.get("payload"), room=body.get("room"))
    return web.json_response({"ok": True})


background = set()  # the disconnect tasks, referenced until done


async def control_disconnect(request):
    body = await request.json()
    for sid in list(state["connected"]):
        if body.get("level", "socketio") == "engineio":
            closing = sio.eio.disconnect(sio.manager.eio_sid_from_sid(sid, "/"))
        else:
            closing = sio.disconnect(sid)
        # Not awaited: on polling, python-engineio's close waits until the client has fetched the
        # CLOSE packet, which never happens when the client's next poll comes after the close (it is
        # answered 400). The route must answer anyway.
        task = asyncio.ensure_future(closing)
        background.add(task)
        task.add_done_callback(background.discard)
    return web.json_response({"ok": True})


async def control_mode(request):
    body = await request.json()
    state["reject"] = bool(body.get("reject", False))
    return web.json_response({"ok": True})


async def control_state(request):
    return web.json_response({k: v for k, v in state.items() if k != "reject"})


app.router.add_post("/control/emit", control_emit)
app.router.add_post("/control/disconnect", control_disconnect)
app.router.add_post("/control/mode", control_mode)
app.router.add_get("/control/state", control_state)


async def main():
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    if len(sys.argv) == 4 and sys.argv[1] == "--tls":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        tls_site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
        await tls_site.start()
        print("TLSPORT %d" % tls_site._server.sockets[0].getsockname()[1], flush=True)
    print("PORT %d" % port, flush=True)
    # Exit when the test closes our stdin (or dies). At once: a graceful aiohttp shutdown would wait
    # for open WebSockets, and the tests want a server that is simply gone.
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    os._exit(0)


if __name__ == "__main__":
    asyncio.run(main())
