"""Dispatcher of async_lambda_route: an API Gateway route that queues its request.

API Gateway cannot invoke Lambda asynchronously from a Lambda proxy
integration, so the route's integration is an AWS_PROXY integration that
targets this function: payload format 2.0 for an HTTP API (v2) route, the
Lambda proxy input format for a REST API (v1) method. It hands the event to the
real target with an asynchronous invocation and answers the route's configured
response as soon as Lambda has accepted (queued) the event. How the route's
configuration reaches it depends on how it was invoked: unqualified, it is in
a header; through an alias, it is the alias's name.

HTTP API routes: the config header (contract with the provider)
    The dispatcher is invoked unqualified. The integration's parameter mapping
        overwrite:header.x-async-lambda-route = <value>
    sets the request header x-async-lambda-route, replacing whatever a client
    sent. <value> is base64url without padding of the UTF-8 JSON object
        {"v": 1, "function": "<target function ARN, unqualified>",
         "qualifier": "<alias or version>" | null,
         "status": <int 200..599>, "headers": {"<name>": "<value>", ...},
         "body": "<string>" | null}
    The header is removed before the event is forwarded, so the target gets
    the event a direct proxy integration would have given it. A missing or
    invalid header means the route was not set up by the provider: 500, and
    nothing is invoked.

REST API methods: the alias name (contract with the provider)
    A REST API Lambda proxy integration cannot add a header (API Gateway
    ignores integration request parameters for Lambda proxy integrations), so
    the integration invokes the dispatcher through an alias, and
    context.invoked_function_arn is
        arn:<partition>:lambda:<region>:<account>:function:<dispatcher>:<alias>
    where <alias> is one of
        to-<status>-<n>-<name>                (no qualifier: $LATEST)
        to-<status>-<n>-<name>-<qualifier>
    <status> is exactly 3 digits, an integer 200..599; <n> is the length of
    <name> in decimal, 1..64, without a leading zero; <name> is the target
    function's name, exactly <n> characters, each [A-Za-z0-9_-]; after <name>
    comes either nothing or "-" and a non-empty <qualifier> (an alias or a
    version number of the target) of [A-Za-z0-9_-] characters. (<n> is what
    makes a "-" in <name> or <qualifier> unambiguous; Lambda allows alias names
    of up to 128 characters.) The target is the dispatcher's own ARN with the
    function name replaced, in the same partition, region and account:
        arn:<partition>:lambda:<region>:<account>:function:<name>
    and the config is {"function": <that ARN>, "qualifier": <qualifier> | null,
    "status": <status>, "headers": {}, "body": null}, so the answer is <status>
    with the default body. The event is forwarded unchanged: nothing is
    removed, and an x-async-lambda-route header a client sent is just a header
    of the request. Invoked with a qualifier that is not such a name (another
    alias, a version, $LATEST): 500, and nothing is invoked. Invoked
    unqualified, or with no invoked_function_arn in the context: the header
    above is the configuration, whatever the event's format.

Forwarding
    Lambda Invoke with InvocationType=Event and the event as the payload (see
    the Lambda API reference, "Invoke"). Lambda answers 202 once the event is
    queued; the function runs later. The payload of an asynchronous invocation
    is limited to 1 MB (Lambda quotas, "Invocation payload"); a larger event is
    refused with RequestEntityTooLargeException.

Answers (payload format 2.0 response objects, see "Working with AWS Lambda
proxy integrations for HTTP APIs", now titled "Create AWS Lambda proxy
integrations for HTTP APIs in API Gateway"; REST API Lambda proxy integrations
accept the same {"statusCode", "headers", "body", "isBase64Encoded"}, see
"Output format of a Lambda function for proxy integration")
    Always with an explicit statusCode: without one, API Gateway would guess
    the format and answer 200.
    queued                      the configured status, headers and body; a
                                null body is {"accepted": true, "requestId":
                                "<requestContext.requestId>"} (JSON)
    not configured              500
    payload too large           413
    target or qualifier missing 502
    throttled after retries,
    target not ready            503 with retry-after
    anything else (access,
    KMS, service errors,
    timeouts)                   502
    A refusal is never 2xx, and no answer names the target: clients must not
    learn internals. Refusals are logged with the details (logs are private).

Logs: one JSON object per line on stdout (CloudWatch Logs). A queued request's
routeKey is the event's routeKey (payload 2.0), or "<httpMethod> <resource>"
for a REST API event, which has none.

Runs on python3.13 on AWS (boto3 comes with the runtime) and on Python 3.11 in
the project's LocalStack test bed: standard library and boto3/botocore only.
"""

import base64
import binascii
import json
import re

