"""Queue of tenants whose periods closed: grant each closed period's winner once."""

from __future__ import annotations

# First: in Lambda, pauses the garbage collector for the cold start (see accolade.coldstart).
import accolade.coldstart  # noqa: F401

# isort: split
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from accolade.entrypoints.schedules import winners_record
from accolade.entrypoints.streams import message_id, process_each_record
from accolade.observability import observed_handler


@observed_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # A message that fails is reported and redelivered alone (ReportBatchItemFailures).
    return process_each_record(event, context, winners_record, message_id)
