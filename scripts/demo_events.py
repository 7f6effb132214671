"""Waits for COUNT event files in DIR (up to TIMEOUT seconds) and prints each
event the worker received, with its base64 body decoded and when the worker
finished, counted from SENT_AT (epoch seconds) when the requests went out.

--brief prints the method, path, resource, path parameters and body alone;
--log names the LocalStack log to look at when events are missing. Exits 1
unless COUNT events arrived."""

import argparse
import base64
import json
import os
import sys
import time


def events(directory: str) -> list:
    """The complete event files (the worker writes NAME.json.tmp, then renames)."""
    return [f for f in os.listdir(directory) if f.endswith(".json")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory")
    parser.add_argument("count", type=int)
    parser.add_argument("timeout", type=float)
    parser.add_argument("sent_at", type=float)
    parser.add_argument("--brief", action="store_true")
    parser.add_argument("--log", default="LocalStack's log")
    args = parser.parse_args()

    deadline = time.time() + args.timeout
    while time.time() < deadline and len(events(args.directory)) < args.count:
        time.sleep(0.2)
    files = sorted(events(args.directory), key=lambda f: os.path.getmtime(os.path.join(args.directory, f)))
    for name in files:
        with open(os.path.join(args.directory, name)) as handle:
            record = json.load(handle)
        event = record["event"]
        body = base64.b64decode(event["body"]).decode("utf-8", "replace")
        finished = record["finishedAt"] - args.sent_at
        print(f"\n    event {event['requestContext']['requestId']} ({event['httpMethod']} {event['path']}),")
        print(f"      worker finished {finished:.1f} s after the request was sent (and answered):")
        print(f"      Content-Type: {event['headers'].get('Content-Type') or event['headers'].get('content-type')}")
        print(f"      body (decoded from base64): {body}")
        if args.brief:
            print(f"      resource: {event['resource']}   pathParameters: {json.dumps(event.get('pathParameters'))}")
            continue
        shown = {k: v for k, v in event.items() if k not in ("body", "multiValueHeaders")}
        for line in json.dumps(shown, indent=2, ensure_ascii=False).splitlines():
            print(f"      {line}")
    if len(files) < args.count:
        print(f"\n    {len(files)} of {args.count} events arrived within {args.timeout:.0f} s; see {args.log}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
