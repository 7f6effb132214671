"""Dispatcher of async_lambda_route: an HTTP API route that queues its request.

API Gateway HTTP APIs (v2) cannot invoke Lambda asynchronously, so the route's
integration is an AWS_PROXY integration, payload format 2.0, that targets this
function. It hands the event, unchanged, to the real target with an
asynchronous invocation and answers the route's configured response as soon as
Lambda has accepted (queued) the event.

The route's configuration (contract with the provider)
    The integration's parameter mapping
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

Forwarding
    Lambda Invoke with InvocationType=Event and the event as the payload (see
    the Lambda API reference, "Invoke"). Lambda answers 202 once the event is
    queued; the function runs later. The payload of an asynchronous invocation
    is limited to 1 MB (Lambda quotas, "Invocation payload"); a larger event is
    refused with RequestEntityTooLargeException.

Answers (payload format 2.0 response objects, see "Working with AWS Lambda
proxy integrations for HTTP APIs", now titled "Create AWS Lambda proxy
integrations for HTTP APIs in API Gateway")
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

Logs: one JSON object per line on stdout (CloudWatch Logs).

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
    """The config header is missing or invalid."""


def handler(event, context):
    request_id = (event.get("requestContext") or {}).get("requestId")
    try:
        config, forwarded = _take_config(event)
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
        routeKey=event.get("routeKey"),
        target=target,
        lambdaRequestId=lambda_request_id,
    )
    return _configured_answer(config, request_id)


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
