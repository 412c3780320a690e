#!/usr/bin/env python3
"""The emulator's app, auth and model manager routes against InvokeAI's OpenAPI document.

Starts `ivk emulator` on a free port, calls each route it serves (the happy path and the
documented errors), and validates each answer: the status must be one the document declares for
that operation, and a JSON body must validate against the declared schema (openapi-schema-validator,
OpenAPI 3.1). Routes newer than the v6.8 document (auth, models/missing) are checked against the
shapes in the shared API spec, written out below.

usage: emulator_models_openapi.py IVK SHARED_DIR
"""
import json
import os
import shutil
import tempfile
import time

from openapi_check import *  # noqa: F401,F403  (IVK, SHARED, check, start, stop, schemas)


def wait_job(base, job_id, terminal=("completed", "error", "cancelled")):
    job = None
    for _ in range(500):
        job = check(base, "GET", f"/api/v2/models/install/{job_id}", 200)
        if job is None or job.get("status") in terminal:
            return job
        time.sleep(0.02)
    failures.append(f"install job {job_id} did not finish: {job}")
    return job


def single_user_run(work):
    models_dir = os.path.join(work, "scan")
    os.makedirs(os.path.join(models_dir, "sub"))
    lora = os.path.join(models_dir, "sub", "tiny-lora.safetensors")
    header = json.dumps({"lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight":
                         {"dtype": "F16", "shape": [4, 4], "data_offsets": [0, 32]}}).encode()
    with open(lora, "wb") as f:
        f.write(len(header).to_bytes(8, "little") + header + bytes(32))

    proc, base = start(["--models", os.path.join(SHARED, "fixtures", "models", "server-exact.json"),
                        "--data-dir", os.path.join(work, "data"), "--download-speed", "1000000000",
                        "--fail-install-matching", "will-fail"])
    try:
        v = check(base, "GET", "/api/v1/app/version", 200)
        if not v or not isinstance(v.get("version"), str):
            failures.append(f"version body {v}")
        for path in ("app_deps", "config", "runtime_config", "logging", "invocation_cache/status"):
            check(base, "GET", f"/api/v1/app/{path}", 200)
        check(base, "POST", "/api/v1/app/logging", 200, raw_body=b"20")
        check(base, "PUT", "/api/v1/app/invocation_cache/disable", 200)
        check(base, "PUT", "/api/v1/app/invocation_cache/enable", 200)
        check(base, "DELETE", "/api/v1/app/invocation_cache", 200)
        check(base, "GET", "/api/v1/auth/status", 200, schema=AUTH_STATUS)

        models = check(base, "GET", "/api/v2/models/", 200)["models"]
        if len(models) != 12:
            failures.append(f"catalog has {len(models)} models, the fixture 12")
        sdxl = check(base, "GET", "/api/v2/models/", 200, query={"base_models": ["sdxl"], "model_type": "main"})
        if [m["name"] for m in sdxl["models"]] != ["juggernautXL_v9Rundiffusionphoto2",
                                                   "sdxlUnstableDiffusers_v9DIVINITYMACHINE"]:
            failures.append(f"sdxl main filter gave {[m['name'] for m in sdxl['models']]}")
        check(base, "GET", "/api/v2/models/", 422, query={"base_models": "sdxxl"})
        key = models[0]["key"]
        check(base, "GET", f"/api/v2/models/i/{key}", 200)
        check(base, "GET", "/api/v2/models/i/no-such-key", 404)
        check(base, "GET", "/api/v2/models/get_by_attrs", 200,
              query={"name": models[0]["name"], "type": models[0]["type"], "base": models[0]["base"]})
        # The real server answers 404 here (spec §3.1) although the 6.8 document does not declare it.
        check(base, "GET", "/api/v2/models/get_by_attrs", 404, schema=DETAIL,
              query={"name": "nope", "type": "main", "base": "sdxl"})
        check(base, "GET", "/api/v2/models/get_by_attrs", 422, query={"name": "x"})
        check(base, "PATCH", f"/api/v2/models/i/{key}", 200, body={"description": "patched by conformance"})
        check(base, "GET", f"/api/v2/models/i/{key}/image", 404)
        check(base, "GET", "/api/v2/models/missing", 200, schema=MODEL_LIST)

        scan = check(base, "GET", "/api/v2/models/scan_folder", 200, query={"scan_path": models_dir})
        if scan is not None and [os.path.basename(e["path"]) for e in scan] != ["tiny-lora.safetensors"]:
            failures.append(f"scan_folder gave {scan}")
        check(base, "GET", "/api/v2/models/scan_folder", 400, query={"scan_path": os.path.join(work, "absent")})

        job = check(base, "POST", "/api/v2/models/install", 201, query={"source": lora}, body={})
        if job:
            done = wait_job(base, job["id"])
            if not done or done["status"] != "completed" or done["config_out"]["type"] != "lora":
                failures.append(f"local install ended {done}")
        url_job = check(base, "POST", "/api/v2/models/install", 201,
                        query={"source": "https://example.com/models/tiny.safetensors"}, body={})
        if url_job:
            done = wait_job(base, url_job["id"])
            if not done or done["status"] != "completed" or done["bytes"] != done["total_bytes"]:
                failures.append(f"URL install ended {done}")
        bad = check(base, "POST", "/api/v2/models/install", 201,
                    query={"source": "https://example.com/will-fail.safetensors"}, body={})
        if bad:
            done = wait_job(base, bad["id"])
            if not done or done["status"] != "error" or not done.get("error"):
                failures.append(f"failing install ended {done}")
        hf = check(base, "POST", "/api/v2/models/install", 201, query={"source": "owner/repo:fp16"}, body={})
        if hf:
            check(base, "DELETE", f"/api/v2/models/install/{hf['id']}", 201)
        check(base, "POST", "/api/v2/models/install", 409, query={"source": "not a source"}, body={})
        check(base, "POST", "/api/v2/models/install", 422, query={"source": lora})
        check(base, "GET", "/api/v2/models/install", 200)
        check(base, "DELETE", "/api/v2/models/install/999", 415)
        check(base, "GET", "/api/v2/models/install/999", 404)
        check(base, "DELETE", "/api/v2/models/install", 204)

        ckpt = next(m for m in models if m["type"] == "main" and m["format"] == "checkpoint" and m["base"] == "sdxl")
        converted = check(base, "PUT", f"/api/v2/models/convert/{ckpt['key']}", 200)
        if converted and (converted["key"] == ckpt["key"] or converted["format"] != "diffusers"):
            failures.append(f"convert kept key or format: {converted.get('key')} {converted.get('format')}")
        vae = next(m for m in models if m["type"] == "vae")
        check(base, "PUT", f"/api/v2/models/convert/{vae['key']}", 400)

        check(base, "GET", "/api/v2/models/starter_models", 200)
        check(base, "GET", "/api/v2/models/stats", 200)
        check(base, "POST", "/api/v2/models/empty_model_cache", 200)
        check(base, "GET", "/api/v2/models/hf_login", 200)
        check(base, "POST", "/api/v2/models/hf_login", 200, body={"token": "hf_0123456789abcdef"})
        check(base, "DELETE", "/api/v2/models/hf_login", 200)
        check(base, "GET", "/api/v2/models/hugging_face", 200, query={"hugging_face_repo": "owner/repo"})

        check(base, "DELETE", f"/api/v2/models/i/{vae['key']}", 204)
        check(base, "DELETE", f"/api/v2/models/i/{vae['key']}", 404)
        check(base, "GET", "/api/v2/nothing/here", 404, schema=DETAIL)
    finally:
        stop(proc)


