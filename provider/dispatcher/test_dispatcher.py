"""Unit tests of the dispatcher (standard library unittest, no boto3 needed).

    PYTHONPATH=.tools/lambda-libs/python python3 -m unittest discover -s provider/dispatcher

Lambda is a fake client that records the invoke calls, enforces the 1 MB
asynchronous payload quota as Lambda does, and raises errors shaped like
botocore's ClientError (exc.response["Error"]["Code"]). The events are AWS's
documented payload format 2.0 example (fixtures/) and hostile variants of it,
and, for REST API methods (configured by the alias the dispatcher is invoked
through, context.invoked_function_arn), an event modelled on AWS's documented
Lambda proxy input format for REST APIs (fixtures/aws-rest-api-proxy-event-v1.json);
what the target would receive is also parsed by the consumers users run:
Powertools for AWS Lambda (parser models and data classes) and Mangum with a
Starlette app. Those come from .tools/lambda-libs/python (installed by
`bash scripts/install-tools.sh lambda-libs`); without them the consumer tests
fail rather than skip.
"""

import base64
import contextlib
import copy
import io
import json
import os
import sys
import types
import unittest
from unittest import mock

import dispatcher

HERE = os.path.dirname(os.path.abspath(__file__))
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:orders-worker"
FUNCTION_NAME = "orders-worker"
ASYNC_PAYLOAD_LIMIT = 1_048_576

try:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent, APIGatewayProxyEventV2
    from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel, APIGatewayProxyEventV2Model
    from mangum import Mangum
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    CONSUMERS_MISSING = None
except ImportError as exc:
    CONSUMERS_MISSING = (
        f"the consumer libraries are not importable ({exc}): run "
        "`bash scripts/install-tools.sh lambda-libs` and put .tools/lambda-libs/python on PYTHONPATH"
    )


# --- events ----------------------------------------------------------------


def aws_example():
    with open(os.path.join(HERE, "fixtures", "aws-http-api-payload-v2.json"), encoding="utf-8") as f:
        return json.load(f)


def rest_example():
    """AWS's REST API (v1) Lambda proxy input format: GET, no body, multi-value maps."""
    with open(os.path.join(HERE, "fixtures", "aws-rest-api-proxy-event-v1.json"), encoding="utf-8") as f:
        return json.load(f)


def _with(route_key=None, method=None, path=None, request_id=None, **fields):
    """The AWS example with some fields replaced (None values remove the key)."""
    event = aws_example()
    ctx = event["requestContext"]
    if route_key is not None:
        event["routeKey"] = ctx["routeKey"] = route_key
    if method is not None:
        ctx["http"]["method"] = method
    if path is not None:
        event["rawPath"] = ctx["http"]["path"] = path
    if request_id is not None:
        ctx["requestId"] = request_id
    for key, value in fields.items():
        if value is None:
            event.pop(key, None)
        else:
            event[key] = value
    return event


def _headers(**extra):
    base = {
        "accept": "*/*",
        "content-type": "application/json",
        "host": "id.execute-api.us-east-1.amazonaws.com",
        "x-forwarded-proto": "https",
        "x-forwarded-port": "443",
    }
    base.update(extra)
    return base


BINARY = bytes(range(256)) + b"\x00\xff\xfe PK\x03\x04"

EVENTS = {
    "aws-example": aws_example,
    "quotes-backslashes-dollar-hash": lambda: _with(
        route_key="POST /orders/{id}",
        path="/orders/a$b",
        request_id='Jq$#"\\id=',
        body='{"q":"say \\"hi\\"","path":"C:\\\\tmp\\\\x","tpl":"$input.body ${x} #set($a=1) #{y}"}',
        headers=_headers(**{"x-tricky": 'a "quoted" \\back\\slash $HOME #hash ${x}'}),
        rawQueryString="q=%22%24a%23b%5C&t=%24%7Bx%7D",
        queryStringParameters={"q": '"$a#b\\', "t": "${x}"},
        pathParameters={"id": "a$b"},
    ),
    "unicode": lambda: _with(
        route_key="POST /unicode",
        path="/unicode",
        body="emoji \U0001f600\U0001f389 RTL \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 "
        "\u202eoverride\u202c NUL[\x00] escaped[\\u0000] BOM[\ufeff]",
        headers=_headers(**{"x-name": "\u00e9\U0001f600 \u05e9\u05dc\u05d5\u05dd"}),
        rawQueryString="name=%F0%9F%98%80&rtl=%D7%A9%D7%9C%D7%95%D7%9D",
        queryStringParameters={"name": "\U0001f600", "rtl": "\u05e9\u05dc\u05d5\u05dd"},
        cookies=["name=\U0001f600"],
    ),
    "binary-base64": lambda: _with(
        route_key="PUT /blobs",
        method="PUT",
        path="/blobs",
        headers=_headers(**{"content-type": "application/octet-stream"}),
        body=base64.b64encode(BINARY).decode("ascii"),
        isBase64Encoded=True,
    ),
    "repeated-query-values": lambda: _with(
        route_key="GET /search",
        method="GET",
        path="/search",
        rawQueryString="a=1&a=2&b=x%2Cy",
        queryStringParameters={"a": "1,2", "b": "x,y"},
        body=None,
    ),
    "several-cookies": lambda: _with(
        cookies=["session=abc123", "theme=dark", "csrf=a%3Db", "empty="],
    ),
    "get-without-optional-keys": lambda: _with(
        route_key="GET /status",
        method="GET",
        path="/status",
        rawQueryString="",
        headers=_headers(),
        body=None,
        queryStringParameters=None,
        cookies=None,
        pathParameters=None,
        stageVariables=None,
    ),
    "empty-body": lambda: _with(route_key="POST /empty", path="/empty", body=""),
    "default-route-key": lambda: _with(
        route_key="$default",
        method="DELETE",
        path="/anything/deep/er",
        pathParameters=None,
    ),
}


