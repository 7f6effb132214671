"""The HTTP proxy between a provider and LocalStack, on loopback, for the
tests (tests/it/faults.rs) and the bench (bench/run.py, bench/quota.py). Every
call is named by its AWS service and operation, as LocalStack's request log
names it, and goes through the policies in order; the first that returns an
action decides it:

    forward       (no policy objects) send it to LocalStack, relay the answer
    quota         answer 429 TooManyRequestsException as the service does when
                  one of its rate quotas is used up (Quotas)
    throttle      answer 429 TooManyRequestsException
    conflict      answer 409 ConflictException (Lambda: ResourceConflictException)
    precondition  answer 412 PreconditionFailedException (Lambda only)
    error         answer 503 ServiceUnavailableException
    reset         tear the connection down (RST) without forwarding
    drop          forward it, then tear the connection down instead of answering:
                  the write happened, the caller never hears of it
    policy_limit  answer 400 PolicyLengthExceededException (PolicyLimit)
    refused       answer 409 ConflictException where AWS refuses a write that
                  LocalStack lets through (AwsRefusals)

Every call is counted, whatever was decided. The policies, in order:

    Quotas        --quotas aws: AWS's rate quotas for API Gateway's and Lambda's
                  management calls, a token bucket each (off by default)
    RandomFaults  --throttle P ... --drop P: each call of the --faulty services
                  (API Gateway and Lambda) gets a fault with its probability
                  (all 0 by default)
    PolicyLimit   --policy-limit BYTES: an AddPermission that would take the
                  function's resource-based policy past BYTES (off by default)
    AwsRefusals   --refusals aws: API Gateway's refusals to put a method, a
                  method response or a second default integration response
                  over one there (off by default)

A policy is an object called with a Call that returns None or (action, answer),
answer being (status, headers, body) or None where the action makes none, and
told by done(call) that the call was answered.

    python3 fault_proxy.py --upstream URL [--quotas aws] [--policy-limit BYTES] [--refusals aws]
                           [--faulty apigateway,lambda] [--throttle P] [--conflict P]
                           [--precondition P] [--error P] [--reset P]
                           [--drop P] [--delay-ms MS] [--seed N] --stats FILE

Prints its own URL on the first line of stdout. FILE is replaced (atomically)
after every call and before the caller gets its answer, with JSON:
    requests, forwarded, quota, throttle, conflict, error, reset, drop,
    policy_limit, refused, delayed                  totals
    calls    {"service:Operation": count}           every call received
    errors   {"service:Operation status": count}    answered >= 400, or "reset"
             (with --quotas, the "... 429" ones are the quota's throttles)
"""

import argparse
import http.client
import http.server
import json
import math
import os
import random
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse

FAULTS = ("throttle", "conflict", "precondition", "error", "reset", "drop")
# fault -> service -> (status, code, message), as each service answers it; a fault a service
# never answers (precondition: API Gateway) lets its calls through.
_BOTH = ("apigateway", "lambda")
ANSWERS = {
    "throttle": dict.fromkeys(_BOTH, (429, "TooManyRequestsException", "Too Many Requests")),
    "conflict": {
        "apigateway": (409, "ConflictException",
                       "Unable to complete operation due to concurrent modification. Please try again later."),
        # Lambda serialises changes to a function and its policy.
        "lambda": (409, "ResourceConflictException",
                   "The operation cannot be performed at this time. An update is in progress for resource: "
                   "the function's policy"),
    },
    "precondition": {
        "lambda": (412, "PreconditionFailedException",
                   "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias "
                   "API to retrieve the latest Revision Id"),
    },
    "error": dict.fromkeys(_BOTH, (503, "ServiceUnavailableException", "Service Unavailable")),
}
HOP_BY_HOP = {"connection", "keep-alive", "te", "trailers", "transfer-encoding", "upgrade", "content-length"}

# REST-JSON operations by method and path shape (ids as {}; "?mode=" where the
# query names the operation); a segment after one of COLLECTIONS is an id.
# Query (STS) and JSON protocols name themselves.
COLLECTIONS = {"restapis", "resources", "methods", "responses", "functions", "policy", "apikeys", "domainnames",
               "usageplans", "requestvalidators", "models"}
