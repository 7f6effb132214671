#!/usr/bin/env python3
"""What the benchmarks' endpoints and routes stand on, a look at what they
became, and the dispatcher's latency.

Runs with the LocalStack venv's Python (.tools/localstack/venv/bin/python),
which has boto3. It talks to LocalStack (and, for HTTP APIs, moto) directly,
not through the counting proxy, so none of these calls is counted.

  prepare.py prepare ENDPOINT APIS PER_API FUNCTION
      Creates the function FUNCTION (python3.11, a handler that prints the event)
      and APIS REST APIs with PER_API resources each (/e0, /e1, ...). Prints JSON:
      {"function_name", "function_arn", "account", "region", "localstack" (its version),
       "endpoints": [{"api", "resource", "path"}, ...]}
      (bench/quota.py: 1 API with as many resources as its largest N.)
  prepare.py describe ENDPOINT API RESOURCE METHOD FUNCTION
      Prints JSON: the method (GetMethod, with integration and responses) and the
      function's policy statements whose source ARN points into API.
  prepare.py policy ENDPOINT FUNCTION
      Prints JSON: {"bytes", "statements"} of the function's resource-based policy
      (0 and 0 without one), its bytes those of the compact JSON AWS's GetPolicy
      returns and Lambda's 20,480-byte limit counts (LocalStack's has spaces).
  prepare.py clean ENDPOINT API FUNCTION
      Deletes every method of API's resources, every statement of the
      function's policy and every REST API named bench-openapi (bench/openapi.tf's):
      what a failed command left behind.

bench/routes.py (make bench-routes):

  prepare.py route-target ENDPOINT FUNCTION
      Creates the function FUNCTION (python3.11) answering as the target of a
      synchronous Lambda proxy integration would, {"statusCode": 200, ...}: the
      routes' target, and the latency baseline. Prints JSON: {"function_arn",
      "account", "region", "localstack" (its version)}.
  prepare.py http-apis MOTO COUNT
      Creates COUNT HTTP APIs (API Gateway v2 CreateApi, protocol HTTP) on the
      moto at MOTO. Prints JSON: {"apis": [id, ...]}.
  prepare.py route-header MOTO API ROUTE_KEY
      Prints JSON: {"header", "integration_uri"}: the x-async-lambda-route value
      the route's integration sets (request parameter
      overwrite:header.x-async-lambda-route), and whom it invokes.
  prepare.py latency ENDPOINT DISPATCHER TARGET HEADER SAMPLES
      Updates TARGET's configuration (so that its next invocation is its first
      since an update, as the dispatcher's is after the apply that created it),
      then invokes, RequestResponse as API Gateway's AWS_PROXY integration does,
      1 + SAMPLES times each, in turn: TARGET with AWS's payload format 2.0
      example event (a synchronous proxy integration: the baseline), and
      DISPATCHER with the same event and the x-async-lambda-route header set to
      HEADER (must answer 202). Prints JSON: {"baseline", "dispatcher"}, each
      {"cold": sample, "warm": [sample, ...]}, a sample {"ms": the client's
      round trip, "report_ms": the Duration of the invocation's REPORT line};
      and "client_startup_ms": 5 times, in a fresh process of this Python (the
      one the tests' executor runs handlers on), importing boto3 and making a
      Lambda client, which the dispatcher does in every process there.
"""

import base64
import importlib.metadata
import io
import json
import re
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import boto3
from botocore.config import Config

REGION = "us-east-1"
OPENAPI_NAME = "bench-openapi"  # bench/openapi.tf's REST API
HANDLER = "def handler(event, context):\n    print(event)\n"
# What a synchronous proxy integration's target answers, and nothing else: the latency baseline.
ROUTE_TARGET_HANDLER = 'def handler(event, context):\n    return {"statusCode": 200, "body": "ok"}\n'
# The header a route's integration sets for the dispatcher (provider/src/aws/dispatcher/route_config.rs).
CONFIG_HEADER = "x-async-lambda-route"
HEADER_PARAMETER = f"overwrite:header.{CONFIG_HEADER}"
EXAMPLE_EVENT = Path(__file__).resolve().parents[1] / "provider/dispatcher/fixtures/aws-http-api-payload-v2.json"
# Between two invocations: the dispatcher's queued invocation of the target runs meanwhile, not
# during the next sample (on 2 cores, a Python process starting beside it would slow it).
PAUSE_S = 0.5
# What the dispatcher does in every process on the tests' executor, a fresh one per invocation, and
# in a warm AWS environment only once: import boto3 and make its Lambda client. Timed in a fresh
# process of this Python, the one the executor runs handlers on, as it starts them (-s).
CLIENT_STARTUP = ("import time; t = time.perf_counter(); import boto3; "
                  "boto3.client('lambda', region_name='us-east-1'); print((time.perf_counter() - t) * 1000)")
