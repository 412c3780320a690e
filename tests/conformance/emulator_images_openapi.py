#!/usr/bin/env python3
"""The emulator's images, boards and board_images routes against InvokeAI's OpenAPI document.

Starts `ivk emulator` on a free port, uploads a real PNG (multipart built by hand), calls every
images/boards/board_images route the emulator serves, and validates each JSON answer against the
v6.8 document's schema for that operation and status (see openapi_check.py). Binary answers (full
image, WebP thumbnail, zip) are checked for status, content type and magic bytes.

usage: emulator_images_openapi.py IVK SHARED_DIR
"""
import os
import tempfile
import urllib.request

from openapi_check import *  # noqa: F401,F403  (IVK, SHARED, check, start, stop, finish, failures)

FIXTURE = os.path.join(SHARED, "fixtures", "images", "8079126e-6cb0-4d47-956a-0eec6b71c600.png")
BOUNDARY = "ivkConformanceBoundary"


def detail(text):
    """An error the v6.8 document does not declare: FastAPI's {"detail": text}, exactly."""
    return {"type": "object", "required": ["detail"], "additionalProperties": False,
            "properties": {"detail": {"const": text}}}


def multipart(file_bytes, content_type="image/png", metadata=None):
    parts = [(b'--' + BOUNDARY.encode() + b'\r\nContent-Disposition: form-data; name="file"; filename="x.png"\r\n'
              b'Content-Type: ' + content_type.encode() + b'\r\n\r\n' + file_bytes + b'\r\n')]
    if metadata is not None:
        parts.append(b'--' + BOUNDARY.encode() + b'\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n'
                     + metadata.encode() + b'\r\n')
    return b"".join(parts) + b'--' + BOUNDARY.encode() + b'--\r\n'


def upload(base, data, expect=201, query=None, content_type="image/png", metadata=None):
    return check(base, "POST", "/api/v1/images/upload", expect,
                 query=query or {"image_category": "user", "is_intermediate": "false"},
                 raw_body=multipart(data, content_type, metadata),
                 headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})


