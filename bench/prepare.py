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
      (bench/quota.py: 1 API with as many resources as its largest N.)
  prepare.py describe ENDPOINT API RESOURCE METHOD FUNCTION
      Prints JSON: the method (GetMethod, with integration and responses) and the
      function's policy statements whose source ARN points into API.
  prepare.py policy ENDPOINT FUNCTION
      Prints JSON: {"bytes", "statements"} of the function's resource-based policy
      (0 and 0 without one), its bytes those of the compact JSON AWS's GetPolicy
      returns and Lambda's 20,480-byte limit counts (LocalStack's has spaces).
  prepare.py clean ENDPOINT API FUNCTION
      Deletes every method of API's resources and every statement of the
      function's policy: what a failed command left behind.
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
    return {"cleaned": api}


def main(argv):
    if len(argv) >= 2 and argv[1] == "prepare" and len(argv) == 6:
        print(json.dumps(prepare(argv[2], int(argv[3]), int(argv[4]), argv[5])))
    elif len(argv) >= 2 and argv[1] == "describe" and len(argv) == 7:
        print(json.dumps(describe(*argv[2:7]), default=str))
    elif len(argv) >= 2 and argv[1] == "policy" and len(argv) == 4:
        print(json.dumps(policy_size(*argv[2:4])))
    elif len(argv) >= 2 and argv[1] == "clean" and len(argv) == 5:
        print(json.dumps(clean(*argv[2:5])))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
