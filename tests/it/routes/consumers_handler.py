"""A route's target handing each delivered payload 2.0 event to the consumers
users run on HTTP API proxy events (tests/it/routes.rs), bundled with the
libraries of scripts/lib/lambda-libs-requirements.txt as a user bundles them.
It records to EVENT_DIR, in RECORDING_HANDLER's format plus "consumers":
what Powertools' APIGatewayProxyEventV2Model and APIGatewayProxyEventV2 data
class read, and what a Starlette app behind Mangum saw. A consumer's failure
is recorded, never raised.
"""

import base64
import json
import os
import time
import uuid


def _attempt(read):
    try:
        return {"ok": True, **read()}
    except Exception as e:  # recorded for the test to show
        return {"ok": False, "error": f"{type(e).__name__}: {e}"}


def _parser(event):
    from aws_lambda_powertools.utilities.parser import parse
    from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventV2Model

    model = parse(event=event, model=APIGatewayProxyEventV2Model)
    return {"method": model.requestContext.http.method, "rawPath": model.rawPath, "cookies": model.cookies}


def _data_class(event):
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

    data = APIGatewayProxyEventV2(event)
    # decoded_body is text: it refuses binary bodies, with a proxy integration too.
    return {
        "method": data.request_context.http.method,
        "path": data.raw_path,
        "body": data.body,
        "isBase64Encoded": data.is_base64_encoded,
    }


def _mangum(event):
    from mangum import Mangum
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    seen = {}

    async def endpoint(request):
        seen["method"] = request.method
        seen["path"] = request.url.path
        seen["query"] = request.url.query
        seen["body"] = base64.b64encode(await request.body()).decode("ascii")
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/{rest:path}", endpoint, methods=["GET", "POST"])])
    answer = Mangum(app, lifespan="off")(event, None)
    return {"status": answer["statusCode"], **seen}


def handler(event, context):
    started = time.time()
    consumers = {
        "powertools_parser": _attempt(lambda: _parser(event)),
        "powertools_data_class": _attempt(lambda: _data_class(event)),
        "mangum": _attempt(lambda: _mangum(event)),
    }
    name = os.path.join(os.environ["EVENT_DIR"], uuid.uuid4().hex)
    with open(name + ".tmp", "w") as out:
        json.dump({"started": started, "finished": time.time(), "event": event, "consumers": consumers}, out)
    os.rename(name + ".tmp", name + ".json")
