"""The worker behind the HTTP API's routes. It receives the payload format 2.0
event API Gateway gave the route, as a Lambda proxy integration would have
passed it (the dispatcher only removes its own x-async-lambda-route header),
after the client already has its answer."""

import base64
import json
import os
import time


def handler(event, context):
    body = event.get("body") or ""
    raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode("utf-8")
    request_id = event["requestContext"]["requestId"]
    time.sleep(float(os.environ.get("WORK_SECONDS", "0")))
    source = (event.get("pathParameters") or {}).get("source")
    print(
        json.dumps(
            {
                "requestId": request_id,
                "routeKey": event.get("routeKey"),
                "source": source,
                "bodyBytes": len(raw),
            }
        )
    )
    # The tests collect events here; on AWS, read them in CloudWatch Logs.
    log_dir = os.environ.get("EVENT_LOG_DIR")
    if log_dir:
        # Written whole, then renamed: a reader never sees half a file.
        path = os.path.join(log_dir, f"{request_id}.json")
        with open(path + ".tmp", "w") as out:
            json.dump({"finishedAt": time.time(), "event": event}, out)
        os.replace(path + ".tmp", path)
    return {"ok": True}
