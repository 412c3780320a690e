#!/usr/bin/env python3
"""The emulator's session queue and dynamic prompts routes against InvokeAI's OpenAPI document.

Starts `ivk emulator`, enqueues a batch (zip groups x runs), waits for the items to run, then calls
every queue route the emulator serves and validates each answer against the v6.8 document.

One adjustment to the document: every *Output schema lists "output_meta" as required, but the real
server leaves it out of session.results (see ../shared/fixtures/queue-items/*.json, validated here
with the same adjustment), so it is dropped from those required lists.

usage: emulator_queue_openapi.py IVK SHARED_DIR
"""
import glob
import json
import os
import time

from openapi_check import *  # noqa: F401,F403  (IVK, SHARED, DOC, check, start, stop, finish, failures)

for schema in DOC["components"]["schemas"].values():
    if isinstance(schema.get("required"), list) and "output_meta" in schema["required"]:
        schema["required"] = [r for r in schema["required"] if r != "output_meta"]

ITEM = {"$ref": "#/components/schemas/SessionQueueItem"}
Q = "/api/v1/queue/default"

GRAPH = {"id": "g1", "nodes": {
    "prompt": {"id": "prompt", "type": "string", "value": "a cat"},
    "noise": {"id": "noise", "type": "noise", "seed": 7, "width": 64, "height": 48},
    "denoise": {"id": "denoise", "type": "denoise_latents", "steps": 2},
    "meta": {"id": "meta", "type": "core_metadata", "seed": 7},
    "out": {"id": "out", "type": "l2i", "is_intermediate": False}},
    "edges": [
        {"source": {"node_id": "noise", "field": "noise"}, "destination": {"node_id": "denoise", "field": "noise"}},
        {"source": {"node_id": "denoise", "field": "latents"}, "destination": {"node_id": "out", "field": "latents"}},
        {"source": {"node_id": "prompt", "field": "value"},
         "destination": {"node_id": "meta", "field": "positive_prompt"}},
        {"source": {"node_id": "meta", "field": "metadata"}, "destination": {"node_id": "out", "field": "metadata"}}]}


def batch(runs=1, data=None, graph=GRAPH):
    b = {"graph": graph, "runs": runs, "origin": "workflows", "destination": "gallery"}
    if data is not None:
        b["data"] = data
    return {"prepend": False, "batch": b}


def wait_done(base, item_id):
    item = None
    for _ in range(500):
        item = check(base, "GET", f"{Q}/i/{item_id}", 200)
        if item is None or item.get("status") in ("completed", "failed", "canceled"):
            return item
        time.sleep(0.02)
    failures.append(f"queue item {item_id} did not finish: {item}")
    return item


