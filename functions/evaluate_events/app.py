"""Stream of new events: move counters exactly once and grant what they earn."""

from __future__ import annotations

# First: in Lambda, pauses the garbage collector for the cold start (see accolade.coldstart).
import accolade.coldstart  # noqa: F401

# isort: split
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from accolade.bootstrap import container
from accolade.entrypoints.streams import evaluate_batch
from accolade.observability import observed_handler


@observed_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # The batch is evaluated as a whole (one request serves many events); the records that
    # did not finish are reported as batch item failures, so Lambda retries from the first.
    return evaluate_batch(event.get("Records", []), container())
