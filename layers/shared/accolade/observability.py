"""Logger, tracer and metrics: created once per process, configured by POWERTOOLS_* env vars."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger()
# Only botocore (every AWS call goes through it): patching all X-Ray knows imports requests,
# httpx, sqlite3 and database drivers this code never uses, on every cold start.
tracer = Tracer(patch_modules=("botocore",))
metrics = Metrics(namespace="Accolade")  # the template sets the same; tests need no env


def count(name: str, value: int) -> None:
    """Add a count metric (EMF) to this invocation's flush; zero counts are still recorded."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