CONFIG_HEADER = "x-async-lambda-route"
CONFIG_VERSION = 1

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
# A qualified function ARN, as Lambda gives it in context.invoked_function_arn.
_QUALIFIED_ARN = re.compile(r"arn:([^:]+):lambda:([^:]+):([^:]+):function:[^:]+:([^:]*)")
# The alias name up to <name>; the name's length is checked against <n> after.
# Explicit ASCII classes: \d would also match other scripts' digits.
_ALIAS = re.compile(r"to-([0-9]{3})-([1-9][0-9]?)-([A-Za-z0-9_-]*)")
_MAX_NAME = 64  # Lambda's limit for a function name
_JSON = {"content-type": "application/json"}
# Seconds a throttled client is asked to wait.
_RETRY_AFTER = "1"

# Lambda error codes (exc.response["Error"]["Code"]) by the answer they get.
_TOO_LARGE = frozenset(
    {
        "RequestEntityTooLargeException",
        "RequestTooLargeException",
        "SerializedRequestEntityTooLargeException",
    }
)
_NOT_FOUND = frozenset({"ResourceNotFoundException"})
# Transient: throttling, or a function that is being created or updated.
_TRY_LATER = frozenset(
    {
        "TooManyRequestsException",
        "ThrottlingException",
        "ResourceConflictException",
        "ResourceNotReadyException",
    }
)

_client = None


def lambda_client():
    """The Lambda client, made once per execution environment (tests replace this)."""
    global _client
    if _client is None:
        # Imported here so that the module (and its tests) load without boto3.
        import boto3
        from botocore.config import Config

        # Short timeouts and one retry: the client waits for this answer, and
        # an Event invoke is normally accepted within tens of milliseconds.
        config = Config(
            connect_timeout=2,
            read_timeout=5,
            retries={"mode": "standard", "max_attempts": 2},
        )
        _client = boto3.client("lambda", config=config)
    return _client


class NotConfigured(ValueError):
    """The config header, or the alias the dispatcher was invoked through, is missing or invalid."""


def handler(event, context):
    request_id = (event.get("requestContext") or {}).get("requestId")
    try:
        config, forwarded = _route_config(event, context)
    except NotConfigured as exc:
        _log("error", "not_configured", requestId=request_id, reason=str(exc))
        return _answer(500, {"message": "Route is not configured for the dispatcher"})

    target = config["function"]
    if config["qualifier"] is not None:
        target += ":" + config["qualifier"]
    params = {
        "FunctionName": config["function"],
        "InvocationType": "Event",
        "Payload": _encode(forwarded),
    }
    if config["qualifier"] is not None:
        params["Qualifier"] = config["qualifier"]

    try:
        response = lambda_client().invoke(**params)
    except Exception as exc:  # every failure becomes an answer, never a crash
        code = _error_code(exc)
        _log(
            "error",
            "refused",
            requestId=request_id,
            target=target,
            errorCode=code,
            error=str(exc),
            payloadBytes=len(params["Payload"]),
        )
        return _refusal(code)

    lambda_request_id = (response.get("ResponseMetadata") or {}).get("RequestId")
    if response.get("StatusCode") != 202:
        _log(
            "error",
            "refused",
            requestId=request_id,
            target=target,
            errorCode=f"StatusCode {response.get('StatusCode')}",
            lambdaRequestId=lambda_request_id,
        )
        return _refusal("UnexpectedStatusCode")

    _log(
        "info",
        "queued",
        requestId=request_id,
        routeKey=_route_key(event),
        target=target,
        lambdaRequestId=lambda_request_id,
    )
    return _configured_answer(config, request_id)


def _route_config(event, context):
    """The route's config and the event to forward: from the alias if invoked through one, else the header."""
    invoked = _invoked_qualifier(context)
    if invoked is None:
        # Only HTTP APIs invoke it unqualified: a header in any other event
        # is a client's, never a route's.
        if event.get("version") != "2.0":
            raise NotConfigured("invoked unqualified with an event that is not payload 2.0")
        return _take_config(event)
    # REST API: API Gateway added nothing to the event, so nothing is removed.
    return _alias_config(*invoked), event


def _invoked_qualifier(context):
    """(partition, region, account, qualifier) of a qualified invocation; None when unqualified."""
    arn = getattr(context, "invoked_function_arn", None)
    # arn:partition:lambda:region:account:function:name has 6 colons; a qualifier adds one.
    if not isinstance(arn, str) or arn.count(":") < 7:
        return None
    match = _QUALIFIED_ARN.fullmatch(arn)
    if not match:
        raise NotConfigured(f"invoked as {arn!r}, not a qualified function ARN")
    return match.groups()