CLIENT_STARTUP_SAMPLES = 5


def clients(endpoint):
    kw = dict(
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 10, "mode": "standard"}),
    )
    return boto3.client("apigateway", **kw), boto3.client("lambda", **kw), boto3.client("sts", **kw)


def create_function(lam, account, function, handler):
    """FUNCTION with `handler` as handler.py, once it is active."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", handler)
    created = lam.create_function(
        FunctionName=function,
        Runtime="python3.11",
        Handler="handler.handler",
        Role=f"arn:aws:iam::{account}:role/bench-worker",
        Code={"ZipFile": buf.getvalue()},
        Timeout=30,
    )
    lam.get_waiter("function_active_v2").wait(FunctionName=function)
    return created


def prepare(endpoint, apis, per_api, function):
    apigw, lam, sts = clients(endpoint)
    account = sts.get_caller_identity()["Account"]
    created = create_function(lam, account, function, HANDLER)
    endpoints = []
    for a in range(apis):
        api = apigw.create_rest_api(name=f"bench-{a}")["id"]
        root = next(r["id"] for r in apigw.get_resources(restApiId=api)["items"] if r["path"] == "/")
        for r in range(per_api):
            part = f"e{a * per_api + r}"
            res = apigw.create_resource(restApiId=api, parentId=root, pathPart=part)["id"]
            endpoints.append({"api": api, "resource": res, "path": part})
    return {
        "function_name": function,
        "function_arn": created["FunctionArn"],
        "account": account,
        "region": REGION,
        "localstack": importlib.metadata.version("localstack-core"),
        "endpoints": endpoints,
    }


def describe(endpoint, api, resource, method, function):
    apigw, lam, _ = clients(endpoint)
    out = apigw.get_method(restApiId=api, resourceId=resource, httpMethod=method)
    out.pop("ResponseMetadata", None)
    mine = [s for s in statements(lam, function)[1] if f":{api}/" in json.dumps(s.get("Condition", {}))]
    return {"method": out, "permissions": mine}


def statements(lam, function):
    try:
        policy = json.loads(lam.get_policy(FunctionName=function)["Policy"])
    except lam.exceptions.ResourceNotFoundException:
        return None, []
    found = policy.get("Statement", [])
    return policy, [found] if isinstance(found, dict) else found


def policy_size(endpoint, function):
    _, lam, _ = clients(endpoint)
    policy, found = statements(lam, function)
    return {"bytes": len(json.dumps(policy, separators=(",", ":")).encode()) if policy else 0,
            "statements": len(found)}


def clean(endpoint, api, function):
    apigw, lam, _ = clients(endpoint)
    for page in apigw.get_paginator("get_resources").paginate(restApiId=api):
        for resource in page["items"]:
            for method in resource.get("resourceMethods", {}):
                apigw.delete_method(restApiId=api, resourceId=resource["id"], httpMethod=method)
    for statement in statements(lam, function)[1]:
        lam.remove_permission(FunctionName=function, StatementId=statement["Sid"])
    for page in apigw.get_paginator("get_rest_apis").paginate():
        for rest_api in page["items"]:
            if rest_api["name"] == OPENAPI_NAME:
                apigw.delete_rest_api(restApiId=rest_api["id"])
    return {"cleaned": api}


def http_api_client(moto):
    return boto3.client("apigatewayv2", endpoint_url=moto, region_name=REGION, aws_access_key_id="test",
                        aws_secret_access_key="test")


def route_target(endpoint, function):
    _, lam, sts = clients(endpoint)
    account = sts.get_caller_identity()["Account"]
    created = create_function(lam, account, function, ROUTE_TARGET_HANDLER)
    return {"function_arn": created["FunctionArn"], "account": account, "region": REGION,
            "localstack": importlib.metadata.version("localstack-core")}


def http_apis(moto, count):
    v2 = http_api_client(moto)
    return {"apis": [v2.create_api(Name=f"bench-routes-{i}", ProtocolType="HTTP")["ApiId"] for i in range(count)]}


def route_header(moto, api, route_key):
    v2 = http_api_client(moto)
    route = next(r for r in v2.get_routes(ApiId=api)["Items"] if r["RouteKey"] == route_key)
    integration = v2.get_integration(ApiId=api, IntegrationId=route["Target"].removeprefix("integrations/"))
    return {"header": integration["RequestParameters"][HEADER_PARAMETER],
            "integration_uri": integration["IntegrationUri"]}


def invoke(lam, function, event, status):
    """One RequestResponse invocation, timed from the request sent to the answer read; an error
    unless the function answered `status`."""
    body = json.dumps(event).encode()
    started = time.perf_counter()
    answer = lam.invoke(FunctionName=function, InvocationType="RequestResponse", LogType="Tail", Payload=body)
    payload = answer["Payload"].read()
    ms = (time.perf_counter() - started) * 1000
    answered = json.loads(payload or b"null")
    if answer.get("FunctionError") or not isinstance(answered, dict) or answered.get("statusCode") != status:
        raise RuntimeError(f"{function} answered {payload[:500]!r}, not status {status}")
    tail = base64.b64decode(answer.get("LogResult") or "").decode(errors="replace")
    report = re.search(r"REPORT RequestId: \S+\s+Duration: ([0-9.]+) ms", tail)
    return {"ms": round(ms, 2), "report_ms": float(report.group(1)) if report else None}


def latency(endpoint, dispatcher, target, header, samples):
    # No retries: a retried invocation would be timed as one slow one.
    lam = boto3.client("lambda", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="test",
                       aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, read_timeout=60))
    lam.update_function_configuration(FunctionName=target,
                                      Environment={"Variables": {"BENCH_GENERATION": uuid.uuid4().hex}})
    lam.get_waiter("function_updated_v2").wait(FunctionName=target)
    event = json.loads(EXAMPLE_EVENT.read_text())
    dispatched = json.loads(json.dumps(event))
    dispatched["headers"][CONFIG_HEADER] = header
    out = {"baseline": [], "dispatcher": []}
    for _ in range(1 + samples):
        for name, function, payload, status in (("baseline", target, event, 200),
                                                ("dispatcher", dispatcher, dispatched, 202)):
            out[name].append(invoke(lam, function, payload, status))
            time.sleep(PAUSE_S)
    startup = [float(subprocess.run([sys.executable, "-s", "-c", CLIENT_STARTUP], check=True, capture_output=True,
                                    text=True).stdout) for _ in range(CLIENT_STARTUP_SAMPLES)]
    return dict({name: {"cold": found[0], "warm": found[1:]} for name, found in out.items()},
                client_startup_ms=[round(ms, 2) for ms in startup])


def main(argv):
    if len(argv) >= 2 and argv[1] == "prepare" and len(argv) == 6:
        print(json.dumps(prepare(argv[2], int(argv[3]), int(argv[4]), argv[5])))
    elif len(argv) >= 2 and argv[1] == "describe" and len(argv) == 7:
        print(json.dumps(describe(*argv[2:7]), default=str))
    elif len(argv) >= 2 and argv[1] == "policy" and len(argv) == 4:
        print(json.dumps(policy_size(*argv[2:4])))
    elif len(argv) >= 2 and argv[1] == "clean" and len(argv) == 5:
        print(json.dumps(clean(*argv[2:5])))
    elif len(argv) >= 2 and argv[1] == "route-target" and len(argv) == 4:
        print(json.dumps(route_target(*argv[2:4])))
    elif len(argv) >= 2 and argv[1] == "http-apis" and len(argv) == 4:
        print(json.dumps(http_apis(argv[2], int(argv[3]))))
    elif len(argv) >= 2 and argv[1] == "route-header" and len(argv) == 5:
        print(json.dumps(route_header(*argv[2:5])))
    elif len(argv) >= 2 and argv[1] == "latency" and len(argv) == 7:
        print(json.dumps(latency(*argv[2:6], int(argv[6]))))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
