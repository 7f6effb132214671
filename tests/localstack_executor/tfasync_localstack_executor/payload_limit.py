"""Lambda's quota on asynchronous invocation payloads, which LocalStack lacks.

AWS refuses an Invoke with ``InvocationType=Event`` whose payload is larger than
1,048,576 bytes (Lambda quotas: "Invocation payload (request and response)",
1 MB for asynchronous invocations) with ``RequestEntityTooLargeException``,
HTTP 413 (Lambda API reference, "Invoke"), and the event is not queued.
LocalStack 4.13.1 queues it. ``install()`` makes it refuse such invokes as AWS
does, with AWS's message, e.g.
``1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)``.
Synchronous invokes are left alone.

The hook is ``LambdaService.invoke``, which the provider's Invoke handler calls
for every invocation (``self.lambda_service.invoke(...)``), so the method is
looked up at each call. ``LambdaProvider.invoke`` itself cannot be wrapped from
here: LocalStack binds it into the service's dispatch table when it creates the
service, before it loads this plugin (``LambdaProvider.on_after_init`` asks for
the runtime executor). The provider re-raises service exceptions unchanged, so
the client gets the 413 error.

Called from the plugin's ``load()``, which LocalStack calls again each time it
looks up the executor: installing is idempotent and thread-safe.
"""

from __future__ import annotations

import functools
import inspect
import logging
import threading

from localstack.services.lambda_.invocation.lambda_models import RequestEntityTooLargeException
from localstack.services.lambda_.invocation.lambda_service import LambdaService

LOG = logging.getLogger(__name__)

MAX_ASYNC_PAYLOAD_BYTES = 1_048_576

_lock = threading.Lock()


def _check(invocation_type, payload) -> None:
    if str(invocation_type or "") != "Event":
        return
    size = len(payload.encode("utf-8") if isinstance(payload, str) else payload or b"")
    if size > MAX_ASYNC_PAYLOAD_BYTES:
        raise RequestEntityTooLargeException(
            f"{size} byte payload is too large for the Event invocation type "
            f"(limit {MAX_ASYNC_PAYLOAD_BYTES} bytes)"
        )


def install() -> None:
    with _lock:
        original = LambdaService.invoke
        if getattr(original, "_tfasync_payload_limit", False):
            return
        signature = inspect.signature(original)

        @functools.wraps(original)
        def invoke(self, *args, **kwargs):
            # The provider passes keywords; bind so that positional calls work too.
            arguments = signature.bind(self, *args, **kwargs).arguments
            _check(arguments.get("invocation_type"), arguments.get("payload"))
            return original(self, *args, **kwargs)

        invoke._tfasync_payload_limit = True
        LambdaService.invoke = invoke
        LOG.info(
            "tfasync executor: Event invokes over %d bytes are refused (RequestEntityTooLargeException)",
            MAX_ASYNC_PAYLOAD_BYTES,
        )
