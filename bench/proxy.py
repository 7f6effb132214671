#!/usr/bin/env python3
"""A counting HTTP proxy in front of LocalStack, on loopback.

Usage: proxy.py UPSTREAM_URL

Listens on a free 127.0.0.1 port, prints `http://127.0.0.1:PORT` on stdout once
it accepts connections, and forwards every request to UPSTREAM_URL unchanged
(the Host header and the SigV4 signature included; LocalStack does not check
signatures). Each forwarded request is counted under its AWS operation name,
recognised from the signing service (the Authorization header's credential
scope) and the method and path (REST-JSON services) or the Action (query
services) or X-Amz-Target (JSON services). Unknown requests are counted under
"SERVICE METHOD /path/with/{ids}", so nothing goes uncounted.

Control endpoints (not forwarded, not counted):
  GET /__bench/counts          {"calls": {op: n}, "errors": {op: n}, "upstream_s": {op: s}}
  GET /__bench/counts?reset=1  the same, then every counter back to zero
  POST /__bench/quit           stops the proxy

Only the standard library is used. The caller ends it (SIGTERM) when done.
"""

import http.client
import http.server
import json
import re
import sys
import threading
import time
import urllib.parse

# (service, method, path regex) -> operation, first match wins.
_ID = r"[^/]+"
ROUTES = [
    # API Gateway (REST-JSON)
    ("apigateway", "GET", rf"/restapis/{_ID}/resources/{_ID}/methods/{_ID}/integration/responses/{_ID}", "GetIntegrationResponse"),
    ("apigateway", "PUT", rf"/restapis/{_ID}/resources/{_ID}/methods/{_ID}/integration/responses/{_ID}", "PutIntegrationResponse"),
    ("apigateway", "PATCH", rf"/restapis/{_ID}/resources/{_ID}/methods/{_ID}/integration/responses/{_ID}", "UpdateIntegrationResponse"),
    ("apigateway", "DELETE", rf"/restapis/{_ID}/resources/{_ID}/methods/{_ID}/integration/responses/{_ID}", "DeleteIntegrationResponse"),
    ("apigateway", "GET", rf"/restapis/{_ID}/resources/{_ID}/methods/{_ID}/integration", "GetIntegration"),
    ("apigateway", "PUT", rf"/restapis/{_ID}/resources/{_ID}/methods/{_ID}/integration", "PutIntegration"),
    ("apigateway", "PATCH", rf"/restapis/{_ID}/resources/{_ID}/methods/{_ID}/integration", "UpdateIntegration"),
    ("apigateway", "DELETE", rf"/restapis/{_ID}/resources/{_ID}/methods/{_ID}/integration", "DeleteIntegration"),
    ("apigateway", "GET", rf"/restapis/{_ID}/resources/{_ID}/methods/{_ID}/responses/{_ID}", "GetMethodResponse"),
    ("apigateway", "PUT", rf"/restapis/{_ID}/resources/{_ID}/methods/{_ID}/responses/{_ID}", "PutMethodResponse"),
    ("apigateway", "PATCH", rf"/restapis/{_ID}/resources/{_ID}/methods/{_ID}/responses/{_ID}", "UpdateMethodResponse"),
    ("apigateway", "DELETE", rf"/restapis/{_ID}/resources/{_ID}/methods/{_ID}/responses/{_ID}", "DeleteMethodResponse"),
    ("apigateway", "GET", rf"/restapis/{_ID}/resources/{_ID}/methods/{_ID}", "GetMethod"),
    ("apigateway", "PUT", rf"/restapis/{_ID}/resources/{_ID}/methods/{_ID}", "PutMethod"),
    ("apigateway", "PATCH", rf"/restapis/{_ID}/resources/{_ID}/methods/{_ID}", "UpdateMethod"),
    ("apigateway", "DELETE", rf"/restapis/{_ID}/resources/{_ID}/methods/{_ID}", "DeleteMethod"),
    ("apigateway", "GET", rf"/restapis/{_ID}/resources/{_ID}", "GetResource"),
    ("apigateway", "GET", rf"/restapis/{_ID}/resources", "GetResources"),
    ("apigateway", "GET", rf"/restapis/{_ID}", "GetRestApi"),
    ("apigateway", "GET", r"/restapis", "GetRestApis"),
    # Lambda (REST-JSON)
    ("lambda", "POST", rf"/2015-03-31/functions/{_ID}/policy", "AddPermission"),
    ("lambda", "GET", rf"/2015-03-31/functions/{_ID}/policy", "GetPolicy"),
    ("lambda", "DELETE", rf"/2015-03-31/functions/{_ID}/policy/{_ID}", "RemovePermission"),
    ("lambda", "GET", rf"/2015-03-31/functions/{_ID}/configuration", "GetFunctionConfiguration"),
    ("lambda", "GET", rf"/2015-03-31/functions/{_ID}", "GetFunction"),
    ("lambda", "GET", r"/2015-03-31/functions/?", "ListFunctions"),
]
_COMPILED = [(s, m, re.compile(p + r"/?$"), op) for s, m, p, op in ROUTES]
_SCOPE = re.compile(r"Credential=[^/,]+/\d{8}/[^/,]+/([^/,]+)/aws4_request")


