"""Logger, tracer and metrics: created once per process, configured by POWERTOOLS_* env vars."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace="Accolade")  # the template sets the same; tests need no env


def count(name: str, value: int) -> None:
    """Add a count metric (EMF) to this invocation's flush; zero counts are still recorded."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