# --- configuration ---------------------------------------------------------


def encode_config(config):
    raw = json.dumps(config).encode("utf-8")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def config(**overrides):
    value = {
        "v": 1,
        "function": FUNCTION,
        "qualifier": None,
        "status": 202,
        "headers": {},
        "body": None,
    }
    value.update(overrides)
    return value


DEFAULT = config()
CUSTOM = config(qualifier="live", status=200, headers={"x-queued": "yes"}, body="ok")


def with_config(event, value, name=dispatcher.CONFIG_HEADER):
    """A copy of event as API Gateway gives it to the dispatcher."""
    event = copy.deepcopy(event)
    event["headers"] = dict(event.get("headers", {}), **{name: value})
    return event


# --- fake Lambda -----------------------------------------------------------


try:
    from botocore.exceptions import ClientError as _ClientError
except ImportError:  # the dispatcher only reads exc.response["Error"]["Code"]
    _ClientError = None


class FakeClientError(Exception):
    def __init__(self, error_response, operation_name):
        code = error_response["Error"]["Code"]
        super().__init__(f"An error occurred ({code}) when calling the {operation_name} operation")
        self.response = error_response


def client_error(code, message=""):
    cls = _ClientError or FakeClientError
    return cls({"Error": {"Code": code, "Message": message}}, "Invoke")


class FakeLambda:
    """Records invoke calls; refuses what Lambda refuses, or raises `error`."""

    def __init__(self, error=None, status_code=202):
        self.calls = []
        self.error = error
        self.status_code = status_code

    def invoke(self, **kwargs):
        self.calls.append(kwargs)
        if self.error is not None:
            raise self.error
        payload = kwargs["Payload"]
        if kwargs.get("InvocationType") == "Event" and len(payload) > ASYNC_PAYLOAD_LIMIT:
            message = (
                f"{len(payload)} byte payload is too large for the Event invocation type"
                f" (limit {ASYNC_PAYLOAD_LIMIT} bytes)"
            )
            raise client_error("RequestEntityTooLargeException", message)
        return {
            "StatusCode": self.status_code,
            "ResponseMetadata": {"RequestId": "lambda-req-1", "HTTPStatusCode": self.status_code},
        }


class Context:
    """A context without invoked_function_arn (the header path)."""

    aws_request_id = "dispatcher-req-1"
    function_name = "async-lambda-route-dispatcher"


DISPATCHER = "arn:aws:lambda:us-east-1:123456789012:function:tf-async-dispatcher"


class InvokedContext(Context):
    """The context of an invocation through `qualifier` (None: unqualified) of the dispatcher `arn`."""

    def __init__(self, qualifier=None, arn=DISPATCHER):
        self.invoked_function_arn = arn if qualifier is None else f"{arn}:{qualifier}"


class DispatcherCase(unittest.TestCase):
    def dispatch(self, event, fake=None, context=None):
        """Runs the handler with a fake Lambda; returns (answer, fake, log lines)."""
        fake = fake or FakeLambda()
        out = io.StringIO()
        with mock.patch.object(dispatcher, "lambda_client", return_value=fake), contextlib.redirect_stdout(out):
            answer = dispatcher.handler(event, context or Context())
        logs = [json.loads(line) for line in out.getvalue().splitlines()]
        return answer, fake, logs

    def delivered(self, fake):
        self.assertEqual(len(fake.calls), 1)
        return json.loads(fake.calls[0]["Payload"])

    def assert_not_configured(self, event, context=None):
        answer, fake, logs = self.dispatch(event, context=context)
        self.assertEqual(fake.calls, [], "nothing may be invoked")
        self.assertEqual(answer["statusCode"], 500)
        self.assertEqual(answer["headers"], {"content-type": "application/json"})
        self.assertIn("not configured", json.loads(answer["body"])["message"])
        self.assertEqual(len(logs), 1)
        self.assertEqual(logs[0]["event"], "not_configured")
        self.assertEqual(logs[0]["requestId"], event.get("requestContext", {}).get("requestId"))


# --- forwarding and answers ------------------------------------------------