def _alias_config(partition, region, account, alias):
    """Decodes to-<status>-<n>-<name>[-<qualifier>] (see the module docstring)."""
    match = _ALIAS.fullmatch(alias)
    if not match:
        raise NotConfigured(f"invoked through {alias!r}, not a to-<status>-<n>-<name>[-<qualifier>] alias")
    status, length, rest = int(match[1]), int(match[2]), match[3]
    if not 200 <= status <= 599:
        raise NotConfigured(f"alias {alias!r}: status is not in 200..599")
    if length > _MAX_NAME:
        raise NotConfigured(f"alias {alias!r}: a function name has at most {_MAX_NAME} characters")
    name, after = rest[:length], rest[length:]
    if len(name) != length:
        raise NotConfigured(f"alias {alias!r}: the name is shorter than {length}")
    # After the name: nothing, or "-" and a non-empty qualifier.
    if after and (after[0] != "-" or len(after) == 1):
        raise NotConfigured(f"alias {alias!r}: the name is not {length} characters followed by -<qualifier>")
    return {
        "function": f"arn:{partition}:lambda:{region}:{account}:function:{name}",
        "qualifier": after[1:] or None,
        "status": status,
        "headers": {},
        "body": None,
    }


def _route_key(event):
    """Payload 2.0 names its route; a REST API (v1) event has its method and resource instead."""
    if "routeKey" not in event and "httpMethod" in event:
        return f"{event.get('httpMethod')} {event.get('resource')}"
    return event.get("routeKey")


def _take_config(event):
    """Decodes the config header; returns it and the event without it."""
    headers = event.get("headers")
    if not isinstance(headers, dict):
        raise NotConfigured("the event has no headers")
    # Payload 2.0 header names are lower case; match any case all the same,
    # and drop every spelling so that none reaches the target.
    names = [name for name in headers if name.lower() == CONFIG_HEADER]
    if not names:
        raise NotConfigured(f"no {CONFIG_HEADER} header")
    if len(names) > 1:
        raise NotConfigured(f"{len(names)} {CONFIG_HEADER} headers")
    config = _decode(headers[names[0]])

    forwarded = dict(event)
    forwarded["headers"] = {k: v for k, v in headers.items() if k != names[0]}
    return config, forwarded


def _decode(value):
    if not isinstance(value, str):
        raise NotConfigured("the header is not a string")
    value = value.rstrip("=")  # the contract says unpadded; padding does no harm
    if not _BASE64URL.fullmatch(value):
        raise NotConfigured("the header is not base64url")
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        config = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise NotConfigured(f"the header does not decode: {exc}") from None

    if not isinstance(config, dict):
        raise NotConfigured("the header is not a JSON object")
    if not _is_int(config.get("v")) or config["v"] != CONFIG_VERSION:
        raise NotConfigured(f"unsupported config version {config.get('v')!r}")
    function = config.get("function")
    qualifier = config.get("qualifier")
    status = config.get("status")
    headers = config.get("headers") or {}
    body = config.get("body")
    if not isinstance(function, str) or not function:
        raise NotConfigured("function is not a non-empty string")
    if qualifier is not None and (not isinstance(qualifier, str) or not qualifier):
        raise NotConfigured("qualifier is neither null nor a non-empty string")
    if not _is_int(status) or not 200 <= status <= 599:
        raise NotConfigured("status is not an integer in 200..599")
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and k and isinstance(v, str) for k, v in headers.items()
    ):
        raise NotConfigured("headers is not an object of strings")
    if body is not None and not isinstance(body, str):
        raise NotConfigured("body is neither null nor a string")
    return {
        "function": function,
        "qualifier": qualifier,
        "status": status,
        "headers": headers,
        "body": body,
    }


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _encode(event):
    """The payload: compact UTF-8 JSON, as few bytes of the 1 MB quota as possible."""
    try:
        return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate cannot be UTF-8; as a \\u escape it is valid JSON.
        return json.dumps(event, separators=(",", ":")).encode("ascii")


def _error_code(exc):
    """botocore's ClientError carries the service's code; others (timeouts) are named by class."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = (response.get("Error") or {}).get("Code")
        if code:
            return str(code)
    return type(exc).__name__


def _refusal(code):
    if code in _TOO_LARGE:
        return _answer(413, {"message": "Request too large to queue"})
    if code in _NOT_FOUND:
        return _answer(502, {"message": "Request could not be queued: target unavailable"})
    if code in _TRY_LATER:
        return _answer(
            503,
            {"message": "Too many requests, try again later"},
            {"retry-after": _RETRY_AFTER},
        )
    return _answer(502, {"message": "Request could not be queued"})


def _configured_answer(config, request_id):
    headers = dict(config["headers"])
    body = config["body"]
    if body is None:
        body = json.dumps({"accepted": True, "requestId": request_id})
        if not any(name.lower() == "content-type" for name in headers):
            headers.update(_JSON)
    return {
        "statusCode": config["status"],
        "headers": headers,
        "body": body,
        "isBase64Encoded": False,
    }


def _answer(status, message, extra_headers=None):
    return {
        "statusCode": status,
        "headers": {**_JSON, **(extra_headers or {})},
        "body": json.dumps(message),
        "isBase64Encoded": False,
    }


def _log(level, what, **fields):
    print(json.dumps({"level": level, "event": what, **fields}), flush=True)