def main():
    for path in sorted(glob.glob(os.path.join(SHARED, "fixtures", "queue-items", "*.json"))):
        validate(json.load(open(path)), ITEM, f"fixture {os.path.basename(path)}")

    proc, base = start(["--step-ms", "0", "--fail-node-type", "img_blur"])
    try:
        data = [[{"node_path": "prompt", "field_name": "value", "items": ["a", "b"]},
                 {"node_path": "noise", "field_name": "seed", "items": [1, 2]}],
                [{"node_path": "noise", "field_name": "width", "items": [64, 32]}]]
        result = check(base, "POST", f"{Q}/enqueue_batch", 200, body=batch(2, data))
        if result and (result["enqueued"] != 8 or result["item_ids"] != list(range(8, 0, -1))):
            failures.append(f"enqueue result {result['enqueued']} {result['item_ids']}")
        batch_id = result["batch"]["batch_id"] if result else "x"
        for item_id in range(1, 9):
            item = wait_done(base, item_id)
            if item and item.get("status") != "completed":
                failures.append(f"item {item_id} ended {item.get('status')}")
        check(base, "GET", f"{Q}/status", 200)
        check(base, "GET", f"{Q}/b/{batch_id}/status", 200)
        check(base, "GET", f"{Q}/current", 200)
        check(base, "GET", f"{Q}/next", 200)
        check(base, "GET", f"{Q}/list_all", 200)
        check(base, "GET", f"{Q}/list_all", 200, query={"destination": "gallery"})
        check(base, "GET", f"{Q}/item_ids", 200)
        check(base, "GET", f"{Q}/item_ids", 200, query={"order_dir": "ASC"})
        check(base, "POST", f"{Q}/items_by_ids", 200, body={"item_ids": [1, 2, 999]})
        check(base, "GET", f"{Q}/counts_by_destination", 200, query={"destination": "gallery"})

        # The real graphs of the recorded GUI runs execute too, and their items validate.
        for path in sorted(glob.glob(os.path.join(SHARED, "fixtures", "queue-items", "*.json"))):
            recorded = json.load(open(path))
            r = check(base, "POST", f"{Q}/enqueue_batch", 200, body=batch(1, graph=recorded["session"]["graph"]))
            item = wait_done(base, r["item_ids"][0]) if r else None
            if not item or item.get("status") != "completed":
                failures.append(f"{os.path.basename(path)} graph: {item and item.get('status')}")
            elif sorted(item["session"]["prepared_source_mapping"].values()) != \
                    sorted(recorded["session"]["prepared_source_mapping"].values()):
                failures.append(f"{os.path.basename(path)}: prepared nodes differ from the recording")
            elif sorted(r["type"] for r in item["session"]["results"].values()) != \
                    sorted(r["type"] for r in recorded["session"]["results"].values()):
                failures.append(f"{os.path.basename(path)}: result types differ from the recording")

        # A failing node (injected) and a retry of it.
        failing = {"id": "g2", "nodes": {"blur": {"id": "blur", "type": "img_blur", "radius": 3}}, "edges": []}
        r = check(base, "POST", f"{Q}/enqueue_batch", 200, body=batch(1, graph=failing))
        if r:
            item = wait_done(base, r["item_ids"][0])
            if not item or item.get("status") != "failed" or "error_type" not in item:
                failures.append(f"injected failure: {item}")
            check(base, "PUT", f"{Q}/retry_items_by_id", 200, body=r["item_ids"])

        # Pending items to cancel and delete: pause the processor first.
        check(base, "PUT", f"{Q}/processor/pause", 200)
        r = check(base, "POST", f"{Q}/enqueue_batch", 200, body={"prepend": True, "batch": batch(4)["batch"]})
        ids = r["item_ids"] if r else [0, 0, 0, 0]
        check(base, "PUT", f"{Q}/i/{ids[0]}/cancel", 200)
        check(base, "PUT", f"{Q}/cancel_by_batch_ids", 200, body={"batch_ids": [r["batch"]["batch_id"] if r else "x"]})
        check(base, "PUT", f"{Q}/cancel_by_destination", 200, query={"destination": "nowhere"})
        check(base, "PUT", f"{Q}/cancel_all_except_current", 200)
        check(base, "DELETE", f"{Q}/i/{ids[1]}", 200)
        check(base, "PUT", f"{Q}/delete_all_except_current", 200)
        check(base, "DELETE", f"{Q}/d/canvas", 200)
        check(base, "PUT", f"{Q}/processor/resume", 200)
        check(base, "PUT", f"{Q}/prune", 200)
        check(base, "PUT", f"{Q}/clear", 200)

        # Errors: unknown items, bad ids, invalid batches, missing parameters.
        # The document declares no 404 for these, but the server raises one (spec §4.3).
        nf = check(base, "GET", f"{Q}/i/424242", 404, schema=DETAIL)
        if nf != {"detail": "Queue item with id 424242 not found in queue default"}:
            failures.append(f"404 body {nf}")
        check(base, "GET", f"{Q}/i/abc", 422)
        check(base, "PUT", f"{Q}/i/424242/cancel", 404, schema=DETAIL)
        check(base, "DELETE", f"{Q}/i/424242", 404, schema=DETAIL)
        check(base, "GET", f"{Q}/counts_by_destination", 422)
        check(base, "GET", f"{Q}/item_ids", 422, query={"order_dir": "sideways"})
        check(base, "POST", f"{Q}/items_by_ids", 422, body={})
        check(base, "PUT", f"{Q}/retry_items_by_id", 422, body={"x": 1})
        check(base, "PUT", f"{Q}/cancel_by_batch_ids", 422, body={"batch_ids": "x"})
        check(base, "POST", f"{Q}/enqueue_batch", 422, body={"batch": {"runs": 1}})
        check(base, "POST", f"{Q}/enqueue_batch", 422, raw_body=b"{broken")
        check(base, "POST", f"{Q}/enqueue_batch", 422, body=batch(0))
        bad = json.loads(json.dumps(GRAPH))
        bad["edges"].append({"source": {"node_id": "ghost", "field": "x"}, "destination": {"node_id": "out", "field": "y"}})
        check(base, "POST", f"{Q}/enqueue_batch", 422, body=batch(1, graph=bad))
        check(base, "POST", f"{Q}/enqueue_batch", 422,
              body=batch(1, [[{"node_path": "prompt", "field_name": "value", "items": ["a", "b"]},
                              {"node_path": "noise", "field_name": "seed", "items": [1]}]]))
        check(base, "POST", f"{Q}/enqueue_batch", 422,
              body=batch(1, [[{"node_path": "ghost", "field_name": "value", "items": ["a"]}]]))

        # Dynamic prompts.
        d = check(base, "POST", "/api/v1/utilities/dynamicprompts", 200,
                  body={"prompt": "a {red|blue} car", "max_prompts": 1000, "combinatorial": True, "seed": None})
        if d and d != {"prompts": ["a red car", "a blue car"], "error": None}:
            failures.append(f"dynamicprompts: {d}")
        check(base, "POST", "/api/v1/utilities/dynamicprompts", 200,
              body={"prompt": "{a|b}", "max_prompts": 3, "combinatorial": False, "seed": 1})
        check(base, "POST", "/api/v1/utilities/dynamicprompts", 200, body={"prompt": "a {broken"})
        check(base, "POST", "/api/v1/utilities/dynamicprompts", 422, body={"prompt": "x", "max_prompts": 0})
        check(base, "POST", "/api/v1/utilities/dynamicprompts", 422, body={})
    finally:
        stop(proc)

    # Given the server's own document (--openapi), the checks that need node schemas answer with the
    # same HTTPValidationError shape.
    proc, base = start(["--step-ms", "0", "--openapi", os.path.join(SHARED, "invokeai", "openapi-v6.8.json")])
    try:
        check(base, "POST", f"{Q}/enqueue_batch", 200, body=batch(1))
        bad = json.loads(json.dumps(GRAPH))
        bad["nodes"]["noise"]["width"] = 65
        bad["nodes"]["denoise"]["scheduler"] = "fastest"
        r = check(base, "POST", f"{Q}/enqueue_batch", 422, body=batch(1, graph=bad))
        if r and sorted(item["type"] for item in r["detail"]) != ["literal_error", "multiple_of"]:
            failures.append(f"schema checks: {r}")
        bad = json.loads(json.dumps(GRAPH))
        bad["nodes"]["prompt"]["type"] = "frobnicate"
        r = check(base, "POST", f"{Q}/enqueue_batch", 422, body=batch(1, graph=bad))
        if r and r["detail"][0]["type"] != "union_tag_invalid":
            failures.append(f"unknown node type: {r}")
        check(base, "POST", f"{Q}/enqueue_batch", 422,
              body=batch(1, [[{"node_path": "noise", "field_name": "colour", "items": [1]}]]))
    finally:
        stop(proc)
    finish(min_checked=50)


main()