def operation(method, path, headers, body):
    """The AWS operation a request is, as "service:Operation"."""
    auth = headers.get("Authorization", "")
    m = _SCOPE.search(auth)
    service = m.group(1) if m else "unsigned"
    target = headers.get("X-Amz-Target")
    if target:
        return f"{service}:{target.rsplit('.', 1)[-1]}"
    raw_path = urllib.parse.urlsplit(path).path
    decoded = urllib.parse.unquote(raw_path)
    for s, meth, rx, op in _COMPILED:
        if s == service and meth == method and (rx.match(raw_path) or rx.match(decoded)):
            return f"{service}:{op}"
    if method == "POST" and body:
        ctype = headers.get("Content-Type", "")
        if "x-www-form-urlencoded" in ctype:
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            if "Action" in form:
                return f"{service}:{form['Action'][0]}"
    # Unknown: method and path with the ids replaced, so it is still counted.
    generic = re.sub(r"/[A-Za-z0-9%:_.-]{6,}", "/{id}", raw_path)
    return f"{service}:{method} {generic}"


HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
    "trailers", "transfer-encoding", "upgrade", "content-length",
}


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.calls, self.errors, self.upstream_s = {}, {}, {}

    def add(self, op, status, seconds):
        with self.lock:
            self.calls[op] = self.calls.get(op, 0) + 1
            if status >= 400:
                key = f"{op} {status}"
                self.errors[key] = self.errors.get(key, 0) + 1
            self.upstream_s[op] = self.upstream_s.get(op, 0.0) + seconds

    def snapshot(self, reset):
        with self.lock:
            out = {"calls": dict(self.calls), "errors": dict(self.errors),
                   "upstream_s": {k: round(v, 4) for k, v in self.upstream_s.items()}}
            if reset:
                self.reset()
            return out


COUNTERS = Counters()
UPSTREAM = None  # (host, port)
_local = threading.local()


def upstream_connection(fresh=False):
    conn = getattr(_local, "conn", None)
    if conn is None or fresh:
        if conn is not None:
            conn.close()
        conn = http.client.HTTPConnection(UPSTREAM[0], UPSTREAM[1], timeout=300)
        _local.conn = conn
    return conn


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _reply(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _control(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/__bench/counts":
            reset = urllib.parse.parse_qs(url.query).get("reset") == ["1"]
            body = json.dumps(COUNTERS.snapshot(reset)).encode()
            self._reply(200, body, [("Content-Type", "application/json")])
        elif url.path == "/__bench/quit":
            self._reply(200, b"bye")
            threading.Thread(target=self.server.shutdown, daemon=True).start()
        else:
            self._reply(404, b"unknown control path")

    def _forward(self):
        if self.path.startswith("/__bench/"):
            return self._control()
        body = self._read_body()
        op = operation(self.command, self.path, self.headers, body)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        if body or self.command in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = str(len(body))
        started = time.perf_counter()
        for attempt in (0, 1):
            conn = upstream_connection(fresh=attempt == 1)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, OSError):
                if attempt == 1:
                    COUNTERS.add(op, 502, time.perf_counter() - started)
                    self._reply(502, b"proxy: upstream failed")
                    return
        COUNTERS.add(op, resp.status, time.perf_counter() - started)
        out = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP]
        self.send_response(resp.status, resp.reason)
        for k, v in out:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _forward


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main(argv):
    global UPSTREAM
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    url = urllib.parse.urlsplit(argv[1])
    UPSTREAM = (url.hostname, url.port or 80)
    server = Server(("127.0.0.1", 0), Handler)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