_M = "/restapis/{}/resources/{}/methods/{}"
OPERATIONS = {
    ("GET", "/restapis"): "GetRestApis",
    ("POST", "/restapis"): "CreateRestApi",
    ("POST", "/restapis?mode=import"): "ImportRestApi",
    ("GET", "/restapis/{}"): "GetRestApi",
    ("PUT", "/restapis/{}"): "PutRestApi",
    ("DELETE", "/restapis/{}"): "DeleteRestApi",
    ("GET", "/restapis/{}/resources"): "GetResources",
    ("GET", "/restapis/{}/resources/{}"): "GetResource",
    ("POST", "/restapis/{}/resources/{}"): "CreateResource",
    ("DELETE", "/restapis/{}/resources/{}"): "DeleteResource",
    ("POST", "/restapis/{}/deployments"): "CreateDeployment",
    ("POST", "/restapis/{}/documentation/versions"): "CreateDocumentationVersion",
    ("PUT", "/restapis/{}/documentation/parts"): "ImportDocumentationParts",
    ("POST", "/apikeys"): "CreateApiKey",
    ("DELETE", "/apikeys/{}"): "DeleteApiKey",
    ("POST", "/domainnames"): "CreateDomainName",
    ("PATCH", "/domainnames/{}"): "UpdateDomainName",
    ("DELETE", "/domainnames/{}"): "DeleteDomainName",
    ("PATCH", "/account"): "UpdateAccount",
    ("PATCH", "/usageplans/{}"): "UpdateUsagePlan",
    ("GET", "/restapis/{}/requestvalidators"): "GetRequestValidators",
    ("POST", "/restapis/{}/requestvalidators"): "CreateRequestValidator",
    ("DELETE", "/restapis/{}/requestvalidators/{}"): "DeleteRequestValidator",
    ("GET", "/restapis/{}/models"): "GetModels",
    ("POST", "/restapis/{}/models"): "CreateModel",
    ("GET", "/restapis/{}/models/{}"): "GetModel",
    ("PATCH", "/restapis/{}/models/{}"): "UpdateModel",
    ("DELETE", "/restapis/{}/models/{}"): "DeleteModel",
    ("POST", "/2015-03-31/functions/{}/policy"): "AddPermission",
    ("GET", "/2015-03-31/functions/{}/policy"): "GetPolicy",
    ("DELETE", "/2015-03-31/functions/{}/policy/{}"): "RemovePermission",
    ("GET", "/2015-03-31/functions"): "ListFunctions",
    ("GET", "/2015-03-31/functions/{}"): "GetFunction",
    ("GET", "/2015-03-31/functions/{}/configuration"): "GetFunctionConfiguration",
    ("POST", "/2015-03-31/functions/{}/invocations"): "Invoke",
    ("GET", "/2019-09-25/functions/{}/event-invoke-config"): "GetFunctionEventInvokeConfig",
    **{(method, path): verb + noun
       for noun, path in (("Method", _M), ("Integration", _M + "/integration"),
                          ("MethodResponse", _M + "/responses/{}"),
                          ("IntegrationResponse", _M + "/integration/responses/{}"))
       for method, verb in (("GET", "Get"), ("PUT", "Put"), ("PATCH", "Update"), ("DELETE", "Delete"))},
}
SCOPE = re.compile(r"Credential=[^/,]+/\d{8}/[^/,]+/([^/,]+)/aws4_request")

