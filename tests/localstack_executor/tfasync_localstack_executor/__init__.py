"""LocalStack Lambda runtime executor that runs Python handlers as local subprocesses.

Test support for terraform-provider-async: LocalStack's only built-in runtime
executor starts Docker containers, and the machines the tests run on have no
Docker, so every function would end up in State=Failed. This plugin registers
the executor ``subprocess`` in the entry-point group
``localstack.lambda.runtime_executor``; LocalStack uses it when started with
``LAMBDA_RUNTIME_EXECUTOR=subprocess`` (``scripts/localstack.sh start`` does
that, and puts the directory this package is installed into on PYTHONPATH).

Every invocation runs in a fresh, short-lived Python process (see
``executor.py`` and ``bootstrap.py``). Only Zip-packaged ``python3.x`` functions
are supported; anything else fails at creation with a clear state reason.

Loading the plugin also makes LocalStack refuse asynchronous invokes over
Lambda's 1 MB payload limit, as AWS does (see ``payload_limit.py``).

This module is imported while LocalStack resolves its plugins: it imports only
the plugin base class; the executor itself is imported by ``load()``.
"""

from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin

__all__ = ["SubprocessRuntimeExecutorPlugin"]


class SubprocessRuntimeExecutorPlugin(RuntimeExecutorPlugin):
    name = "subprocess"

    def load(self, *args, **kwargs):
        from tfasync_localstack_executor.executor import SubprocessRuntimeExecutor
        from tfasync_localstack_executor.payload_limit import install

        # Lambda's 1 MB limit on asynchronous payloads (see payload_limit.py);
        # LocalStack loads this plugin before any function can run.
        install()
        return SubprocessRuntimeExecutor
