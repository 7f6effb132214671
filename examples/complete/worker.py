"""The worker behind POST /jobs: it receives a Lambda proxy (v1) event whose
body is base64-encoded, long after the client got its 202."""

import base64
import json
import os
import time


def handler(event, context):
    body = base64.b64decode(event["body"]) if event.get("isBase64Encoded") else event.get("body")
    request_id = event["requestContext"]["requestId"]
    time.sleep(float(os.environ.get("WORK_SECONDS", "0")))
    print(json.dumps({"requestId": request_id, "bodyBytes": len(body or b"")}))
    # The demo collects events here; on AWS, read them in CloudWatch Logs.
    log_dir = os.environ.get("EVENT_LOG_DIR")
    if log_dir:
        # Written whole, then renamed: a reader never sees half a file.
        path = os.path.join(log_dir, f"{request_id}.json")
        with open(path + ".tmp", "w") as out:
            json.dump({"finishedAt": time.time(), "event": event}, out)
        os.replace(path + ".tmp", path)
    return {"ok": True}
