"""Stream of new export items: run each export job, streaming its CSV into S3."""

from __future__ import annotations

# First: in Lambda, pauses the garbage collector for the cold start (see accolade.coldstart).
import accolade.coldstart  # noqa: F401

# isort: split
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from accolade.entrypoints.export_jobs import export_record
from accolade.entrypoints.streams import process_each_record
from accolade.observability import observed_handler


@observed_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_each_record(event, context, export_record)
