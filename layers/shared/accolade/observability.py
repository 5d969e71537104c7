"""Logger, tracer and metrics: created once per process, configured by POWERTOOLS_* env vars."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Callable, Generator, Sequence
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.tracing.base import BaseProvider

from accolade.coldstart import resumed_after_first_call
from accolade.config import tracing_enabled


class _Untraced:
    """The subsegment of a process that sends no trace: what it is told is dropped."""

    def put_annotation(self, key: str, value: Any) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        pass

    def add_exception(self, exception: BaseException, stack: Any, remote: bool = False) -> None:
        pass


class NoTracing(BaseProvider):
    """Powertools' tracer provider where tracing cannot be used (tests, the local stack, a
    disabled tracer): without one, Powertools imports and configures the X-Ray SDK anyway."""

    @contextlib.contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Generator[Any, None, None]:
        yield _Untraced()

    @contextlib.asynccontextmanager
    async def in_subsegment_async(
        self, name: str | None = None, **kwargs: Any
    ) -> AsyncGenerator[Any, None]:
        yield _Untraced()

    def put_annotation(self, key: str, value: Any) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        pass

    def patch(self, modules: Sequence[str]) -> None:
        pass

    def patch_all(self) -> None:
        pass


logger = Logger()
# Only botocore (every AWS call goes through it): patching all X-Ray knows imports requests,
# httpx, sqlite3 and database drivers this code never uses, on every cold start.
tracer = (
    Tracer(patch_modules=("botocore",))
    if tracing_enabled()
    else Tracer(disabled=True, provider=NoTracing())
)
metrics = Metrics(namespace="Accolade")  # the template sets the same; tests need no env


def count(name: str, value: int) -> None:
    """Add a count metric (EMF) to this invocation's flush; zero counts are still recorded."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def observed_handler(handler: Callable[..., Any]) -> Callable[..., Any]:
    """A Lambda handler as every function runs one: metrics flushed, traced, logged with the
    invocation's context (cleared between calls), and the collector resumed once the first call
    returns (outermost, so the cold start's pause covers the Powertools wrappers too)."""
    return resumed_after_first_call(
        logger.inject_lambda_context(clear_state=True)(
            tracer.capture_lambda_handler(metrics.log_metrics(handler))
        )
    )