# --quotas aws: (requests a second, burst) of every quota; a call needs a token from its
# service's bucket and from its operation's, where it has one.
# API Gateway, "API Gateway quotas for creating, deploying and managing an API": "Total
# operations" 10 a second with a burst of 40, and the REST API actions' own lower quotas ("1
# request every 5 seconds" is a bucket of 1 filling at 0.2 a second). CreateRestApi and
# ImportRestApi have the Regional/private figure; edge-optimized ones get 1 every 30 s.
# https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
# Lambda, "Lambda API requests": the control plane 15 a second, excluding invocations,
# GetFunction (100 a second) and GetPolicy (15 a second); no burst is documented, so a second's
# worth. https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
AWS_QUOTAS = {
    "apigateway": (10, 40),
    "apigateway:CreateApiKey": (5, 5),
    "apigateway:CreateDeployment": (1 / 5, 1),
    "apigateway:CreateDocumentationVersion": (1 / 20, 1),
    "apigateway:CreateDomainName": (1 / 30, 1),
    "apigateway:CreateResource": (5, 5),
    "apigateway:CreateRestApi": (1 / 3, 1),
    "apigateway:DeleteApiKey": (5, 5),
    "apigateway:DeleteDomainName": (1 / 30, 1),
    "apigateway:DeleteResource": (5, 5),
    "apigateway:DeleteRestApi": (1 / 30, 1),
    "apigateway:GetResources": (5 / 2, 5),
    "apigateway:ImportDocumentationParts": (1 / 30, 1),
    "apigateway:ImportRestApi": (1 / 3, 1),
    "apigateway:PutRestApi": (1, 1),
    "apigateway:UpdateAccount": (1 / 20, 1),
    "apigateway:UpdateDomainName": (1 / 30, 1),
    "apigateway:UpdateUsagePlan": (1 / 20, 1),
    "lambda": (15, 15),
    "lambda:GetFunction": (100, 100),
    "lambda:GetPolicy": (15, 15),
}
OUTSIDE_SERVICE_QUOTA = {"lambda:Invoke", "lambda:GetFunction", "lambda:GetPolicy"}


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
        url = urllib.parse.urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        shape = "/" + "/".join("{}" if i and parts[i - 1] in COLLECTIONS else p for i, p in enumerate(parts))
        mode = urllib.parse.parse_qs(url.query).get("mode")
        return (mode and OPERATIONS.get((self.method, f"{shape}?mode={mode[0]}"))
                or OPERATIONS.get((self.method, shape), f"{self.method} {shape}"))

    @property
    def key(self):
        return f"{self.service}:{self.operation}"


def refusal(status, error_type, body, *headers):
    """An answer made here, (status, headers, body), shaped as the REST-JSON services send errors."""
    return status, [("x-amzn-ErrorType", error_type), ("x-amzn-RequestId", f"proxy-{time.time_ns()}"),
                    ("Content-Type", "application/json"), *headers], json.dumps(body).encode()


class Policy:
    """Decides calls (the module docstring says how); done() is for policies that follow calls
    in flight."""

    def done(self, call):
        pass


class TokenBucket:
    """`rate` tokens a second up to `burst`, full at the start."""

    def __init__(self, rate, burst):
        self.rate, self.burst, self.tokens, self.filled_at = rate, burst, burst, time.monotonic()

    def level(self, now):
        self.tokens = min(self.burst, self.tokens + (now - self.filled_at) * self.rate)
        self.filled_at = now
        return self.tokens


class Quotas(Policy):
    """--quotas aws (AWS_QUOTAS): a call takes a token from every bucket that covers it or, when
    one is empty, none, and is throttled as the service throttles; STS is not limited."""

    def __init__(self, args):
        self.buckets = {key: TokenBucket(*quota) for key, quota in AWS_QUOTAS.items()} if args.quotas else {}

    def __call__(self, call):
        keys = [call.key] if call.key in OUTSIDE_SERVICE_QUOTA else [call.service, call.key]
        buckets, now = [self.buckets[k] for k in keys if k in self.buckets], time.monotonic()
        empty = [b for b in buckets if b.level(now) < 1]
        if not empty:
            for bucket in buckets:
                bucket.tokens -= 1
            return None
        if call.service == "lambda":
            retry_after = math.ceil(max((1 - b.tokens) / b.rate for b in empty))
            return "quota", refusal(429, "TooManyRequestsException",
                                    {"Type": "User", "message": "Rate exceeded", "Reason": "CallerRateLimitExceeded"},
                                    ("Retry-After", str(retry_after)))
        return "quota", refusal(429, "TooManyRequestsException", {"message": "Too Many Requests"})


