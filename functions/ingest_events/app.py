"""POST /v1/events: validate a batch of activity and store each new event once."""

from __future__ import annotations

# First: in Lambda, pauses the garbage collector for the cold start (see accolade.coldstart).
from accolade.coldstart import resumed_after_first_call

# isort: split
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from accolade.entrypoints.http.app import build_app
from accolade.entrypoints.http.event_routes import events
from accolade.observability import logger, metrics, tracer

app = build_app(events)


@resumed_after_first_call
@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
