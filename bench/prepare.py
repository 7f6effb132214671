#!/usr/bin/env python3
"""What the benchmark's endpoints stand on, and a look at what they became.

Runs with the LocalStack venv's Python (.tools/localstack/venv/bin/python),
which has boto3. It talks to LocalStack directly, not through the counting
proxy, so none of these calls is counted.

  prepare.py prepare ENDPOINT APIS PER_API FUNCTION
      Creates the function FUNCTION (python3.11, a handler that prints the event)
      and APIS REST APIs with PER_API resources each (/e0, /e1, ...). Prints JSON:
      {"function_name", "function_arn", "account", "region", "localstack" (its version),
       "endpoints": [{"api", "resource", "path"}, ...]}
  prepare.py describe ENDPOINT API RESOURCE METHOD FUNCTION
      Prints JSON: the method (GetMethod, with integration and responses) and the
      function's policy statements whose source ARN points into API.
"""

import importlib.metadata
import io
import json
import sys
import zipfile

import boto3
from botocore.config import Config

REGION = "us-east-1"
HANDLER = "def handler(event, context):\n    print(event)\n"


def clients(endpoint):
    kw = dict(
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 10, "mode": "standard"}),
    )
    return boto3.client("apigateway", **kw), boto3.client("lambda", **kw), boto3.client("sts", **kw)


def prepare(endpoint, apis, per_api, function):
    apigw, lam, sts = clients(endpoint)
    account = sts.get_caller_identity()["Account"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", HANDLER)
    created = lam.create_function(
        FunctionName=function,
        Runtime="python3.11",
        Handler="handler.handler",
        Role=f"arn:aws:iam::{account}:role/bench-worker",
        Code={"ZipFile": buf.getvalue()},
        Timeout=30,
    )
    lam.get_waiter("function_active_v2").wait(FunctionName=function)
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
    try:
        policy = json.loads(lam.get_policy(FunctionName=function)["Policy"])
        statements = policy.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
    except lam.exceptions.ResourceNotFoundException:
        statements = []
    mine = [s for s in statements if f":{api}/" in json.dumps(s.get("Condition", {}))]
    return {"method": out, "permissions": mine}


def main(argv):
    if len(argv) >= 2 and argv[1] == "prepare" and len(argv) == 6:
        print(json.dumps(prepare(argv[2], int(argv[3]), int(argv[4]), argv[5])))
    elif len(argv) >= 2 and argv[1] == "describe" and len(argv) == 7:
        print(json.dumps(describe(*argv[2:7]), default=str))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
