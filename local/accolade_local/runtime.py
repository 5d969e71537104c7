"""Lambda-like execution environments: one process pool per function, handlers run unchanged.

A worker process is one warm environment with the function's env, its code and layers first on
sys.path (as /var/task and /opt/python), the handler imported once. Hand-written: SAM's `local
invoke` needs Docker, and no library runs a Lambda handler in a warm, time-limited process.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Protocol

from accolade_local.template import FunctionSpec, LocalNames

__all__ = ["FunctionError", "FunctionWorkers", "Invoker", "LambdaContext"]

# Seconds the parent waits past the function timeout before it declares the worker hung.
_HANG_GRACE_S = 5.0
# Inherited variables that would let a handler reach a real AWS account.
_SCRUBBED_PREFIXES = ("AWS_", "BOTO_", "POWERTOOLS_")


class FunctionError(Exception):
    """The function failed: `payload` is Lambda's error object (errorType, errorMessage, ...)."""

    def __init__(self, payload: Mapping[str, Any]) -> None:
        self.payload: dict[str, Any] = dict(payload)
        super().__init__(f"{payload.get('errorType')}: {payload.get('errorMessage', '')}")


class Invoker(Protocol):
    """What the gateway, pollers and scheduler need from a function."""

    def invoke(self, event: Any) -> Any: ...


@dataclass
class LambdaContext:
    """The context object's attributes and method that handlers (and Powertools) use."""

    function_name: str = "accolade-local-function"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:accolade-local"
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/accolade-local-function"
    log_stream_name: str = "in-process"
    deadline: float = field(default_factory=lambda: time.monotonic() + 300)  # monotonic clock
    identity: Any = None
    client_context: Any = None

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


@dataclass
class _Worker:
    """This worker process's function (set by _init_worker)."""

    spec: FunctionSpec
    arn: str
    handler: Any = None
    init_error: dict[str, Any] | None = None


_worker: _Worker


class _SandboxTimeout(BaseException):
    """Raised into the handler when its time is up (BaseException: handlers must not catch it)."""


def _error(
    error_type: str, message: str, request_id: str = "", exc: BaseException | None = None
) -> dict[str, Any]:
    """Lambda's error object; with the stack trace of `exc` when there is one."""
    payload = {"errorType": error_type, "errorMessage": message, "requestId": request_id}
    if exc is None:
        return payload
    stack = traceback.format_list(traceback.extract_tb(exc.__traceback__))
    return {**payload, "stackTrace": [line.rstrip("\n") for line in stack]}


def _init_worker(spec: FunctionSpec, env: dict[str, str], arn: str) -> None:
    # The parent owns shutdown: Ctrl-C in the terminal must not kill workers mid-invocation.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _worker  # noqa: PLW0603 - one function per worker process
    _worker = _Worker(spec, arn)
    for key in [k for k in os.environ if k.startswith(_SCRUBBED_PREFIXES)]:
        del os.environ[key]
    os.environ.update(env)
    time.tzset()
    sys.path[:0] = [str(path) for path in (spec.code_uri, *spec.layers)]
    module_name, _, name = spec.handler.rpartition(".")
    try:
        _worker.handler = getattr(importlib.import_module(module_name), name)
    except AttributeError as exc:
        message = f"Handler '{name}' missing on module '{module_name}'"
        _worker.init_error = _error("Runtime.HandlerNotFound", message, exc=exc)
    except Exception as exc:
        message = f"Unable to import module '{module_name}': {exc}"
        _worker.init_error = _error("Runtime.ImportModuleError", message, exc=exc)


def _on_alarm(signum: int, frame: Any) -> None:
    raise _SandboxTimeout


def _run(event: Any, request_id: str) -> tuple[bool, Any]:
    """Invoke the handler once; (True, JSON text) or (False, error payload)."""
    spec = _worker.spec
    if _worker.init_error is not None:
        return False, {**_worker.init_error, "requestId": request_id}
    context = LambdaContext(
        function_name=spec.name,
        invoked_function_arn=_worker.arn,
        memory_limit_in_mb=spec.memory,
        aws_request_id=request_id,
        log_group_name=f"/aws/lambda/{spec.name}",
        log_stream_name=f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}",
        deadline=time.monotonic() + spec.timeout,
    )
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, spec.timeout)
    try:
        result = _worker.handler(event, context)
    except _SandboxTimeout:
        return False, _timed_out(spec, request_id)
    except Exception as exc:
        return False, _error(type(exc).__name__, str(exc), request_id, exc)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    try:
        # The runtime hands JSON back to the caller, never Python objects.
        return True, json.dumps(result)
    except (TypeError, ValueError) as exc:
        message = f"Unable to marshal response: {exc}"
        return False, _error("Runtime.MarshalError", message, request_id)


def _timed_out(spec: FunctionSpec, request_id: str) -> dict[str, Any]:
    return _error(
        "Sandbox.Timedout", f"Task timed out after {spec.timeout:.2f} seconds", request_id
    )


def _noop() -> bool:
    return _worker.init_error is None


class FunctionWorkers:
    """A pool of warm execution environments for one function."""

    def __init__(
        self,
        spec: FunctionSpec,
        env: Mapping[str, str],
        concurrency: int = 1,
        *,
        function_arn: str | None = None,
    ) -> None:
        self.spec = spec
        self.function_id = spec.logical_id
        self.env = dict(env)
        self.arn = function_arn or LocalNames().arn("lambda", f"function:{spec.name}")
        self.concurrency = concurrency
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise RuntimeError(f"workers of {self.function_id} are stopped")
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.concurrency,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_init_worker,
                    initargs=(self.spec, self.env, self.arn),
                )
            return self._pool

    def warm(self) -> bool:
        """Start one environment and import the handler (a cold start); False if it fails."""
        return bool(self._executor().submit(_noop).result())

    def invoke(self, event: Any) -> Any:
        """Call the handler with `event`; its JSON result, or FunctionError as Lambda reports it."""
        request_id = str(uuid.uuid4())
        pool = self._executor()
        try:
            ok, value = pool.submit(_run, event, request_id).result(
                timeout=self.spec.timeout + _HANG_GRACE_S
            )
        except FutureTimeoutError:
            # The in-worker alarm did not fire (blocked in C code): recycle the environments.
            self._recycle(pool)
            raise FunctionError(_timed_out(self.spec, request_id)) from None
        except BrokenProcessPool as exc:
            self._recycle(pool)
            message = f"RequestId: {request_id} Error: Runtime exited ({exc})"
            raise FunctionError(_error("Runtime.ExitError", message, request_id)) from None
        if not ok:
            raise FunctionError({**value, "requestId": request_id})
        return json.loads(value)

    def _recycle(self, pool: ProcessPoolExecutor | None) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        if pool is None:
            return
        processes = list((pool._processes or {}).values())  # the executor has no public kill
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)

    def stop(self) -> None:
        """Shut the environments down; no worker process survives this call."""
        with self._lock:
            self._closed = True
        self._recycle(self._pool)
