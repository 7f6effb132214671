#!/usr/bin/env python3
"""End-to-end check of the `subprocess` Lambda executor against a real LocalStack.

    .tools/localstack/venv/bin/python tests/localstack_executor/smoke_test.py [--endpoint URL]

Without --endpoint it starts LocalStack with scripts/localstack.sh in a temporary
directory (installing it and the plugin if needed) and stops it at the end. It
needs boto3, which the LocalStack venv provides. It checks:
  * python3.11 functions from a zip become State=Active;
  * a RequestResponse invoke returns the handler's value, and its logs (LogType=Tail);
  * a raising handler gives FunctionError=Unhandled and a Lambda error object;
  * a handler that outlives the function timeout is killed and reports
    "Task timed out after N.00 seconds";
  * an Event invoke answers 202 at once and the handler runs afterwards;
  * an Event invoke of a payload over Lambda's 1 MB asynchronous limit (1,048,576
    bytes) is refused with RequestEntityTooLargeException (HTTP 413) and never runs,
    one of exactly 1,048,576 bytes is accepted (202) and runs, and a RequestResponse
    invoke over 1 MB is not refused (its limit is 6 MB);
  * API Gateway (REST, integration type AWS, X-Amz-Invocation-Type 'Event') answers
    202 at once while a 3 s handler writes the event ~3 s later;
  * the handlers' print() output reaches CloudWatch Logs.
Prints timings; exits non-zero on the first failed check.
"""

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REGION = "us-east-1"
ROLE = "arn:aws:iam::000000000000:role/r"
# Lambda's limit on an asynchronous invocation's payload (Lambda quotas).
MAX_ASYNC_PAYLOAD = 1_048_576

HANDLER_CODE = '''
import json, os, time

def ok(event, context):
    print("ok-print", json.dumps(event))
    return {"echo": event, "function_name": context.function_name,
            "memory": context.memory_limit_in_mb,
            "remaining_ms": context.get_remaining_time_in_millis(),
            "task_root": os.environ["LAMBDA_TASK_ROOT"],
            "endpoint": os.environ.get("AWS_ENDPOINT_URL")}

def boom(event, context):
    print("about to fail")
    raise ValueError("boom: " + json.dumps(event))

def slow(event, context):
    print("sleeping", event.get("sleep", 30))
    time.sleep(event.get("sleep", 30))
    return "too late"

def record(event, context):
    time.sleep(float(os.environ.get("SLEEP", "0")))
    path = os.path.join(os.environ["EVENT_LOG_DIR"], context.aws_request_id + ".json")
    with open(path + ".tmp", "w") as f:
        json.dump({"event": event, "time": time.time()}, f)
    os.replace(path + ".tmp", path)
    print("recorded", path)
    return {"recorded": path}
'''


def check(cond, what):
    if not cond:
        print(f"FAIL: {what}", flush=True)
        sys.exit(1)
    print(f"ok: {what}", flush=True)


def wait_for_file(directory, deadline_s):
    t0 = time.monotonic()
    while time.monotonic() - t0 < deadline_s:
        names = [n for n in os.listdir(directory) if n.endswith(".json")]
        if names:
            with open(os.path.join(directory, names[0])) as f:
                return json.load(f), time.monotonic() - t0, names[0]
        time.sleep(0.02)
    return None, time.monotonic() - t0, None


