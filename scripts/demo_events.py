"""Waits for COUNT event files in DIR (up to TIMEOUT seconds) and prints each
event the worker received, with its base64 body decoded and when the worker
finished, counted from SENT_AT (epoch seconds) when the requests went out."""

import base64
import json
import os
import sys
import time


def main(directory: str, count: int, timeout: float, sent_at: float) -> int:
    deadline = time.time() + timeout
    while time.time() < deadline and len(os.listdir(directory)) < count:
        time.sleep(0.2)
    files = sorted(os.listdir(directory), key=lambda f: os.path.getmtime(os.path.join(directory, f)))
    if not files:
        print("    no event arrived; see .work/demo/localstack/localstack.log")
        return 1
    for name in files:
        with open(os.path.join(directory, name)) as handle:
            record = json.load(handle)
        event = record["event"]
        body = base64.b64decode(event["body"]).decode("utf-8", "replace")
        finished = record["finishedAt"] - sent_at
        print(f"\n    event {event['requestContext']['requestId']} ({event['httpMethod']} {event['path']}),")
        print(f"      worker finished {finished:.1f} s after the request was sent (and answered):")
        print(f"      Content-Type: {event['headers'].get('Content-Type') or event['headers'].get('content-type')}")
        print(f"      body (decoded from base64): {body}")
        shown = {k: v for k, v in event.items() if k not in ("body", "multiValueHeaders")}
        for line in json.dumps(shown, indent=2, ensure_ascii=False).splitlines():
            print(f"      {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])))
