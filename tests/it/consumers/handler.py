"""A function handing each event to the consumers users run (tests/it/consumers).

Bundled, like a user's deployment package, with the libraries of
scripts/lib/lambda-libs-requirements.txt (.tools/lambda-libs/python). For each
event it records to EVENT_DIR what every consumer made of it, in the format of
RECORDING_HANDLER (tests/it/support/stack.rs) plus a "consumers" key:

  * powertools_parser: Powertools' parser, parse(event, APIGatewayProxyEventModel);
  * powertools_data_class: Powertools' APIGatewayProxyEvent data class;
  * mangum: a Starlette app run by the Mangum adapter, and what it answered.

Each consumer's result is {"ok": true, ...values} or {"ok": false, "error":
text}: a consumer's failure is recorded, never raised, so that the others are
recorded too. Bodies are recorded base64-encoded, byte-exact.
"""

import base64
import json
import os
import time
import traceback
import uuid


def _b64(data):
    if data is None:
        return None
    if isinstance(data, str):
        data = data.encode("utf-8")
    return base64.b64encode(data).decode("ascii")


def _failure(exc):
    return {
        "ok": False,
        "error": f"{type(exc).__name__}: {exc}",
        "traceback": traceback.format_exc(limit=8),
    }


def powertools_parser(event):
    from aws_lambda_powertools.utilities.parser import ValidationError, parse
    from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel

    try:
        model = parse(event=event, model=APIGatewayProxyEventModel)
    except ValidationError as e:
        return {
            "ok": False,
            "error": str(e),
            "errors": json.loads(e.json(include_url=False, include_input=False)),
        }
    body = model.body
    if isinstance(body, str) and model.isBase64Encoded:
        body = base64.b64decode(body, validate=True)
    context = model.requestContext
    return {
        "ok": True,
        "httpMethod": model.httpMethod,
        "path": model.path,
        "resource": model.resource,
        "headers": model.headers,
        "multiValueHeaders": model.multiValueHeaders,
        "queryStringParameters": model.queryStringParameters,
        "multiValueQueryStringParameters": model.multiValueQueryStringParameters,
        "pathParameters": model.pathParameters,
        "stageVariables": model.stageVariables,
        "isBase64Encoded": model.isBase64Encoded,
        "body_base64": _b64(body),
        "requestId": context.requestId,
        "requestTime": context.requestTime,
        "requestTimeEpoch_ms": round(context.requestTimeEpoch.timestamp() * 1000),
        "stage": context.stage,
        "sourceIp": str(context.identity.sourceIp),
        "sourceIp_type": type(context.identity.sourceIp).__name__,
    }


def powertools_data_class(event):
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

    data = APIGatewayProxyEvent(event)
    context = data.request_context
    result = {
        "ok": True,
        "http_method": data.http_method,
        "path": data.path,
        "resource": data.resource,
        "headers": dict(data.headers),
        "query_string_parameters": data.query_string_parameters,
        "multi_value_query_string_parameters": data.multi_value_query_string_parameters,
        "path_parameters": data.path_parameters,
        "is_base64_encoded": data.is_base64_encoded,
        "request_id": context.request_id,
        "stage": context.stage,
        "source_ip": context.identity.source_ip,
        "content_type": data.get_header_value("content-type"),
    }
    try:
        result["decoded_body_base64"] = _b64(data.decoded_body)
    except Exception as e:  # e.g. a body that is not UTF-8
        result["decoded_body_error"] = f"{type(e).__name__}: {e}"
    if hasattr(type(data), "resolved_query_string_parameters"):
        result["resolved_query_string_parameters"] = data.resolved_query_string_parameters
    return result


def mangum(event, context):
    from mangum import Mangum
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    seen = {}

    async def catch_all(request):
        body = await request.body()
        seen.update(
            method=request.method,
            path=request.url.path,
            root_path=request.scope.get("root_path"),
            query=str(request.query_params),
            query_items=[list(item) for item in request.query_params.multi_items()],
            headers=[[k.decode("latin-1"), v.decode("latin-1")] for k, v in request.headers.raw],
            body_base64=_b64(body),
        )
        return JSONResponse({"seen": True})

    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    app = Starlette(routes=[Route("/{rest:path}", catch_all, methods=methods)])
    response = Mangum(app, lifespan="off")(event, context)
    return {
        "ok": True,
        "request": seen or None,
        "response": {"statusCode": response.get("statusCode"), "body": response.get("body")},
    }


def handler(event, context):
    started = time.time()
    consumers = {}
    for name, consume in [
        ("powertools_parser", lambda: powertools_parser(event)),
        ("powertools_data_class", lambda: powertools_data_class(event)),
        ("mangum", lambda: mangum(event, context)),
    ]:
        try:
            consumers[name] = consume()
        except Exception as e:
            consumers[name] = _failure(e)
    record = {"started": started, "finished": time.time(), "event": event, "consumers": consumers}
    name = os.path.join(os.environ["EVENT_DIR"], uuid.uuid4().hex)
    with open(name + ".tmp", "w") as out:
        json.dump(record, out, default=str)
    os.rename(name + ".tmp", name + ".json")
    return {"ok": True}