class Upstream:
    """GETs from LocalStack on a kept-alive connection of its own, signed as `call` was (LocalStack
    checks no signature, but takes the account and region from it)."""

    def __init__(self, url):
        self.url, self.conn = urllib.parse.urlsplit(url), None

    def get(self, path, call):
        headers = {k: call.headers[k] for k in ("Authorization", "X-Amz-Date") if k in call.headers}
        for attempt in (1, 2):  # LocalStack may have closed the kept-alive connection: once more
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=30)
            try:
                self.conn.request("GET", path, headers=headers)
                response = self.conn.getresponse()
                return response.status, json.loads(response.read() or b"{}")
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
        return 502, {}


class PolicyLimit(Policy):
    """--policy-limit BYTES: refuses an AddPermission after which the function's resource-based
    policy would be longer than BYTES, as Lambda does past 20,480 ("Function resource-based
    policy: 20 KB", https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html);
    LocalStack has no limit. The length is that of the policy LocalStack holds with the
    AddPermissions let through and not yet answered and the new statement, serialised compactly
    as Lambda stores it."""

    def __init__(self, args):
        self.limit, self.upstream = args.policy_limit, Upstream(args.upstream)
        self.in_flight = {}  # Call -> (its policy's URL, its statement)

    def __call__(self, call):
        if not self.limit or call.key != "lambda:AddPermission":
            return None
        url = urllib.parse.urlsplit(call.path)  # AddPermission's URL is GetPolicy's, POSTed
        status, answer = self.upstream.get(call.path, call)
        policy = json.loads(answer["Policy"]) if status == 200 else {"Version": "2012-10-17", "Id": "default",
                                                                     "Statement": []}
        if policy["Statement"]:
            resource = policy["Statement"][0]["Resource"]
        else:
            query = f"?{url.query}" if url.query else ""
            status, function = self.upstream.get(url.path.removesuffix("/policy") + "/configuration" + query, call)
            resource = function.get("FunctionArn") if status == 200 else None
        request = json.loads(call.body or b"{}")
        sids = {s.get("Sid") for s in policy["Statement"]}
        if resource is None or request.get("StatementId") in sids:
            return None  # LocalStack answers as Lambda does: no such function, or a duplicate id
        policy["Statement"] += [s for other, (path, s) in self.in_flight.items() if path == call.path
                                and s["Sid"] not in sids]
        added = statement(request, resource)
        policy["Statement"].append(added)
        size = len(json.dumps(policy, separators=(",", ":")).encode())
        if size <= self.limit:
            self.in_flight[call] = (call.path, added)
            return None
        return "policy_limit", refusal(400, "PolicyLengthExceededException", {
            "Type": "User", "message": f"The final policy size ({size}) is bigger than the limit ({self.limit})."})

    def done(self, call):
        self.in_flight.pop(call, None)



def statement(request, resource):
    """The statement Lambda stores for an AddPermission request."""
    principal = request.get("Principal", "")
    out = {"Sid": request.get("StatementId"), "Effect": "Allow",
           "Principal": {"Service": principal} if principal.endswith(".amazonaws.com")
           else {"AWS": f"arn:aws:iam::{principal}:root"} if re.fullmatch(r"\d{12}", principal)
           else principal if principal == "*" else {"AWS": principal},
           "Action": request.get("Action"), "Resource": resource}
    condition = {}
    for field, operator, key in (("FunctionUrlAuthType", "StringEquals", "lambda:FunctionUrlAuthType"),
                                 ("PrincipalOrgID", "StringEquals", "aws:PrincipalOrgID"),
                                 ("SourceAccount", "StringEquals", "AWS:SourceAccount"),
                                 ("EventSourceToken", "StringEquals", "lambda:EventSourceToken"),
                                 ("SourceArn", "ArnLike", "AWS:SourceArn")):
        if request.get(field):
            condition.setdefault(operator, {})[key] = request[field]
    if condition:
        out["Condition"] = condition
    return out


