"""A fault-injecting HTTP proxy for tests: sits on loopback between the
provider and LocalStack and, for API Gateway and Lambda calls, answers some
with throttling, conflicts or server errors, resets connections, delays them,
or forwards a call and then drops the answer (the write happened, the caller
never hears of it). Other calls (STS) pass through untouched.

    python3 fault_proxy.py --upstream URL [--throttle P] [--conflict P] [--error P]
                           [--reset P] [--drop P] [--delay-ms MS] [--seed N] --stats FILE

Prints its own URL on the first line of stdout. Counts go to FILE as JSON
after every request.
"""

import argparse
import http.client
import http.server
import json
import random
import socket
import struct
import sys
import threading
import time
import urllib.parse

FAULTED_PREFIXES = ("/restapis", "/2015-03-31/functions")


class Faults:
    def __init__(self, args):
        self.args = args
        self.random = random.Random(args.seed)
        self.lock = threading.Lock()
        self.stats = {"requests": 0, "forwarded": 0, "throttle": 0, "conflict": 0, "error": 0,
                      "reset": 0, "drop": 0, "delayed": 0}

    def pick(self, path):
        """The fault for one request, or None to forward it."""
        with self.lock:
            self.stats["requests"] += 1
            if not path.startswith(FAULTED_PREFIXES):
                return None
            roll = self.random.random()
            for fault in ("throttle", "conflict", "error", "reset", "drop"):
                chance = getattr(self.args, fault)
                if roll < chance:
                    self.stats[fault] += 1
                    return fault
                roll -= chance
            return None

    def count(self, key):
        with self.lock:
            self.stats[key] += 1

    def save(self):
        with self.lock, open(self.args.stats, "w") as out:
            json.dump(self.stats, out)


def make_handler(faults, upstream):
    target = urllib.parse.urlsplit(upstream)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_any(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            fault = faults.pick(self.path)
            try:
                self.handle_fault(fault, body)
            finally:
                faults.save()

        def handle_fault(self, fault, body):
            if fault == "throttle":
                self.answer(429, "TooManyRequestsException", "Too Many Requests")
            elif fault == "conflict":
                self.answer(409, "ConflictException",
                            "Unable to complete operation due to concurrent modification. Please try again later.")
            elif fault == "error":
                self.answer(503, "ServiceUnavailableException", "Service Unavailable")
            elif fault == "reset":
                self.reset()
            else:
                if faults.args.delay_ms:
                    time.sleep(faults.args.delay_ms / 1000)
                    faults.count("delayed")
                status, headers, payload = self.forward(body)
                if fault == "drop":
                    self.reset()
                else:
                    self.send_response(status)
                    for name, value in headers:
                        if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                            self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    faults.count("forwarded")

        def forward(self, body):
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
            conn.request(self.command, self.path, body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            conn.close()
            return response.status, response.getheaders(), payload

        def answer(self, status, code, message):
            payload = json.dumps({"message": message}).encode()
            self.send_response(status)
            self.send_header("x-amzn-ErrorType", code)
            self.send_header("x-amzn-RequestId", f"fault-{time.time_ns()}")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def reset(self):
            # RST instead of FIN: the client sees the connection torn down.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_any

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    for fault in ("throttle", "conflict", "error", "reset", "drop"):
        parser.add_argument(f"--{fault}", type=float, default=0.0)
    parser.add_argument("--delay-ms", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stats", required=True)
    args = parser.parse_args()
    faults = Faults(args)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(faults, args.upstream))
    server.daemon_threads = True
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
