"""The HTTP proxy between a provider and LocalStack, on loopback, for the
tests (tests/faults.rs) and the bench (bench/run.py). Every call is named by
its AWS service and operation, as LocalStack's request log names it, and goes
through the policies in order; the first that returns an action decides it:

    forward    (no policy objects) send it to LocalStack, relay the answer
    throttle   answer 429 TooManyRequestsException
    conflict   answer 409 ConflictException
    error      answer 503 ServiceUnavailableException
    reset      tear the connection down (RST) without forwarding
    drop       forward it, then tear the connection down instead of answering:
               the write happened, the caller never hears of it

Every call is counted, whatever was decided. The one policy today is
RandomFaults (the options below, for API Gateway and Lambda calls only); a
policy is any callable taking a Call and returning an action or None, so
quotas (a token bucket per AWS quota, answering "throttle" when empty) are one
more class in POLICIES.

    python3 fault_proxy.py --upstream URL [--throttle P] [--conflict P] [--error P]
                           [--reset P] [--drop P] [--delay-ms MS] [--seed N] --stats FILE

Prints its own URL on the first line of stdout. FILE is replaced (atomically)
after every call and before the caller gets its answer, with JSON:
    requests, forwarded, throttle, conflict, error, reset, drop, delayed   totals
    calls    {"service:Operation": count}           every call received
    errors   {"service:Operation status": count}    answered >= 400, or "reset"
"""

import argparse
import http.client
import http.server
import json
import os
import random
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse

FAULTS = ("throttle", "conflict", "error", "reset", "drop")
ANSWERS = {
    "throttle": (429, "TooManyRequestsException", "Too Many Requests"),
    "conflict": (409, "ConflictException",
                 "Unable to complete operation due to concurrent modification. Please try again later."),
    "error": (503, "ServiceUnavailableException", "Service Unavailable"),
}
HOP_BY_HOP = {"connection", "keep-alive", "te", "trailers", "transfer-encoding", "upgrade", "content-length"}

# REST-JSON operations by method and path shape (ids as {}); a segment after
# one of COLLECTIONS is an id. Query (STS) and JSON protocols name themselves.
COLLECTIONS = {"restapis", "resources", "methods", "responses", "functions", "policy"}
_M = "/restapis/{}/resources/{}/methods/{}"
OPERATIONS = {
    ("GET", "/restapis"): "GetRestApis",
    ("GET", "/restapis/{}"): "GetRestApi",
    ("GET", "/restapis/{}/resources"): "GetResources",
    ("GET", "/restapis/{}/resources/{}"): "GetResource",
    ("POST", "/2015-03-31/functions/{}/policy"): "AddPermission",
    ("GET", "/2015-03-31/functions/{}/policy"): "GetPolicy",
    ("DELETE", "/2015-03-31/functions/{}/policy/{}"): "RemovePermission",
    ("GET", "/2015-03-31/functions/{}"): "GetFunction",
    ("GET", "/2015-03-31/functions/{}/configuration"): "GetFunctionConfiguration",
    **{(method, path): verb + noun
       for noun, path in (("Method", _M), ("Integration", _M + "/integration"),
                          ("MethodResponse", _M + "/responses/{}"),
                          ("IntegrationResponse", _M + "/integration/responses/{}"))
       for method, verb in (("GET", "Get"), ("PUT", "Put"), ("PATCH", "Update"), ("DELETE", "Delete"))},
}
SCOPE = re.compile(r"Credential=[^/,]+/\d{8}/[^/,]+/([^/,]+)/aws4_request")


class Call:
    """One request: what it is and what it carries."""

    def __init__(self, method, path, headers, body):
        self.method, self.path, self.headers, self.body = method, path, headers, body
        scope = SCOPE.search(headers.get("Authorization", ""))
        self.service = scope.group(1) if scope else "unsigned"
        self.operation = self.name()

    def name(self):
        target = self.headers.get("X-Amz-Target")
        if target:
            return target.rsplit(".", 1)[-1]
        if "x-www-form-urlencoded" in self.headers.get("Content-Type", ""):
            action = urllib.parse.parse_qs(self.body.decode(errors="replace")).get("Action")
            if action:
                return action[0]
        parts = urllib.parse.urlsplit(self.path).path.strip("/").split("/")
        shape = "/" + "/".join("{}" if i and parts[i - 1] in COLLECTIONS else p for i, p in enumerate(parts))
        return OPERATIONS.get((self.method, shape), f"{self.method} {shape}")

    @property
    def key(self):
        return f"{self.service}:{self.operation}"