class ForwardingTest(DispatcherCase):
    def test_each_event_is_queued_unchanged_and_answered_as_configured(self):
        for name, make in EVENTS.items():
            for label, cfg in [("default", DEFAULT), ("custom", CUSTOM)]:
                with self.subTest(event=name, config=label):
                    original = make()
                    event = with_config(original, encode_config(cfg))
                    sent = copy.deepcopy(event)
                    answer, fake, logs = self.dispatch(event)

                    self.assertEqual(event, sent, "the handler must not modify its input")
                    call = fake.calls[0]
                    self.assertEqual(call["InvocationType"], "Event")
                    self.assertEqual(call["FunctionName"], FUNCTION)
                    if cfg["qualifier"] is None:
                        self.assertNotIn("Qualifier", call)
                    else:
                        self.assertEqual(call["Qualifier"], cfg["qualifier"])
                    self.assertIsInstance(call["Payload"], bytes)
                    self.assertEqual(self.delivered(fake), original)

                    request_id = original["requestContext"]["requestId"]
                    if label == "default":
                        self.assertEqual(
                            answer,
                            {
                                "statusCode": 202,
                                "headers": {"content-type": "application/json"},
                                "body": json.dumps({"accepted": True, "requestId": request_id}),
                                "isBase64Encoded": False,
                            },
                        )
                        self.assertEqual(json.loads(answer["body"]), {"accepted": True, "requestId": request_id})
                    else:
                        self.assertEqual(
                            answer,
                            {"statusCode": 200, "headers": {"x-queued": "yes"}, "body": "ok", "isBase64Encoded": False},
                        )

                    self.assertEqual(len(logs), 1)
                    self.assertEqual(logs[0]["event"], "queued")
                    self.assertEqual(logs[0]["requestId"], request_id)
                    self.assertEqual(logs[0]["routeKey"], original["routeKey"])
                    self.assertEqual(logs[0]["lambdaRequestId"], "lambda-req-1")
                    target = FUNCTION + (":" + cfg["qualifier"] if cfg["qualifier"] else "")
                    self.assertEqual(logs[0]["target"], target)

    def test_the_payload_is_compact_utf8_json(self):
        event = with_config(EVENTS["unicode"](), encode_config(DEFAULT))
        _, fake, _ = self.dispatch(event)
        payload = fake.calls[0]["Payload"]
        self.assertIn("\U0001f600".encode(), payload)  # not a 12-byte \\ud83d\\ude00 escape
        self.assertIn(b"NUL[\\u0000]", payload)  # control characters stay escaped
        self.assertNotIn(b'", "', payload)

    def test_a_lone_surrogate_is_still_delivered(self):
        original = _with(body="half a pair: \ud83d")
        _, fake, _ = self.dispatch(with_config(original, encode_config(DEFAULT)))
        self.assertEqual(self.delivered(fake), original)

    def test_configured_headers_with_a_content_type_keep_it(self):
        cfg = config(headers={"Content-Type": "application/vnd.api+json", "x-a": "b"})
        answer, _, _ = self.dispatch(with_config(aws_example(), encode_config(cfg)))
        self.assertEqual(answer["headers"], {"Content-Type": "application/vnd.api+json", "x-a": "b"})
        self.assertEqual(json.loads(answer["body"]), {"accepted": True, "requestId": "id"})

    def test_configured_status_headers_and_body(self):
        cfg = config(status=201, headers={"location": "/queue", "cache-control": "no-store"}, body="")
        answer, _, _ = self.dispatch(with_config(aws_example(), encode_config(cfg)))
        self.assertEqual(
            answer,
            {
                "statusCode": 201,
                "headers": {"location": "/queue", "cache-control": "no-store"},
                "body": "",
                "isBase64Encoded": False,
            },
        )

    def test_the_header_is_matched_in_any_case_and_removed(self):
        original = aws_example()
        answer, fake, _ = self.dispatch(with_config(original, encode_config(CUSTOM), name="X-Async-Lambda-Route"))
        self.assertEqual(answer["statusCode"], 200)
        self.assertEqual(self.delivered(fake), original)

    def test_the_providers_encoding(self):
        # As provider/src/aws/dispatcher/route_config.rs writes it: compact JSON,
        # "v" first, every key present, base64url without padding.
        raw = '{"v":1,"function":"FN","qualifier":"live","status":204,"headers":{"x-a":"b"},"body":null}'
        raw = raw.replace("FN", FUNCTION)
        value = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
        answer, fake, _ = self.dispatch(with_config(aws_example(), value))
        self.assertEqual(fake.calls[0]["FunctionName"], FUNCTION)
        self.assertEqual(fake.calls[0]["Qualifier"], "live")
        self.assertEqual(answer["statusCode"], 204)
        self.assertEqual(answer["headers"], {"x-a": "b", "content-type": "application/json"})

    def test_padding_is_tolerated(self):
        raw = next(r for r in (json.dumps(config(body="x" * n)).encode() for n in range(3)) if len(r) % 3)
        padded = base64.urlsafe_b64encode(raw).decode()
        self.assertTrue(padded.endswith("="))
        answer, fake, _ = self.dispatch(with_config(aws_example(), padded))
        self.assertEqual(answer["statusCode"], 202)
        self.assertEqual(len(fake.calls), 1)

    def test_a_payload_just_under_the_quota_is_queued_and_one_over_is_413(self):
        base = _with(body="")
        size = len(dispatcher._encode(base))
        under = _with(body="x" * (ASYNC_PAYLOAD_LIMIT - size))
        over = _with(body="x" * (ASYNC_PAYLOAD_LIMIT - size + 1))
        self.assertEqual(len(dispatcher._encode(under)), ASYNC_PAYLOAD_LIMIT)

        answer, fake, _ = self.dispatch(with_config(under, encode_config(DEFAULT)))
        self.assertEqual(answer["statusCode"], 202)
        self.assertEqual(len(fake.calls[0]["Payload"]), ASYNC_PAYLOAD_LIMIT)

        answer, _, logs = self.dispatch(with_config(over, encode_config(DEFAULT)))
        self.assertEqual(answer["statusCode"], 413)
        self.assertEqual(logs[0]["errorCode"], "RequestEntityTooLargeException")


