"""POST /v1/events: validate a batch of activity and store each new event once."""

from __future__ import annotations

# First: in Lambda, pauses the garbage collector for the cold start (see accolade.coldstart).
import accolade.coldstart  # noqa: F401

# isort: split
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from accolade.entrypoints.http.app import build_app
from accolade.entrypoints.http.event_routes import events
from accolade.observability import observed_handler

app = build_app(events)


@observed_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