class AwsRefusals(Policy):
    """--refusals aws: API Gateway's ConflictException for a put over what is there, which
    LocalStack 4.13.1 overwrites silently instead, judged from what LocalStack holds:
      PutMethod on a method there: "Method already exists for this resource" (aws/aws-cli#3992);
      PutMethodResponse on a status code the method declares: "Response already exists for this
        resource" (what AWS answers; hashicorp/aws changes method responses with
        UpdateMethodResponse);
      PutIntegrationResponse without a selection pattern while another status code has the one
        without: "Integration response with selection pattern default already exists"
        (hashicorp/terraform#5893: a method has one default response)."""

    def __init__(self, args):
        self.on, self.upstream = args.refusals == "aws", Upstream(args.upstream)

    def __call__(self, call):
        if not self.on or call.service != "apigateway":
            return None
        path = urllib.parse.urlsplit(call.path).path
        if call.operation in ("PutMethod", "PutMethodResponse"):
            status, _ = self.upstream.get(path, call)
            what = "Method" if call.operation == "PutMethod" else "Response"
            return status == 200 and self.refused(f"{what} already exists for this resource")
        if call.operation == "PutIntegrationResponse":
            if json.loads(call.body or b"{}").get("selectionPattern"):
                return None
            integration, code = path.rsplit("/responses/", 1)
            status, answer = self.upstream.get(integration, call)
            defaults = [c for c, r in (answer.get("integrationResponses") or {}).items()
                        if not r.get("selectionPattern")]
            if status == 200 and any(c != code for c in defaults):
                return self.refused("Integration response with selection pattern default already exists")
        return None

    @staticmethod
    def refused(message):
        return "refused", refusal(409, "ConflictException", {"message": message})


class RandomFaults(Policy):
    """Each call of the --faulty services (API Gateway and Lambda) gets fault F with probability --F."""

    def __init__(self, args):
        self.random = random.Random(args.seed)
        self.services = args.faulty.split(",")
        self.chances = [(fault, getattr(args, fault)) for fault in FAULTS]

    def __call__(self, call):
        if call.service not in self.services:
            return None
        roll = self.random.random()
        for fault, chance in self.chances:
            if roll < chance:
                if fault not in ANSWERS:
                    return fault, None
                answer = ANSWERS[fault].get(call.service)
                return answer and (fault, refusal(*answer[:2], {"message": answer[2]}))
            roll -= chance
        return None


# Quotas first, as AWS throttles before it looks at a request; PolicyLimit and AwsRefusals
# before RandomFaults, so that a dropped call (forwarded) was checked too.
POLICIES = (Quotas, PolicyLimit, AwsRefusals, RandomFaults)


class Proxy:
    """Policies, counts and the stats file; every method runs under one lock."""

    def __init__(self, args):
        self.args = args
        self.policies = [policy(args) for policy in POLICIES]
        self.lock = threading.Lock()
        self.stats = dict.fromkeys(
            ("requests", "forwarded", "quota", *FAULTS, "policy_limit", "refused", "delayed"), 0)
        self.stats.update(calls={}, errors={})
        self.save()

    def decide(self, call):
        """(action, answer): the first policy's decision, else ("forward", None)."""
        with self.lock:
            self.stats["requests"] += 1
            for policy in self.policies:
                decision = policy(call)
                if decision:
                    self.stats[decision[0]] += 1
                    return decision
            return "forward", None

    def record(self, call, action, status):
        """Counts the call's outcome and saves, before the caller sees it."""
        with self.lock:
            for policy in self.policies:
                policy.done(call)
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
            action, answer = proxy.decide(call)
            if action == "reset":
                proxy.record(call, action, 0)
                return self.reset()
            if answer:
                status, headers, payload = answer
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
    parser.add_argument("--quotas", choices=("aws",))
    parser.add_argument("--policy-limit", type=int, default=0, metavar="BYTES")
    parser.add_argument("--refusals", choices=("aws",))
    for fault in FAULTS:
        parser.add_argument(f"--{fault}", type=float, default=0.0)
    parser.add_argument("--faulty", default="apigateway,lambda", help="the services RandomFaults applies to")
    parser.add_argument("--delay-ms", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stats", required=True)
    proxy = Proxy(parser.parse_args())
    server = Server(("127.0.0.1", 0), make_handler(proxy))
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
