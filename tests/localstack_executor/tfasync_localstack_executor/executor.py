"""The ``subprocess`` runtime executor: one local Python process per invocation.

LocalStack drives an executor through an ``ExecutionEnvironment``: ``start()``
once with the Lambda environment, then ``invoke()`` one invocation at a time
(the environment is reserved while it runs; ``invoke`` may block until the
handler is done), ``stop()`` when the environment is retired (idle keep-alive,
function update or deletion, shutdown; possibly from another thread while an
invocation runs). ``prepare_version``/``cleanup_version`` run once per function
version; raising in ``prepare_version`` puts the function in State=Failed.

Each invocation runs ``bootstrap.py`` in a fresh interpreter (the one running
LocalStack unless TFASYNC_LAMBDA_PYTHON names another), in its own process
group inside LocalStack's session, with:
  * stdin: the request (event, request id, ARN, deadline) as JSON;
  * stdout and stderr: one log file, the invocation's logs;
  * argv[1]: the path the bootstrap writes the outcome to.
The function timeout is enforced here: when it passes, the whole process group
is killed and the result is Lambda's "Task timed out after N.00 seconds" error.
The timeout counts from the start of the process, so it includes the
interpreter start and the handler module's import (a few tens of ms).

The logs of each invocation, framed like Lambda's (START / END / REPORT lines),
are returned in the InvocationResult, which LocalStack writes to CloudWatch Logs
(/aws/lambda/NAME) and returns for ``LogType=Tail``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from localstack import config
from localstack.services.lambda_.invocation.lambda_models import (
    FunctionVersion,
    InvocationResult,
)
from localstack.services.lambda_.invocation.runtime_executor import (
    LambdaRuntimeException,
    RuntimeExecutor,
)

LOG = logging.getLogger(__name__)

BOOTSTRAP = Path(__file__).resolve().with_name("bootstrap.py")
# Optional: the Python interpreter that runs the handlers (default: LocalStack's own,
# whose venv also provides boto3, as the Lambda Python runtime does).
PYTHON_ENV_VAR = "TFASYNC_LAMBDA_PYTHON"
# Variables of LocalStack's own environment the handler processes inherit; the rest
# of their environment is the Lambda environment LocalStack computes.
PASSTHROUGH_ENV = ("PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "LC_CTYPE", "SYSTEMROOT")
# How much of an environment's logs get_logs() keeps (the most recent part).
MAX_KEPT_LOGS = 256 * 1024
# How much of one invocation's output is read back into the result.
MAX_INVOCATION_LOGS = 1024 * 1024


def _python() -> str:
    return os.environ.get(PYTHON_ENV_VAR) or sys.executable


def _error_payload(error_type: str, message: str) -> bytes:
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class SubprocessRuntimeExecutor(RuntimeExecutor):
    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id, function_version)
        self._lock = threading.Lock()
        self._env: dict[str, str] | None = None
        self._code_dir: Path | None = None
        self._workdir: str | None = None
        self._proc: subprocess.Popen | None = None
        self._stopped = False
        self._logs = ""

    # --- per function version ------------------------------------------------

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        cfg = function_version.config
        runtime = str(cfg.runtime or "")
        code = cfg.code
        if cfg.package_type != "Zip" or code is None or cfg.image is not None:
            raise LambdaRuntimeException(
                f"the 'subprocess' Lambda runtime executor (terraform-provider-async test "
                f"support) runs only Zip-packaged python3.x functions; "
                f"{function_version.qualified_arn} has package type {cfg.package_type}"
            )
        if not runtime.startswith("python3"):
            raise LambdaRuntimeException(
                f"the 'subprocess' Lambda runtime executor (terraform-provider-async test "
                f"support) runs only python3.x functions, as local Python processes; "
                f"runtime {runtime or '(none)'} is not supported"
            )
        code.prepare_for_execution()
        if cfg.layers:
            LOG.warning(
                "subprocess executor: layers of %s are ignored", function_version.qualified_arn
            )

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        # LocalStack deletes the unzipped code itself (code.destroy_cached()).
        pass

    @classmethod
    def validate_environment(cls) -> bool:
        python = _python()
        if not (os.path.isfile(python) and os.access(python, os.X_OK)):
            LOG.warning("subprocess executor: Python interpreter %r is not executable", python)
            return False
        return True

    # --- addresses -------------------------------------------------------------

    def get_address(self) -> str:
        # The "execution environment" is this host.
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        # How handlers reach LocalStack: its gateway, on this host.
        host = config.GATEWAY_LISTEN[0].host
        if not host or host in ("0.0.0.0", "::"):
            return "127.0.0.1"
        return f"[{host}]" if ":" in host else host

    def get_runtime_endpoint(self) -> str:
        # No callback API is used; this is the address the Docker executor would give.
        return (
            f"http://{self.get_endpoint_from_executor()}:{config.GATEWAY_LISTEN[0].port}"
            f"/_localstack_lambda/{self.id}"
        )

    # --- lifecycle ---------------------------------------------------------------

    def start(self, env_vars: dict[str, str]) -> None:
        fv = self.function_version
        code_dir = Path(fv.config.code.get_unzipped_code_location())
        if not code_dir.is_dir():
            raise LambdaRuntimeException(f"code of {fv.qualified_arn} not found at {code_dir}")
        env = {k: os.environ[k] for k in PASSTHROUGH_ENV if k in os.environ}
        env.setdefault("PATH", os.defpath)
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        for key, value in env_vars.items():
            if value is not None:
                env[str(key)] = value if isinstance(value, str) else str(value)
        env["LAMBDA_TASK_ROOT"] = str(code_dir)
        env["LAMBDA_RUNTIME_DIR"] = str(BOOTSTRAP.parent)
        if env.get("AWS_EXECUTION_ENV", "AWS_Lambda_rapid") == "AWS_Lambda_rapid":
            env["AWS_EXECUTION_ENV"] = f"AWS_Lambda_{fv.config.runtime}"
        if not env.get("_HANDLER"):
            raise LambdaRuntimeException(f"{fv.qualified_arn} has no handler")
        workdir = tempfile.mkdtemp(prefix=f"tfasync-lambda-{self.id[:12]}-")
        with self._lock:
            self._env = env
            self._code_dir = code_dir
            self._workdir = workdir
            self._stopped = False
        LOG.debug(
            "subprocess executor %s ready for %s (handler %s, code %s)",
            self.id,
            fv.qualified_arn,
            env["_HANDLER"],
            code_dir,
        )

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            proc, self._proc = self._proc, None
            workdir, self._workdir = self._workdir, None
        if proc is not None:
            _kill_group(proc.pid)
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)

    def get_logs(self) -> str:
        return self._logs

    # --- invocation ----------------------------------------------------------------

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        request_id = payload.get("invoke-id") or str(uuid.uuid4())
        try:
            return self._invoke(request_id, payload)
        except Exception as e:  # never leave LocalStack's invocation without a result
            LOG.exception("subprocess executor %s: invocation %s failed", self.id, request_id)
            logs = f"START RequestId: {request_id}\n{e}\nEND RequestId: {request_id}\n"
            self._keep_logs(logs)
            return InvocationResult(
                request_id,
                _error_payload("Runtime.Unknown", f"RequestId: {request_id} Error: {e}"),
                True,
                logs,
            )

    def _invoke(self, request_id: str, payload: dict[str, str]) -> InvocationResult:
        fv = self.function_version
        timeout = float(fv.config.timeout or 3)
        with self._lock:
            env, code_dir, workdir, stopped = self._env, self._code_dir, self._workdir, self._stopped
        if stopped or env is None or workdir is None:
            raise LambdaRuntimeException("execution environment is not running")

        invocation_dir = tempfile.mkdtemp(prefix="invoke-", dir=workdir)
        try:
            request_path = os.path.join(invocation_dir, "request.json")
            log_path = os.path.join(invocation_dir, "output.log")
            result_path = os.path.join(invocation_dir, "result.json")
            started = time.time()
            request = {
                "request_id": request_id,
                "invoked_function_arn": payload.get("invoked-function-arn") or fv.qualified_arn,
                "event": payload.get("payload") or "",
                "trace_id": payload.get("trace-id"),
                "deadline_ms": int((started + timeout) * 1000),
            }
            with open(request_path, "w", encoding="utf-8") as f:
                json.dump(request, f)

            kwargs = {"process_group": 0} if sys.version_info >= (3, 11) else {"start_new_session": True}
            t0 = time.monotonic()
            with open(request_path, "rb") as stdin, open(log_path, "wb") as out:
                proc = subprocess.Popen(
                    [_python(), "-s", str(BOOTSTRAP), result_path],
                    stdin=stdin,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=str(code_dir),
                    close_fds=True,
                    **kwargs,
                )
            with self._lock:
                self._proc = proc
                stopped = self._stopped
            if stopped:  # stop() ran while the process was being started
                _kill_group(proc.pid)
            timed_out = False
            try:
                returncode = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                _kill_group(proc.pid)
                returncode = proc.wait()
            finally:
                # Whatever the handler left running in its process group goes too.
                _kill_group(proc.pid)
                with self._lock:
                    if self._proc is proc:
                        self._proc = None
                    stopped = self._stopped
            duration_ms = (time.monotonic() - t0) * 1000

            output = self._read_output(log_path)
            outcome = None
            if not timed_out:
                try:
                    with open(result_path, encoding="utf-8") as f:
                        outcome = json.load(f)
                except (OSError, ValueError):
                    outcome = None

            if timed_out:
                message = f"Task timed out after {timeout:.2f} seconds"
                stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
                output += f"{stamp}Z {request_id} {message}\n"
                result_payload = _error_payload(
                    "Sandbox.Timedout", f"RequestId: {request_id} Error: {message}"
                )
                is_error = True
            elif outcome is None:
                if returncode < 0:
                    try:
                        how = f"signal: {signal.Signals(-returncode).name}"
                    except ValueError:
                        how = f"signal {-returncode}"
                else:
                    how = f"exit status {returncode}"
                if stopped:
                    how += " (execution environment stopped)"
                message = f"Runtime exited with error: {how}"
                output += f"RequestId: {request_id} Error: {message}\nRuntime.ExitError\n"
                result_payload = _error_payload(
                    "Runtime.ExitError", f"RequestId: {request_id} Error: {message}"
                )
                is_error = True
            elif "error" in outcome:
                result_payload = json.dumps(outcome["error"]).encode()
                is_error = True
            else:
                result_payload = outcome["payload"].encode()
                is_error = False

            if output and not output.endswith("\n"):
                output += "\n"
            max_rss_kb = int((outcome or {}).get("max_rss_kb") or 0)
            logs = (
                f"START RequestId: {request_id} Version: {fv.id.qualifier}\n"
                f"{output}"
                f"END RequestId: {request_id}\n"
                f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
                f"Billed Duration: {int(duration_ms) + 1} ms\t"
                f"Memory Size: {fv.config.memory_size} MB\t"
                + (f"Max Memory Used: {max(1, max_rss_kb // 1024)} MB\t" if max_rss_kb else "")
                + ("Status: timeout\n" if timed_out else "\n")
            )
            self._keep_logs(logs)
            LOG.debug(
                "subprocess executor %s: invocation %s of %s took %.1f ms (error: %s)",
                self.id,
                request_id,
                fv.qualified_arn,
                duration_ms,
                is_error,
            )
            return InvocationResult(request_id, result_payload, is_error, logs)
        finally:
            shutil.rmtree(invocation_dir, ignore_errors=True)

    @staticmethod
    def _read_output(path: str) -> str:
        try:
            with open(path, "rb") as f:
                f.seek(0, os.SEEK_END)
                size = f.tell()
                skipped = max(0, size - MAX_INVOCATION_LOGS)
                f.seek(skipped)
                data = f.read()
        except OSError:
            return ""
        text = data.decode("utf-8", errors="replace")
        if skipped:
            text = f"[... {skipped} bytes of output dropped ...]\n" + text
        return text

    def _keep_logs(self, logs: str) -> None:
        with self._lock:
            self._logs = (self._logs + logs)[-MAX_KEPT_LOGS:]
