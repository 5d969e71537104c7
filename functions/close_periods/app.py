"""Hourly: find every tenant whose week or month closed in its own zone, hand each to the queue."""

from __future__ import annotations

# First: in Lambda, pauses the garbage collector for the cold start (see accolade.coldstart).
import accolade.coldstart  # noqa: F401

# isort: split
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from accolade.bootstrap import container
from accolade.entrypoints.schedules import close_periods_event
from accolade.observability import observed_handler


@observed_handler
def lambda_handler(payload: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return close_periods_event(payload, container())