def run(endpoint, workdir):
    # Unique names: the LocalStack may be shared (--endpoint) or hold an earlier run's.
    sfx = os.urandom(3).hex()
    cfg = Config(retries={"max_attempts": 1}, read_timeout=70)
    kw = dict(endpoint_url=endpoint, region_name=REGION, aws_access_key_id="test",
              aws_secret_access_key="test", config=cfg)
    lam = boto3.client("lambda", **kw)
    apigw = boto3.client("apigateway", **kw)
    logs = boto3.client("logs", **kw)

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handlers.py", HANDLER_CODE)
    code = buf.getvalue()

    direct_dir = os.path.join(workdir, "events-direct")
    api_dir = os.path.join(workdir, "events-api")
    big_dir = os.path.join(workdir, "events-big")
    os.makedirs(direct_dir)
    os.makedirs(api_dir)
    os.makedirs(big_dir)
    functions = {
        f"smoke-ok-{sfx}": ("handlers.ok", 3, {}),
        f"smoke-boom-{sfx}": ("handlers.boom", 3, {}),
        f"smoke-slow-{sfx}": ("handlers.slow", 2, {}),
        f"smoke-record-{sfx}": ("handlers.record", 10, {"EVENT_LOG_DIR": direct_dir}),
        f"smoke-api-{sfx}": ("handlers.record", 10, {"EVENT_LOG_DIR": api_dir, "SLEEP": "3"}),
        f"smoke-big-{sfx}": ("handlers.record", 10, {"EVENT_LOG_DIR": big_dir}),
    }
    t0 = time.monotonic()
    arns = {}
    for name, (handler, timeout, env) in functions.items():
        arns[name] = lam.create_function(
            FunctionName=name, Runtime="python3.11", Role=ROLE, Handler=handler,
            Code={"ZipFile": code}, Timeout=timeout,
            Environment={"Variables": env},
        )["FunctionArn"]
    for name in functions:
        lam.get_waiter("function_active_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
        state = lam.get_function_configuration(FunctionName=name)["State"]
        check(state == "Active", f"{name} is {state}")
    print(f"   created and Active: {time.monotonic() - t0:.2f} s for {len(functions)} functions")

    # RequestResponse: value and logs.
    t = time.monotonic()
    r = lam.invoke(FunctionName=f"smoke-ok-{sfx}", Payload=json.dumps({"x": [1, 2]}), LogType="Tail")
    dt = time.monotonic() - t
    body = json.loads(r["Payload"].read())
    check(r["StatusCode"] == 200 and "FunctionError" not in r, f"ok: 200 without FunctionError ({dt*1000:.0f} ms, first invoke)")
    check(body["echo"] == {"x": [1, 2]} and body["function_name"] == f"smoke-ok-{sfx}", f"ok: returns the handler's value {body}")
    check(0 < body["remaining_ms"] <= 3000 and body["memory"] == "128", "ok: context (remaining time, memory)")
    tail = __import__("base64").b64decode(r["LogResult"]).decode()
    check('ok-print {"x": [1, 2]}' in tail and "REPORT RequestId" in tail, "ok: LogType=Tail has the print() output")
    t = time.monotonic()
    lam.invoke(FunctionName=f"smoke-ok-{sfx}", Payload=b"{}")["Payload"].read()
    print(f"   second RequestResponse invoke: {(time.monotonic() - t)*1000:.0f} ms")

    # Raising handler.
    t = time.monotonic()
    r = lam.invoke(FunctionName=f"smoke-boom-{sfx}", Payload=json.dumps({"k": "v"}))
    dt = time.monotonic() - t
    err = json.loads(r["Payload"].read())
    check(r.get("FunctionError") == "Unhandled", f"boom: FunctionError=Unhandled ({dt*1000:.0f} ms)")
    check(err["errorType"] == "ValueError" and err["errorMessage"] == 'boom: {"k": "v"}'
          and any("raise ValueError" in line for line in err["stackTrace"]), f"boom: error object {err}")

    # Timeout.
    t = time.monotonic()
    r = lam.invoke(FunctionName=f"smoke-slow-{sfx}", Payload=json.dumps({"sleep": 30}), LogType="Tail")
    dt = time.monotonic() - t
    err = json.loads(r["Payload"].read())
    check(r.get("FunctionError") == "Unhandled" and "Task timed out after 2.00 seconds" in err["errorMessage"],
          f"slow: killed at the 2 s timeout after {dt:.2f} s: {err}")
    check(1.9 < dt < 4, "slow: the invoke returned about when the timeout passed")
    tail = __import__("base64").b64decode(r["LogResult"]).decode()
    check("sleeping 30" in tail and "Task timed out" in tail, "slow: logs have the output and the timeout")

    # Event invoke.
    t = time.monotonic()
    r = lam.invoke(FunctionName=f"smoke-record-{sfx}", InvocationType="Event", Payload=json.dumps({"direct": 1}))
    dt = time.monotonic() - t
    check(r["StatusCode"] == 202, f"Event invoke: 202 in {dt*1000:.0f} ms")
    rec, waited, _ = wait_for_file(direct_dir, 30)
    check(rec is not None and rec["event"] == {"direct": 1}, f"Event invoke: handler ran, file after {waited:.2f} s")

    # The asynchronous payload limit: one byte over is refused, exactly at it is queued.
    def padded(size):
        payload = json.dumps({"pad": ""}).encode()
        payload = json.dumps({"pad": "x" * (size - len(payload))}).encode()
        assert len(payload) == size
        return payload

    try:
        r = lam.invoke(FunctionName=f"smoke-big-{sfx}", InvocationType="Event",
                       Payload=padded(MAX_ASYNC_PAYLOAD + 1))
        check(False, f"Event invoke of {MAX_ASYNC_PAYLOAD + 1} bytes: refused, not {r['StatusCode']}")
    except ClientError as e:
        err = e.response["Error"]
        status = e.response["ResponseMetadata"]["HTTPStatusCode"]
        check(err["Code"] == "RequestEntityTooLargeException" and status == 413
              and f"limit {MAX_ASYNC_PAYLOAD} bytes" in err["Message"],
              f"Event invoke of {MAX_ASYNC_PAYLOAD + 1} bytes: {status} {err['Code']}: {err['Message']}")
    r = lam.invoke(FunctionName=f"smoke-big-{sfx}", InvocationType="Event", Payload=padded(MAX_ASYNC_PAYLOAD))
    check(r["StatusCode"] == 202, f"Event invoke of exactly {MAX_ASYNC_PAYLOAD} bytes: 202")
    rec, waited, _ = wait_for_file(big_dir, 30)
    check(rec is not None and len(json.dumps(rec["event"]).encode()) == MAX_ASYNC_PAYLOAD,
          f"Event invoke of {MAX_ASYNC_PAYLOAD} bytes: the handler got the whole event after {waited:.2f} s")
    time.sleep(1)
    names = [n for n in os.listdir(big_dir) if n.endswith(".json")]
    check(len(names) == 1, f"the refused event never ran ({len(names)} recorded)")
    big = padded(MAX_ASYNC_PAYLOAD + 1)
    r = lam.invoke(FunctionName=f"smoke-ok-{sfx}", Payload=big)
    body = json.loads(r["Payload"].read())
    check(r["StatusCode"] == 200 and "FunctionError" not in r and body["echo"] == json.loads(big),
          f"RequestResponse invoke of {MAX_ASYNC_PAYLOAD + 1} bytes: 200 (the 1 MB limit is for Event only)")

    # API Gateway -> async Lambda.
    api_id = apigw.create_rest_api(name=f"smoke-{sfx}")["id"]
    root_id = next(i["id"] for i in apigw.get_resources(restApiId=api_id)["items"] if i["path"] == "/")
    res_id = apigw.create_resource(restApiId=api_id, parentId=root_id, pathPart="events")["id"]
    apigw.put_method(restApiId=api_id, resourceId=res_id, httpMethod="POST", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api_id, resourceId=res_id, httpMethod="POST", type="AWS",
        integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arns[f'smoke-api-{sfx}']}/invocations",
        requestParameters={"integration.request.header.X-Amz-Invocation-Type": "'Event'"},
        requestTemplates={"application/json": "{\"body\": $input.json('$')}"},
    )
    apigw.put_method_response(restApiId=api_id, resourceId=res_id, httpMethod="POST", statusCode="202")
    apigw.put_integration_response(restApiId=api_id, resourceId=res_id, httpMethod="POST",
                                   statusCode="202", selectionPattern="")
    apigw.create_deployment(restApiId=api_id, stageName="test")
    url = f"{endpoint}/_aws/execute-api/{api_id}/test/events"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    req = urllib.request.Request(url, data=b'{"a":1}', method="POST",
                                 headers={"Content-Type": "application/json"})
    t = time.monotonic()
    with opener.open(req, timeout=30) as resp:
        status, _ = resp.status, resp.read()
    dt = time.monotonic() - t
    check(status == 202 and dt < 1, f"API Gateway POST: {status} in {dt*1000:.0f} ms")
    rec, waited, _ = wait_for_file(api_dir, 30)
    check(rec is not None and rec["event"] == {"body": {"a": 1}},
          f"API Gateway POST: the 3 s handler wrote {rec and rec['event']} {waited:.2f} s after the request was sent+answered")

    # CloudWatch Logs (written by LocalStack in the background after each invocation).
    def wait_for_log(group, needle):
        t = time.monotonic()
        while time.monotonic() - t < 10:
            try:
                events = logs.filter_log_events(logGroupName=group)["events"]
                if any(needle in e["message"] for e in events):
                    return events
            except logs.exceptions.ResourceNotFoundException:
                pass
            time.sleep(0.2)
        return None

    events = wait_for_log(f"/aws/lambda/smoke-ok-{sfx}", "ok-print")
    check(events is not None, "CloudWatch Logs /aws/lambda/smoke-ok has the print() output")
    for e in events:
        print("   |", e["message"].rstrip("\n"))
    check(wait_for_log(f"/aws/lambda/smoke-api-{sfx}", "recorded") is not None,
          "CloudWatch Logs /aws/lambda/smoke-api has the async handler's output")

    for name in functions:
        lam.delete_function(FunctionName=name)
    print("all checks passed")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", help="use this LocalStack instead of starting one")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tfasync-executor-smoke-") as workdir:
        if args.endpoint:
            run(args.endpoint, workdir)
            return
        lsdir = os.path.join(workdir, "localstack")
        t = time.monotonic()
        endpoint = subprocess.run([os.path.join(ROOT, "scripts", "localstack.sh"), "start", lsdir],
                                  check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
        print(f"   LocalStack at {endpoint}, started in {time.monotonic() - t:.2f} s")
        try:
            run(endpoint, workdir)
        finally:
            subprocess.run([os.path.join(ROOT, "scripts", "localstack.sh"), "stop", lsdir], check=True)


if __name__ == "__main__":
    main()
