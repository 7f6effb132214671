"""The AWS calls of a `make bench-routes` command, counted from both sides: by the provider, from
its own DEBUG lines in Terraform's log (every attempt it sent), and by the emulators, from what
they served: LocalStack's request log (calls.RequestLog: Lambda, IAM, STS) and moto's access log
(API Gateway v2). Both are named "service:Operation" as LocalStack names them, so that the two
counts compare; the routes bench has no counting proxy, since it would have to stand in front of
two emulators."""

import re
import time
from pathlib import Path

from .calls import tally

# The provider's service names (its `service=` field) as the emulators name them. The provider
# names API Gateway v2 calls "API Gateway", as v1's (they share AWS's quota); in this bench every
# API Gateway call is an HTTP API's, since routes have no other, and moto's count, which sees
# only /v2/ paths, checks that.
SERVICES = {"API Gateway": "apigatewayv2", "Lambda": "lambda", "IAM": "iam", "STS": "sts"}
# provider/src/aws/retry.rs: one "AWS call succeeded" or "AWS call failed" line per call, and
# before it one "retrying AWS call" line per attempt that failed transiently and was sent again.
OUTCOMES = {"AWS call succeeded": "succeeded", "AWS call failed": "failed", "retrying AWS call": "retried"}
PROVIDER_LINE = re.compile(r"(AWS call succeeded|AWS call failed|retrying AWS call)\b(.*)$")
FIELD = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')


def provider_calls(path):
    """From Terraform's log at `path` (TF_LOG=DEBUG): {"calls": every attempt sent, "failed": the
    calls that failed for good, "retried": the attempts sent again}, each by "service:Operation"."""
    found = {kind: [] for kind in OUTCOMES.values()}
    for line in Path(path).read_text(errors="replace").splitlines():
        match = PROVIDER_LINE.search(line)
        if not match:
            continue
        fields = {k: v.strip('"') for k, v in FIELD.findall(match.group(2))}
        op = f"{SERVICES.get(fields.get('service'), fields.get('service'))}:{fields.get('operation')}"
        found[OUTCOMES[match.group(1)]].append(op)
    return {"calls": tally(op for ops in found.values() for op in ops), "failed": tally(found["failed"]),
            "retried": tally(found["retried"])}


# API Gateway v2's paths (/v2/apis/ID/routes/ID ...): their collections, in the singular the
# operations use, and the verbs of their methods.
NOUNS = {"apis": "Api", "routes": "Route", "integrations": "Integration", "stages": "Stage",
         "deployments": "Deployment", "authorizers": "Authorizer", "models": "Model",
         "routeresponses": "RouteResponse", "integrationresponses": "IntegrationResponse"}
VERBS = {"POST": "Create", "GET": "Get", "PATCH": "Update", "PUT": "Put", "DELETE": "Delete"}


def is_dispatchers(op):
    """Whether a call is the dispatcher's or its role's rather than a route's: IAM (the role and its
    policies) and Lambda's calls on the dispatcher function (create it and wait until it is active,
    read or update its code, its permissions and policy, its aliases, delete it). Lambda's
    GetFunction and GetFunctionEventInvokeConfig read the routes' targets (whether they exist,
    where their failed events go); STS's GetCallerIdentity is the provider's identity."""
    service, operation = op.split(":", 1)
    targets = {"GetFunction", "GetFunctionEventInvokeConfig"}
    return service == "iam" or (service == "lambda" and operation not in targets)


class MotoLog:
    """The API Gateway v2 calls moto served since `mark`: werkzeug's access log lines in moto.log
    (`"POST /v2/apis/ID/routes HTTP/1.1" 201 -`, coloured unless 200), each mapped from its method
    and path to the operation's name."""

    LINE = re.compile(r'"(GET|POST|PUT|PATCH|DELETE) (/v2/[^ ?"]*)\S* HTTP/[0-9.]+" (\d{3})')
    COLOUR = re.compile(r"\x1b\[[0-9;]*m")

    def __init__(self, path):
        self.path, self.offset = Path(path), 0

    def mark(self):
        self.offset = self.path.stat().st_size

    @staticmethod
    def operation(method, path):
        """/v2/apis/ID/routes: POST CreateRoute, GET GetRoutes; /v2/apis/ID/routes/RID: GET
        GetRoute, PATCH UpdateRoute, DELETE DeleteRoute; and so on (the API reference's names)."""
        parts = path.strip("/").split("/")[1:]
        names, ids = parts[0::2], parts[1::2]
        noun = NOUNS.get(names[-1]) if names else None
        if noun is None:
            return f"{method} {path}"
        return f"Get{noun}s" if method == "GET" and len(ids) < len(names) else f"{VERBS[method]}{noun}"

    def counts(self, expected_total, wait_s=5.0):
        """({op: calls}, {"op status": errors}); waits (up to wait_s) for `expected_total` lines."""
        deadline = time.monotonic() + wait_s
        while True:
            with self.path.open("rb") as f:
                f.seek(self.offset)
                text = self.COLOUR.sub("", f.read().decode(errors="replace"))
            lines = [(f"apigatewayv2:{self.operation(m, p)}", s) for m, p, s in self.LINE.findall(text)]
            if len(lines) >= expected_total or time.monotonic() > deadline:
                return tally(op for op, _ in lines), tally(f"{op} {s}" for op, s in lines if not s.startswith("2"))
            time.sleep(0.05)
