"""Hourly: find every tenant whose week or month closed in its own zone, hand each to the queue."""

from __future__ import annotations

# First: in Lambda, pauses the garbage collector for the cold start (see accolade.coldstart).
from accolade.coldstart import resumed_after_first_call

# isort: split
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from accolade.bootstrap import container
from accolade.entrypoints.schedules import close_periods_event
from accolade.observability import logger, metrics, tracer


@resumed_after_first_call
@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(payload: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return close_periods_event(payload, container())