def multi_user_run(work):
    proc, base = start(["--multiuser", "--user", "admin@example.com:pw-admin:admin",
                        "--user", "user@example.com:pw-user", "--data-dir", os.path.join(work, "data-mu")])
    try:
        status = check(base, "GET", "/api/v1/auth/status", 200, schema=AUTH_STATUS)
        if status and status["multiuser_enabled"] is not True:
            failures.append(f"multi-user status {status}")
        check(base, "GET", "/api/v1/app/version", 200)  # public even in multi-user mode
        check(base, "GET", "/api/v2/models/", 401, schema=DETAIL)
        check(base, "POST", "/api/v1/auth/login", 401, schema=DETAIL,
              body={"email": "admin@example.com", "password": "wrong", "remember_me": False})
        admin = check(base, "POST", "/api/v1/auth/login", 200, schema=LOGIN,
                      body={"email": "admin@example.com", "password": "pw-admin", "remember_me": False})
        user = check(base, "POST", "/api/v1/auth/login", 200, schema=LOGIN,
                     body={"email": "user@example.com", "password": "pw-user", "remember_me": False})
        if admin and user:
            check(base, "GET", "/api/v1/auth/me", 200, schema=USER,
                  headers={"Authorization": "Bearer " + user["token"]})
            check(base, "GET", "/api/v2/models/", 200, headers={"Authorization": "Bearer " + user["token"]})
            check(base, "GET", "/api/v2/models/stats", 403, schema=DETAIL,
                  headers={"Authorization": "Bearer " + user["token"]})
            check(base, "GET", "/api/v2/models/stats", 200, headers={"Authorization": "Bearer " + admin["token"]})
        check(base, "GET", "/api/v2/models/", 401, schema=DETAIL, headers={"Authorization": "Bearer not.a.jwt"})
    finally:
        stop(proc)


work = tempfile.mkdtemp(prefix="ivk-conformance-")
try:
    single_user_run(work)
    multi_user_run(work)
finally:
    shutil.rmtree(work, ignore_errors=True)

finish(min_checked=40)