class RandomFaults:
    """Each API Gateway and Lambda call gets fault F with probability --F."""

    SERVICES = ("apigateway", "lambda")

    def __init__(self, args):
        self.random = random.Random(args.seed)
        self.chances = [(fault, getattr(args, fault)) for fault in FAULTS]

    def __call__(self, call):
        if call.service not in self.SERVICES:
            return None
        roll = self.random.random()
        for fault, chance in self.chances:
            if roll < chance:
                return fault
            roll -= chance
        return None


POLICIES = (RandomFaults,)


class Proxy:
    """Policies, counts and the stats file; every method runs under one lock."""

    def __init__(self, args):
        self.args = args
        self.policies = [policy(args) for policy in POLICIES]
        self.lock = threading.Lock()
        self.stats = dict.fromkeys(("requests", "forwarded", *FAULTS, "delayed"), 0)
        self.stats.update(calls={}, errors={})
        self.save()

    def decide(self, call):
        with self.lock:
            self.stats["requests"] += 1
            for policy in self.policies:
                action = policy(call)
                if action:
                    self.stats[action] += 1
                    return action
            return "forward"

    def record(self, call, action, status):
        """Counts the call's outcome and saves, before the caller sees it."""
        with self.lock:
            calls = self.stats["calls"]
            calls[call.key] = calls.get(call.key, 0) + 1
            if action == "forward":
                self.stats["forwarded"] += 1
            if action == "reset" or status >= 400:
                error = f"{call.key} {'reset' if action == 'reset' else status}"
                self.stats["errors"][error] = self.stats["errors"].get(error, 0) + 1
            if action in ("forward", "drop") and self.args.delay_ms:
                self.stats["delayed"] += 1
            self.save()

    def save(self):
        temporary = f"{self.args.stats}.{os.getpid()}.tmp"
        with open(temporary, "w") as out:
            json.dump(self.stats, out)
        os.replace(temporary, self.args.stats)


def make_handler(proxy):
    target = urllib.parse.urlsplit(proxy.args.upstream)
    upstream = threading.local()  # one kept-alive connection to LocalStack per client connection

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_any(self):
            call = Call(self.command, self.path, self.headers, self.read_body())
            action = proxy.decide(call)
            if action == "reset":
                proxy.record(call, action, 0)
                return self.reset()
            if action in ANSWERS:
                status, code, message = ANSWERS[action]
                payload = json.dumps({"message": message}).encode()
                headers = [("x-amzn-ErrorType", code), ("x-amzn-RequestId", f"fault-{time.time_ns()}"),
                           ("Content-Type", "application/json")]
            else:
                if proxy.args.delay_ms:
                    time.sleep(proxy.args.delay_ms / 1000)
                status, headers, payload = self.forward(call)
            proxy.record(call, action, status)
            if action == "drop":
                return self.reset()
            self.send_response(status)
            for name, value in headers:
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        def read_body(self):
            if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0], 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)

        def forward(self, call):
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            if call.body or "Content-Length" in self.headers:
                headers["Content-Length"] = str(len(call.body))
            while True:
                conn = getattr(upstream, "conn", None)
                fresh = conn is None
                if fresh:
                    conn = upstream.conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
                try:
                    conn.request(self.command, self.path, body=call.body, headers=headers)
                    response = conn.getresponse()
                    return response.status, response.getheaders(), response.read()
                except (http.client.HTTPException, OSError):
                    conn.close()
                    upstream.conn = None
                    if fresh:  # else LocalStack may have closed the kept-alive connection: once more
                        return 502, [], b"proxy: upstream failed"

        def reset(self):
            # RST instead of FIN: the client sees the connection torn down.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_any

    return Handler


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # listen()'s backlog, set before the constructor listens: with the default 5, a burst of
    # new connections (Go keeps 2 idle per host) loses SYNs, which come back a second later.
    request_queue_size = 128


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    for fault in FAULTS:
        parser.add_argument(f"--{fault}", type=float, default=0.0)
    parser.add_argument("--delay-ms", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stats", required=True)
    proxy = Proxy(parser.parse_args())
    server = Server(("127.0.0.1", 0), make_handler(proxy))
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