def binary(base, method, path, content_type, magic):
    """A binary route: status 200, the declared media type, and the format's magic bytes."""
    req = urllib.request.Request(base + path, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            body, ctype, status = r.read(), r.headers.get("Content-Type", ""), r.status
    except urllib.error.HTTPError as e:
        failures.append(f"{method} {path} -> {e.code}")
        return b""
    _, op = operation(method, path)
    declared = list(op["responses"]["200"].get("content", {})) if op else []
    if status != 200 or ctype != content_type or content_type not in declared:
        failures.append(f"{method} {path}: status {status}, type {ctype!r}, declared {declared}")
    if method == "GET" and not body.startswith(magic):
        failures.append(f"{method} {path}: body starts {body[:8]!r}, expected {magic!r}")
    return body


def run(work):
    png = open(FIXTURE, "rb").read()
    proc, base = start(["--data-dir", os.path.join(work, "data")])
    try:
        img = upload(base, png)
        name = img["image_name"]
        if (img["width"], img["height"]) != (800, 1024):
            failures.append(f"upload size {img['width']}x{img['height']}")
        second = upload(base, png, query={"image_category": "general", "is_intermediate": "false"},
                        metadata='{"seed": 1}')["image_name"]
        inter = upload(base, png, query={"image_category": "general", "is_intermediate": "true"})["image_name"]
        upload(base, png, 415, content_type="text/plain")
        upload(base, b"not an image", 415)
        for path in ("/api/v1/images/i/..hidden.png/full", "/api/v1/images/i/a%5Cb.png/metadata"):
            check(base, "GET", path, 404, schema=detail("Not Found"))
        upload(base, png, 422, query={"is_intermediate": "false"})
        resized = check(base, "POST", "/api/v1/images/upload", 201,
                        query={"image_category": "user", "is_intermediate": "true"},
                        raw_body=multipart(png)[:-len(BOUNDARY) - 8] + b'\r\n--' + BOUNDARY.encode()
                        + b'\r\nContent-Disposition: form-data; name="resize_to"\r\n\r\n[100,128]\r\n--'
                        + BOUNDARY.encode() + b'--\r\n',
                        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
        if resized and (resized["width"], resized["height"]) != (100, 128):
            failures.append(f"resize_to gave {resized['width']}x{resized['height']}")

        full = binary(base, "GET", f"/api/v1/images/i/{name}/full", "image/png", b"\x89PNG")
        if full != png:
            failures.append("full image bytes differ from the upload")
        binary(base, "HEAD", f"/api/v1/images/i/{name}/full", "image/png", b"")
        binary(base, "GET", f"/api/v1/images/i/{name}/thumbnail", "image/webp", b"RIFF")

        check(base, "GET", f"/api/v1/images/i/{name}", 200)
        check(base, "GET", "/api/v1/images/i/missing.png", 404, schema=detail("Not Found"))
        check(base, "GET", f"/api/v1/images/i/{name}/metadata", 200)
        check(base, "GET", f"/api/v1/images/i/{second}/metadata", 200)
        check(base, "GET", f"/api/v1/images/i/{name}/workflow", 200)
        check(base, "GET", f"/api/v1/images/i/{name}/urls", 200)
        check(base, "PATCH", f"/api/v1/images/i/{name}", 200, body={"image_category": "control", "starred": True})
        check(base, "PATCH", f"/api/v1/images/i/{name}", 422, body={"image_category": "nope"})
        check(base, "POST", "/api/v1/images/star", 200, body={"image_names": [second]})
        check(base, "POST", "/api/v1/images/unstar", 200, body={"image_names": [second]})
        check(base, "POST", "/api/v1/images/star", 422, body={})
        page = check(base, "GET", "/api/v1/images/", 200, query={"limit": 2, "offset": 0})
        if page and page["total"] != 4:
            failures.append(f"images total {page['total']}, expected 4")
        check(base, "GET", "/api/v1/images/", 200,
              query={"categories": ["general", "user"], "is_intermediate": "false", "order_dir": "ASC",
                     "starred_first": "false", "board_id": "none", "search_term": "seed", "image_origin": "external"})
        check(base, "GET", "/api/v1/images/", 422, query={"order_dir": "sideways"})
        check(base, "GET", "/api/v1/images/names", 200, query={"categories": ["general"]})
        check(base, "POST", "/api/v1/images/images_by_names", 200, body={"image_names": [second, "missing.png"]})
        check(base, "GET", "/api/v1/images/intermediates", 200)

        board = check(base, "POST", "/api/v1/boards/", 201, query={"board_name": "Conformance"})
        board_id = board["board_id"]
        check(base, "POST", "/api/v1/boards/", 422, query={"board_name": "x" * 301})
        check(base, "GET", "/api/v1/boards/", 200, query={"all": "true"})
        check(base, "GET", "/api/v1/boards/", 200, query={"offset": 0, "limit": 10, "order_by": "board_name",
                                                           "direction": "ASC"})
        check(base, "GET", "/api/v1/boards/", 400,
              schema=detail("Invalid request: Must provide either 'all' or both 'offset' and 'limit'"))
        check(base, "GET", f"/api/v1/boards/{board_id}", 200)
        check(base, "PATCH", f"/api/v1/boards/{board_id}", 201, body={"board_name": "Renamed", "archived": False})
        check(base, "PATCH", f"/api/v1/boards/{board_id}", 422, body={"bogus": 1})
        check(base, "POST", "/api/v1/board_images/", 201, body={"board_id": board_id, "image_name": name})
        check(base, "POST", "/api/v1/board_images/", 422, body={"image_name": name})
        check(base, "POST", "/api/v1/board_images/batch", 201, body={"board_id": board_id, "image_names": [second]})
        b = check(base, "GET", f"/api/v1/boards/{board_id}", 200)
        if b and (b["image_count"], b["asset_count"]) != (1, 1):
            failures.append(f"board counts {b['image_count']}/{b['asset_count']}, expected 1/1")
        check(base, "GET", f"/api/v1/boards/{board_id}/image_names", 200)
        check(base, "GET", "/api/v1/boards/none/image_names", 200, query={"categories": ["general"],
                                                                          "is_intermediate": "true"})
        check(base, "DELETE", "/api/v1/board_images/", 201, body={"image_name": name})
        check(base, "POST", "/api/v1/board_images/batch/delete", 201, body={"image_names": [second]})
        check(base, "POST", "/api/v1/board_images/batch", 201, body={"board_id": board_id, "image_names": [second]})

        dl = check(base, "POST", "/api/v1/images/download", 202, body={"board_id": board_id})
        if dl and dl.get("bulk_download_item_name"):
            binary(base, "GET", f"/api/v1/images/download/{dl['bulk_download_item_name']}", "application/zip", b"PK")
        check(base, "POST", "/api/v1/images/download", 202, body={"image_names": [name]})
        check(base, "GET", "/api/v1/images/download/missing.zip", 404, schema=detail("Not Found"))

        check(base, "DELETE", f"/api/v1/boards/{board_id}", 200, query={"include_images": "true"})
        check(base, "GET", f"/api/v1/boards/{board_id}", 404, schema=detail("Board not found"))
        other = check(base, "POST", "/api/v1/boards/", 201, query={"board_name": "Keep images"})["board_id"]
        check(base, "DELETE", f"/api/v1/boards/{other}", 200)

        check(base, "DELETE", "/api/v1/images/intermediates", 200)
        check(base, "GET", f"/api/v1/images/i/{inter}", 404, schema=detail("Not Found"))
        extra = upload(base, png)["image_name"]
        check(base, "DELETE", f"/api/v1/images/i/{extra}", 200)
        check(base, "POST", "/api/v1/images/delete", 200, body={"image_names": [name, "missing.png"]})
        upload(base, png)
        check(base, "DELETE", "/api/v1/images/uncategorized", 200)
        page = check(base, "GET", "/api/v1/images/", 200)
        if page and page["total"] != 0:
            failures.append(f"{page['total']} images left after deleting all")
    finally:
        stop(proc)


with tempfile.TemporaryDirectory(prefix="ivk-images-conf-") as tmp:
    run(tmp)
finish(min_checked=50)
