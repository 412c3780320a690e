"""Shared helpers for the emulator conformance scripts: start `ivk emulator`, call routes, and
validate every answer against InvokeAI's OpenAPI document (openapi-schema-validator, OpenAPI 3.1).

A script (run as `script.py IVK SHARED_DIR`) does:
    from openapi_check import *
    proc, base = start(["--models", ...])
    try: check(base, "GET", "/api/v1/app/version", 200) ...
    finally: stop(proc)
    finish(min_checked=40)
check() asserts the status, that the document declares it for the operation, and validates a JSON
body against the declared schema (or against `schema=` for routes newer than the document).
"""
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

from emulator_process import start_emulator, stop_emulator

try:
    from openapi_schema_validator import OAS31Validator
except ImportError:  # Debian's python3-jsonschema validates the same draft (2020-12)
    from jsonschema import Draft202012Validator as OAS31Validator

IVK, SHARED = sys.argv[1], sys.argv[2]
DOC = json.load(open(os.path.join(SHARED, "invokeai", "openapi-v6.8.json")))
failures = []
checked = 0


def operation(method, path):
    """The document's operation whose path template matches `path`."""
    for template, ops in DOC["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in ops:
            return template, ops[method.lower()]
    return None, None


def validate(body, schema, what):
    global checked
    full = dict(schema)
    full["components"] = DOC["components"]
    errors = sorted(OAS31Validator(full).iter_errors(body), key=lambda e: list(e.path))
    checked += 1
    for e in errors[:3]:
        failures.append(f"{what}: {'/'.join(map(str, e.path))}: {e.message[:300]}")


def call(base, method, path, query=None, body=None, raw_body=None, headers=None):
    url = base + path + ("?" + urllib.parse.urlencode(query, doseq=True) if query else "")
    data = raw_body if raw_body is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def check(base, method, path, expect, query=None, body=None, schema=None, **kw):
    """Calls and validates; returns the parsed JSON body (or None)."""
    status, raw = call(base, method, path, query, body, **kw)
    what = f"{method} {path} -> {status}"
    if status != expect:
        failures.append(f"{what}: expected status {expect}; body {raw[:200]!r}")
    parsed = None
    if status == 204:
        if raw:
            failures.append(f"{what}: a 204 must have an empty body, got {raw[:80]!r}")
        return None
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        failures.append(f"{what}: body is not JSON: {raw[:120]!r}")
        return None
    if schema is not None:
        validate(parsed, schema, what)
        return parsed
    template, op = operation(method, path)
    if op is None:
        failures.append(f"{what}: no such operation in the OpenAPI document")
        return parsed
    response = op["responses"].get(str(status))
    if response is None:
        failures.append(f"{what}: status {status} is not declared for {method} {template}")
        return parsed
    media = response.get("content", {}).get("application/json")
    if media and "schema" in media:
        validate(parsed, media["schema"], what)
    elif status >= 400:  # undeclared error body: FastAPI's {"detail": ...}
        validate(parsed, DETAIL, what)
    return parsed


DETAIL = {"type": "object", "required": ["detail"], "properties": {"detail": {}}}
MODEL_LIST = DOC["paths"]["/api/v2/models/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
USER = {"type": "object",
        "required": ["user_id", "email", "display_name", "is_admin", "is_active", "created_at", "updated_at"],
        "properties": {"user_id": {"type": "string"}, "email": {"type": "string"},
                       "display_name": {"type": ["string", "null"]}, "is_admin": {"type": "boolean"},
                       "is_active": {"type": "boolean"}, "created_at": {"type": "string"},
                       "updated_at": {"type": "string"}, "last_login_at": {"type": ["string", "null"]}}}
AUTH_STATUS = {"type": "object", "required": ["setup_required", "multiuser_enabled"],
               "properties": {"setup_required": {"type": "boolean"}, "multiuser_enabled": {"type": "boolean"},
                              "strict_password_checking": {"type": "boolean"},
                              "admin_email": {"type": ["string", "null"]}}}
LOGIN = {"type": "object", "required": ["token", "user", "expires_in"],
         "properties": {"token": {"type": "string", "pattern": r"^[\w-]+\.[\w-]+\.[\w-]+$"},
                        "user": {"$ref": "#/$defs/user"}, "expires_in": {"type": "integer"}},
         "$defs": {"user": USER}}


def start(args):
    return start_emulator(IVK, args)


def stop(proc):
    stop_emulator(proc, failures)




def finish(min_checked):
    """Prints the failures and exits: non-zero on any failure or when fewer bodies were checked."""
    for f in failures:
        print("FAIL", f)
    print(f"{checked} response bodies validated, {len(failures)} failures")
    sys.exit(1 if failures or checked < min_checked else 0)
