"""Daily: tell each holder of an award that expires within the tenant's notice days, once."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from accolade.bootstrap import container
from accolade.entrypoints.schedules import expiry_notices_event
from accolade.observability import logger, metrics, tracer


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(payload: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return expiry_notices_event(payload, container())