# --- not configured --------------------------------------------------------


class NotConfiguredTest(DispatcherCase):
    def test_missing(self):
        self.assert_not_configured(aws_example())
        self.assert_not_configured(_with(headers=None))
        self.assert_not_configured(_with(headers={}))

    def test_sent_by_a_client_in_another_case_with_a_forged_value(self):
        self.assert_not_configured(with_config(aws_example(), "forged", name="X-ASYNC-LAMBDA-ROUTE"))

    def test_two_spellings_are_ambiguous(self):
        event = with_config(aws_example(), encode_config(DEFAULT))
        event["headers"]["X-Async-Lambda-Route"] = encode_config(CUSTOM)
        self.assert_not_configured(event)

    def test_garbage(self):
        garbage = [
            "",
            "not base64!",
            "a,b",  # duplicates joined by a comma
            encode_config(DEFAULT) + "," + encode_config(DEFAULT),
            base64.urlsafe_b64encode(b"not json").decode().rstrip("="),
            base64.urlsafe_b64encode(b"\xff\xfe{}").decode().rstrip("="),
            base64.urlsafe_b64encode(b"[1, 2]").decode().rstrip("="),
            base64.b64encode(json.dumps(config(function="a?b>" * 4)).encode()).decode(),  # + and /
        ]
        for value in garbage:
            with self.subTest(value=value):
                self.assert_not_configured(with_config(aws_example(), value))

    def test_wrong_version(self):
        for v in [0, 2, "1", 1.5, True, None]:
            with self.subTest(v=v):
                self.assert_not_configured(with_config(aws_example(), encode_config(config(v=v))))
        cfg = config()
        del cfg["v"]
        self.assert_not_configured(with_config(aws_example(), encode_config(cfg)))

    def test_invalid_fields(self):
        invalid = [
            {"function": ""},
            {"function": None},
            {"function": 42},
            {"qualifier": ""},
            {"qualifier": 3},
            {"status": 199},
            {"status": 600},
            {"status": "202"},
            {"status": True},
            {"status": None},
            {"headers": ["a", "b"]},
            {"headers": {"x-a": 1}},
            {"headers": {"": "x"}},
            {"body": {"json": "object"}},
            {"body": 1},
        ]
        for fields in invalid:
            with self.subTest(fields=fields):
                self.assert_not_configured(with_config(aws_example(), encode_config(config(**fields))))


# --- refusals --------------------------------------------------------------


class TimeoutLike(Exception):
    """Like botocore's ReadTimeoutError: no .response."""


class RefusalTest(DispatcherCase):
    CASES = (
        (client_error("RequestEntityTooLargeException", "2000000 byte payload is too large"), 413),
        (client_error("SerializedRequestEntityTooLargeException"), 413),
        (client_error("ResourceNotFoundException", f"Function not found: {FUNCTION}:live"), 502),
        (client_error("TooManyRequestsException", "Rate Exceeded."), 503),
        (client_error("ResourceConflictException", "The function is currently in the Pending state"), 503),
        (client_error("AccessDeniedException", f"not authorized to perform lambda:InvokeFunction on {FUNCTION}"), 502),
        (client_error("KMSAccessDeniedException"), 502),
        (client_error("ServiceException", "Internal error"), 502),
        (TimeoutLike(f"Read timeout on endpoint URL for {FUNCTION}"), 502),
    )

    def test_refusals_are_never_2xx_and_name_nothing_internal(self):
        for error, status in self.CASES:
            code = dispatcher._error_code(error)
            with self.subTest(code=code):
                event = with_config(aws_example(), encode_config(CUSTOM))
                answer, fake, logs = self.dispatch(event, FakeLambda(error=error))
                self.assertEqual(len(fake.calls), 1)
                self.assertEqual(answer["statusCode"], status)
                self.assertFalse(200 <= answer["statusCode"] < 300)
                self.assertEqual(answer["headers"]["content-type"], "application/json")
                self.assertFalse(answer["isBase64Encoded"])
                self.assertIsInstance(json.loads(answer["body"])["message"], str)
                if status == 503:
                    self.assertEqual(answer["headers"]["retry-after"], "1")
                text = json.dumps(answer)
                self.assertNotIn("arn:", text)
                self.assertNotIn(FUNCTION_NAME, text)
                self.assertNotIn("123456789012", text)
                # The logs (private) say what happened.
                self.assertEqual(len(logs), 1)
                self.assertEqual(logs[0]["event"], "refused")
                self.assertEqual(logs[0]["requestId"], "id")
                self.assertEqual(logs[0]["errorCode"], code)
                self.assertEqual(logs[0]["target"], FUNCTION + ":live")

    def test_error_codes(self):
        self.assertEqual(dispatcher._error_code(client_error("TooManyRequestsException")), "TooManyRequestsException")
        self.assertEqual(dispatcher._error_code(FakeClientError({"Error": {"Code": "X"}}, "Invoke")), "X")
        self.assertEqual(dispatcher._error_code(TimeoutLike()), "TimeoutLike")

    def test_an_unexpected_status_code_is_not_success(self):
        answer, _, logs = self.dispatch(with_config(aws_example(), encode_config(DEFAULT)), FakeLambda(status_code=200))
        self.assertEqual(answer["statusCode"], 502)
        self.assertEqual(logs[0]["event"], "refused")


