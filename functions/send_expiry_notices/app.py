"""Daily: tell each holder of an award that expires within the tenant's notice days, once."""

from __future__ import annotations

# First: in Lambda, pauses the garbage collector for the cold start (see accolade.coldstart).
import accolade.coldstart  # noqa: F401

# isort: split
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from accolade.bootstrap import container
from accolade.entrypoints.schedules import expiry_notices_event
from accolade.observability import observed_handler


@observed_handler
def lambda_handler(payload: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return expiry_notices_event(payload, container())
