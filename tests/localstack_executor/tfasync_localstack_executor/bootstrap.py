"""Runs one Lambda invocation of a Python handler; started by executor.py.

Usage: python bootstrap.py RESULT_PATH  < request.json

The request (JSON on stdin) holds the event (as the raw payload string), the
request id, the invoked ARN, the deadline (epoch milliseconds) and the X-Ray
trace header. The handler named by ``_HANDLER`` ("module.function", the module
may be a path "dir/module") is imported from ``LAMBDA_TASK_ROOT`` and called with
the event and a context object. Its stdout and stderr are the invocation's
logs (the executor captures them). The outcome is written atomically to
RESULT_PATH as JSON: ``{"payload": "<JSON text>"}`` or ``{"error": {...}}``
with a Lambda-style error object, plus ``max_rss_kb``. If this process dies
before writing it (os._exit, sys.exit, a signal, the timeout kill), the
executor reports the failure itself.

This file is run as a script by whatever Python executes the handlers and
imports nothing but the standard library.
"""

import importlib
import json
import logging
import os
import sys
import time

# decimal and traceback are imported when needed: every invocation starts a new
# interpreter, so its start-up time is part of every invocation's duration.


class _Fault(Exception):
    """An error of the runtime itself (bad handler name, import failure...)."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


class LambdaContext:
    """The subset of the AWS Lambda Python context object handlers use."""

    def __init__(self, request_id, invoked_function_arn, deadline_ms):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        # A string, as in the AWS runtime.
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline_ms = int(deadline_ms)

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def __repr__(self):
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},"
            f"log_group_name={self.log_group_name},log_stream_name={self.log_stream_name},"
            f"function_name={self.function_name},memory_limit_in_mb={self.memory_limit_in_mb},"
            f"function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},"
            f"client_context={self.client_context},identity={self.identity}])"
        )


_THIS_FILE = os.path.abspath(__file__)


def _stack_trace(tb):
    # The AWS runtime's "stackTrace": one formatted frame per entry, without
    # the runtime's own frames.
    import traceback

    frames = [f for f in traceback.extract_tb(tb) if os.path.abspath(f.filename) != _THIS_FILE]
    return traceback.format_list(frames)


def _error_object(error_type, message, trace, request_id):
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": trace,
    }


def _log_error(error_type, message, trace):
    # Like the AWS runtime: one "[ERROR] Type: message" record with the traceback.
    text = f"[ERROR] {error_type}: {message}"
    if trace:
        text += "\nTraceback (most recent call last):\n" + "".join(trace).rstrip("\n")
    print(text, file=sys.stderr, flush=True)


def _load_handler(spec):
    try:
        module_name, function_name = spec.rsplit(".", 1)
    except ValueError as e:
        raise _Fault("Runtime.MalformedHandlerName", f"Bad handler '{spec}': {e}") from None
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise _Fault(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {e}"
        ) from None
    except SyntaxError as e:
        raise _Fault(
            "Runtime.UserCodeSyntaxError",
            f"Syntax error in module '{module_name}': {e}",
            _stack_trace(e.__traceback__),
        ) from None
    handler = getattr(module, function_name, None)
    if handler is None:
        raise _Fault(
            "Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'"
        )
    return handler


def _to_json(value):
    def default(o):
        # Like the AWS runtime's marshaller: Decimal values become numbers.
        if type(o).__module__ == "decimal" and type(o).__name__ == "Decimal":
            return float(o)
        raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")

    try:
        return json.dumps(value, default=default)
    except (TypeError, ValueError) as e:
        raise _Fault("Runtime.MarshalError", f"Unable to marshal response: {e}") from None


class _RequestIdFilter(logging.Filter):
    def __init__(self, request_id):
        super().__init__()
        self.request_id = request_id

    def filter(self, record):
        record.aws_request_id = self.request_id
        return True


def _setup_logging(request_id):
    # The AWS runtime installs a handler on the root logger (level left at WARNING).
    handler = logging.StreamHandler(sys.stdout)
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
        "%Y-%m-%dT%H:%M:%S",
    )
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(_RequestIdFilter(request_id))
    logging.getLogger().addHandler(handler)


def _max_rss_kb():
    # VmHWM, not getrusage(): on Linux ru_maxrss survives execve, so it would
    # report the peak of the (large) LocalStack process this one was forked from.
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _write_result(path, result):
    result["max_rss_kb"] = _max_rss_kb()
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(result, f)
    os.replace(tmp, path)


def main():
    result_path = sys.argv[1]
    request = json.loads(sys.stdin.buffer.read())
    # The handler gets an empty stdin, as in Lambda.
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)

    # sys.path[0] is this package's directory: replace it with the code's.
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(_THIS_FILE):
        del sys.path[0]
    sys.path.insert(0, task_root)
    if request.get("trace_id"):
        os.environ["_X_AMZN_TRACE_ID"] = request["trace_id"]

    request_id = request["request_id"]
    context = LambdaContext(request_id, request.get("invoked_function_arn"), request["deadline_ms"])
    _setup_logging(request_id)
    try:
        handler = _load_handler(os.environ.get("_HANDLER", ""))
        raw = request.get("event") or ""
        try:
            event = json.loads(raw) if raw.strip() else {}
        except ValueError as e:
            raise _Fault("Runtime.UnmarshalError", f"Unable to unmarshal input: {e}") from None
        result = {"payload": _to_json(handler(event, context))}
    except _Fault as f:
        _log_error(f.error_type, f.message, f.trace)
        result = {"error": _error_object(f.error_type, f.message, f.trace, request_id)}
    except Exception as e:
        error_type = type(e).__name__
        trace = _stack_trace(e.__traceback__)
        _log_error(error_type, str(e), trace)
        result = {"error": _error_object(error_type, str(e), trace, request_id)}
    sys.stdout.flush()
    sys.stderr.flush()
    _write_result(result_path, result)


if __name__ == "__main__":
    main()