# --- REST API methods: the alias is the config --------------------------------


def target(name, partition="aws", region="us-east-1", account="123456789012"):
    return f"arn:{partition}:lambda:{region}:{account}:function:{name}"


def json_bytes(event):
    """The event as the dispatcher's payload must be: compact UTF-8 JSON of exactly that event."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def with_client_header(event, value):
    """A REST request whose client sent x-async-lambda-route itself (REST keeps every header)."""
    event = copy.deepcopy(event)
    event["headers"][dispatcher.CONFIG_HEADER] = value
    event["multiValueHeaders"][dispatcher.CONFIG_HEADER] = [value]
    return event


class AliasConfigTest(DispatcherCase):
    # (alias, target function name, qualifier, status)
    VALID = (
        ("to-202-6-worker", "worker", None, 202),
        ("to-202-6-worker-live", "worker", "live", 202),
        ("to-200-13-orders-worker-7", "orders-worker", "7", 200),
        ("to-201-9-a-b_c-d-e-live-1", "a-b_c-d-e", "live-1", 201),
        ("to-204-10-my_fn_v2-_-prod_blue", "my_fn_v2-_", "prod_blue", 204),
        ("to-599-1-x", "x", None, 599),
        ("to-200-2-42-12", "42", "12", 200),
        ("to-202-64-" + "f" * 64, "f" * 64, None, 202),
        ("to-202-64-" + "f" * 60 + "-_-_-v", "f" * 60 + "-_-_", "v", 202),
    )

    def test_each_alias_configures_target_qualifier_and_status(self):
        for alias, name, qualifier, status in self.VALID:
            with self.subTest(alias=alias):
                original = rest_example()
                answer, fake, logs = self.dispatch(copy.deepcopy(original), context=InvokedContext(alias))
                call = fake.calls[0]
                self.assertEqual(call["FunctionName"], target(name))
                self.assertEqual(call["InvocationType"], "Event")
                if qualifier is None:
                    self.assertNotIn("Qualifier", call)
                else:
                    self.assertEqual(call["Qualifier"], qualifier)
                self.assertEqual(call["Payload"], json_bytes(original))
                self.assertEqual(answer["statusCode"], status)
                self.assertEqual(logs[0]["event"], "queued")
                self.assertEqual(logs[0]["target"], target(name) + (f":{qualifier}" if qualifier else ""))

    def test_the_config_is_the_alias_with_the_default_answer(self):
        config = dispatcher._alias_config("aws", "eu-west-1", "111122223333", "to-202-6-worker-live")
        self.assertEqual(
            config,
            {
                "function": "arn:aws:lambda:eu-west-1:111122223333:function:worker",
                "qualifier": "live",
                "status": 202,
                "headers": {},
                "body": None,
            },
        )
        self.assertIsNone(dispatcher._alias_config("aws", "eu-west-1", "1", "to-202-6-worker")["qualifier"])

    def test_the_target_is_in_the_dispatchers_partition_region_and_account(self):
        dispatchers = [
            ("aws-cn", "cn-north-1", "210987654321"),
            ("aws-us-gov", "us-gov-west-1", "123456789012"),
            ("aws", "ap-southeast-2", "000000000000"),
        ]
        for partition, region, account in dispatchers:
            with self.subTest(partition=partition):
                arn = f"arn:{partition}:lambda:{region}:{account}:function:tf-async-dispatcher"
                context = InvokedContext("to-202-6-worker-live", arn=arn)
                _, fake, _ = self.dispatch(rest_example(), context=context)
                self.assertEqual(fake.calls[0]["FunctionName"], target("worker", partition, region, account))
                self.assertEqual(fake.calls[0]["Qualifier"], "live")

    def test_the_event_is_forwarded_byte_for_byte_with_a_client_config_header(self):
        # A client's x-async-lambda-route means nothing on a REST API: it is
        # neither read (the forged config would answer 200 "ok") nor removed.
        forged = encode_config(config(function=target("attacker"), status=200, body="ok"))
        original = with_client_header(rest_example(), forged)
        event = copy.deepcopy(original)
        answer, fake, _ = self.dispatch(event, context=InvokedContext("to-202-6-worker"))

        self.assertEqual(event, original, "the handler must not modify its input")
        self.assertEqual(fake.calls[0]["FunctionName"], target("worker"))
        self.assertEqual(fake.calls[0]["Payload"], json_bytes(original))
        self.assertEqual(self.delivered(fake), original)
        self.assertEqual(self.delivered(fake)["headers"][dispatcher.CONFIG_HEADER], forged)
        self.assertEqual(answer["statusCode"], 202)

    def test_hostile_bodies_are_forwarded_byte_for_byte(self):
        bodies = [
            ('{"q":"say \\"hi\\"","tpl":"$input.body ${x} #set($a=1)"}', False),
            ("emoji \U0001f600 RTL \u05e9\u05dc\u05d5\u05dd NUL[\x00] BOM[\ufeff]", False),
            (base64.b64encode(BINARY).decode("ascii"), True),
            ("", False),
        ]
        for body, is_base64 in bodies:
            with self.subTest(body=body[:20]):
                original = rest_example()
                original.update(httpMethod="POST", body=body, isBase64Encoded=is_base64)
                _, fake, _ = self.dispatch(copy.deepcopy(original), context=InvokedContext("to-202-6-worker"))
                self.assertEqual(fake.calls[0]["Payload"], json_bytes(original))
                self.assertEqual(self.delivered(fake), original)

    def test_the_default_body_with_the_request_id_and_the_alias_status(self):
        for status in (200, 202):
            with self.subTest(status=status):
                event = rest_example()
                answer, _, logs = self.dispatch(event, context=InvokedContext(f"to-{status}-6-worker-live"))
                self.assertEqual(
                    answer,
                    {
                        "statusCode": status,
                        "headers": {"content-type": "application/json"},
                        "body": json.dumps({"accepted": True, "requestId": "id="}),
                        "isBase64Encoded": False,
                    },
                )
                self.assertEqual(len(logs), 1)
                self.assertEqual(logs[0]["event"], "queued")
                self.assertEqual(logs[0]["requestId"], "id=")
                self.assertEqual(logs[0]["lambdaRequestId"], "lambda-req-1")

    def test_the_logged_route_key_of_a_rest_event_is_method_and_resource(self):
        event = rest_example()
        self.assertNotIn("routeKey", event)
        _, _, logs = self.dispatch(event, context=InvokedContext("to-202-6-worker"))
        self.assertEqual(logs[0]["routeKey"], "GET /my/{proxy+}")

        event.update(httpMethod="POST", resource="/orders")
        _, _, logs = self.dispatch(event, context=InvokedContext("to-202-6-worker"))
        self.assertEqual(logs[0]["routeKey"], "POST /orders")

    def test_refusals_are_mapped_as_for_the_header(self):
        for error, status in RefusalTest.CASES:
            code = dispatcher._error_code(error)
            with self.subTest(code=code):
                answer, fake, logs = self.dispatch(
                    rest_example(), FakeLambda(error=error), context=InvokedContext("to-202-6-worker-live")
                )
                self.assertEqual(len(fake.calls), 1)
                self.assertEqual(answer["statusCode"], status)
                if status == 503:
                    self.assertEqual(answer["headers"]["retry-after"], "1")
                self.assertNotIn("worker", json.dumps(answer))
                self.assertEqual(logs[0]["event"], "refused")
                self.assertEqual(logs[0]["errorCode"], code)
                self.assertEqual(logs[0]["target"], target("worker") + ":live")

    def test_a_rest_event_over_the_quota_is_413(self):
        event = rest_example()
        event.update(httpMethod="POST", body="x" * ASYNC_PAYLOAD_LIMIT)
        answer, fake, logs = self.dispatch(event, context=InvokedContext("to-202-6-worker"))
        self.assertEqual(len(fake.calls), 1)
        self.assertEqual(answer["statusCode"], 413)
        self.assertEqual(logs[0]["errorCode"], "RequestEntityTooLargeException")


class AliasNotConfiguredTest(DispatcherCase):
    MALFORMED = (
        # not the prefix
        "live",
        "to",
        "TO-202-6-worker",
        "from-202-6-worker",
        "to202-6-worker",
        "to-202-6worker",
        "to_202_6_worker",
        # status: 3 digits, 200..599
        "to-20-6-worker",
        "to-2020-6-worker",
        "to-199-6-worker",
        "to-600-6-worker",
        "to-099-6-worker",
        "to-2a2-6-worker",
        "to-20\u0662-6-worker",  # ARABIC-INDIC DIGIT TWO
        # n: 1..64, no leading zero, the name's length
        "to-202-5-worker",
        "to-202-7-worker",
        "to-202-3-worker",
        "to-202-0-worker",
        "to-202-0--worker",
        "to-202-06-worker",
        "to-202-006-worker",
        "to-202--6-worker",
        "to-202-x-worker",
        "to-202-65-" + "f" * 65,
        "to-202-100-" + "f" * 100,
        "to-202-6-",
        "to-202-6",
        # characters
        "to-202-6-work.r",
        "to-202-6-w\u00f6rker",
        "to-202-6-worker-li.ve",
        "to-202-6-worker-$LATEST",
        "to-202-6-wor ker",
        # nothing, or "-" and a non-empty qualifier, after the name
        "to-202-6-worker-",
        "to-202-6-workerlive",
        # other qualifiers
        "1",
        "$LATEST",
        "",
    )

    def test_each_malformed_alias_is_500_and_nothing_is_invoked(self):
        for alias in self.MALFORMED:
            with self.subTest(alias=alias):
                self.assert_not_configured(rest_example(), InvokedContext(alias))
                # A valid header does not make up for an invalid alias.
                self.assert_not_configured(with_config(aws_example(), encode_config(DEFAULT)), InvokedContext(alias))

    def test_a_qualified_arn_that_is_no_function_arn(self):
        for arn in [
            "arn:aws:lambda:us-east-1:123456789012:layer:tf-async-dispatcher:to-202-6-worker",
            DISPATCHER + ":to-202-6-worker:extra",
            "arn:aws:lambda:us-east-1::function:tf-async-dispatcher:to-202-6-worker",
        ]:
            with self.subTest(arn=arn):
                context = InvokedContext()
                context.invoked_function_arn = arn
                self.assert_not_configured(rest_example(), context)

    def test_the_log_names_the_alias(self):
        _, _, logs = self.dispatch(rest_example(), context=InvokedContext("to-199-6-worker"))
        self.assertIn("to-199-6-worker", logs[0]["reason"])


class UnqualifiedTest(DispatcherCase):
    def test_an_unqualified_invocation_of_a_2_0_event_uses_the_header(self):
        for context in [InvokedContext(), Context()]:
            with self.subTest(context=type(context).__name__):
                original = aws_example()
                answer, fake, logs = self.dispatch(with_config(original, encode_config(CUSTOM)), context=context)
                self.assertEqual(fake.calls[0]["FunctionName"], FUNCTION)
                self.assertEqual(fake.calls[0]["Qualifier"], "live")
                self.assertEqual(self.delivered(fake), original)
                self.assertEqual(
                    answer, {"statusCode": 200, "headers": {"x-queued": "yes"}, "body": "ok", "isBase64Encoded": False}
                )
                self.assertEqual(logs[0]["routeKey"], "$default")

    def test_an_unqualified_invocation_without_the_header_is_500(self):
        answer, fake, _ = self.dispatch(rest_example(), context=InvokedContext())
        self.assertEqual(answer["statusCode"], 500)
        self.assertEqual(fake.calls, [])

    def test_a_client_header_in_an_unqualified_rest_event_is_not_a_configuration(self):
        # A REST API invoking the dispatcher without an alias (made by hand):
        # the header is a client's, whatever it says.
        for context in [InvokedContext(), Context()]:
            with self.subTest(context=type(context).__name__):
                forged = rest_example()
                forged["headers"]["x-async-lambda-route"] = encode_config(DEFAULT)
                answer, fake, _ = self.dispatch(forged, context=context)
                self.assertEqual(answer["statusCode"], 500)
                self.assertEqual(fake.calls, [])

    def test_a_context_whose_arn_is_not_a_string_is_unqualified(self):
        context = InvokedContext()
        context.invoked_function_arn = None
        answer, fake, _ = self.dispatch(with_config(aws_example(), encode_config(DEFAULT)), context=context)
        self.assertEqual(answer["statusCode"], 202)
        self.assertNotIn("Qualifier", fake.calls[0])


# --- the Lambda client -----------------------------------------------------


class ClientTest(unittest.TestCase):
    def test_one_client_with_short_timeouts_and_few_attempts(self):
        made = []
        boto3 = types.ModuleType("boto3")
        boto3.client = lambda service, **kw: made.append((service, kw)) or object()
        botocore = types.ModuleType("botocore")
        botocore_config = types.ModuleType("botocore.config")
        botocore_config.Config = lambda **kw: kw
        modules = {"boto3": boto3, "botocore": botocore, "botocore.config": botocore_config}
        with mock.patch.dict(sys.modules, modules), mock.patch.object(dispatcher, "_client", None):
            first = dispatcher.lambda_client()
            self.assertIs(dispatcher.lambda_client(), first)
        self.assertEqual(len(made), 1)
        service, kw = made[0]
        self.assertEqual(service, "lambda")
        cfg = kw["config"]
        self.assertLessEqual(cfg["connect_timeout"], 3)
        self.assertLessEqual(cfg["read_timeout"], 10)
        self.assertEqual(cfg["retries"]["mode"], "standard")
        self.assertLessEqual(cfg["retries"]["max_attempts"], 3)


# --- what the target's libraries make of the delivered event ---------------


class ConsumersTest(DispatcherCase):
    def setUp(self):
        if CONSUMERS_MISSING:
            self.fail(CONSUMERS_MISSING)

    def delivered_events(self):
        for name, make in EVENTS.items():
            original = make()
            _, fake, _ = self.dispatch(with_config(original, encode_config(DEFAULT)))
            yield name, original, self.delivered(fake)

    @staticmethod
    def body_bytes(event):
        body = event.get("body")
        if body is None:
            return b""
        if event.get("isBase64Encoded"):
            return base64.b64decode(body, validate=True)
        return body.encode("utf-8")

    def test_powertools_parser_model(self):
        for name, original, delivered in self.delivered_events():
            with self.subTest(event=name):
                model = APIGatewayProxyEventV2Model.model_validate(delivered)
                self.assertEqual(model.version, "2.0")
                self.assertEqual(model.routeKey, original["routeKey"])
                self.assertEqual(model.rawPath, original["rawPath"])
                self.assertEqual(model.rawQueryString, original["rawQueryString"])
                self.assertEqual(model.headers, original["headers"])
                self.assertNotIn(dispatcher.CONFIG_HEADER, model.headers)
                self.assertEqual(model.cookies, original.get("cookies"))
                self.assertEqual(model.queryStringParameters, original.get("queryStringParameters"))
                self.assertEqual(model.pathParameters, original.get("pathParameters"))
                self.assertEqual(model.body, original.get("body"))
                self.assertEqual(model.isBase64Encoded, original["isBase64Encoded"])
                self.assertEqual(model.requestContext.requestId, original["requestContext"]["requestId"])
                self.assertEqual(model.requestContext.http.method, original["requestContext"]["http"]["method"])

    def test_powertools_data_class(self):
        for name, original, delivered in self.delivered_events():
            with self.subTest(event=name):
                data = APIGatewayProxyEventV2(delivered)
                self.assertEqual(data.raw_path, original["rawPath"])
                self.assertEqual(data.raw_query_string, original["rawQueryString"])
                self.assertEqual(dict(data.headers), original["headers"])
                self.assertIsNone(data.headers.get(dispatcher.CONFIG_HEADER))
                self.assertEqual(data.cookies or [], original.get("cookies", []))
                self.assertEqual(data.query_string_parameters or {}, original.get("queryStringParameters", {}))
                self.assertEqual(data.is_base64_encoded, original["isBase64Encoded"])
                self.assertEqual(data.body, original.get("body"))
                if not original["isBase64Encoded"]:
                    self.assertEqual(data.decoded_body, original.get("body"))
                self.assertEqual(data.request_context.request_id, original["requestContext"]["requestId"])
                self.assertEqual(data.request_context.http.method, original["requestContext"]["http"]["method"])

    def test_mangum_starlette(self):
        for name, original, delivered in self.delivered_events():
            with self.subTest(event=name):
                seen, response = run_mangum(delivered)
                self.assertEqual(response["statusCode"], 200, response)
                http = original["requestContext"]["http"]
                self.assertEqual(seen["method"], http["method"])
                self.assertEqual(seen["path"], http["path"])
                self.assertEqual(seen["query_string"], original["rawQueryString"].encode())
                expected = {k.encode(): v.encode() for k, v in original["headers"].items()}
                if original.get("cookies"):
                    expected[b"cookie"] = "; ".join(original["cookies"]).encode()
                self.assertEqual(dict(seen["headers"]), expected)
                self.assertEqual(len(seen["headers"]), len(expected))
                self.assertEqual(seen["body"], self.body_bytes(original))
                if name == "repeated-query-values":
                    self.assertEqual(seen["query_items"], [("a", "1"), ("a", "2"), ("b", "x,y")])
                if name == "binary-base64":
                    self.assertEqual(seen["body"], BINARY)


class RestConsumersTest(DispatcherCase):
    def setUp(self):
        if CONSUMERS_MISSING:
            self.fail(CONSUMERS_MISSING)

    def delivered_rest_event(self):
        original = with_client_header(rest_example(), "client-value")
        _, fake, _ = self.dispatch(copy.deepcopy(original), context=InvokedContext("to-202-6-worker"))
        return original, self.delivered(fake)

    def test_powertools_parser_model(self):
        original, delivered = self.delivered_rest_event()
        model = APIGatewayProxyEventModel.model_validate(delivered)
        self.assertEqual(model.resource, original["resource"])
        self.assertEqual(model.path, original["path"])
        self.assertEqual(model.httpMethod, original["httpMethod"])
        self.assertEqual(model.headers, original["headers"])
        self.assertEqual(model.multiValueHeaders, original["multiValueHeaders"])
        self.assertEqual(model.multiValueQueryStringParameters, original["multiValueQueryStringParameters"])
        self.assertEqual(model.pathParameters, original["pathParameters"])
        self.assertEqual(model.stageVariables, original["stageVariables"])
        self.assertIsNone(model.body)
        self.assertEqual(model.requestContext.requestId, original["requestContext"]["requestId"])
        self.assertEqual(model.requestContext.resourcePath, original["requestContext"]["resourcePath"])

    def test_powertools_data_class(self):
        original, delivered = self.delivered_rest_event()
        data = APIGatewayProxyEvent(delivered)
        self.assertEqual(data.resource, original["resource"])
        self.assertEqual(data.path, original["path"])
        self.assertEqual(data.http_method, original["httpMethod"])
        self.assertEqual(data.headers.get(dispatcher.CONFIG_HEADER), "client-value")
        self.assertEqual(data.multi_value_query_string_parameters, original["multiValueQueryStringParameters"])
        self.assertEqual(data.request_context.request_id, original["requestContext"]["requestId"])

    def test_mangum_starlette(self):
        original, delivered = self.delivered_rest_event()
        seen, response = run_mangum(delivered)
        self.assertEqual(response["statusCode"], 200, response)
        self.assertEqual(seen["method"], "GET")
        self.assertEqual(seen["path"], original["path"])
        self.assertEqual(
            seen["query_items"], [("parameter1", "value1"), ("parameter1", "value2"), ("parameter2", "value")]
        )
        # Mangum reads multiValueHeaders, and joins a header's values.
        self.assertEqual(
            [tuple(h) for h in seen["headers"]],
            [(b"header1", b"value1"), (b"header2", b"value1, value2"), (b"x-async-lambda-route", b"client-value")],
        )
        self.assertEqual(seen["body"], b"")


def run_mangum(event):
    """Runs the event through Mangum into a tiny Starlette app; returns what the app saw and Mangum's answer."""
    seen = {}

    async def catch_all(request):
        seen.update(
            method=request.method,
            path=request.url.path,
            query_string=request.scope["query_string"],
            query_items=list(request.query_params.multi_items()),
            headers=list(request.headers.raw),
            body=await request.body(),
        )
        return PlainTextResponse("seen")

    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    app = Starlette(routes=[Route("/{rest:path}", catch_all, methods=methods)])
    response = Mangum(app, lifespan="off")(event, Context())
    return seen, response


if __name__ == "__main__":
    unittest.main()
