"""Stream of revoked awards: set the revoked bit of each one's Open Badges 3.0 credential in its
tenant's status list."""

from __future__ import annotations

# First: in Lambda, pauses the garbage collector for the cold start (see accolade.coldstart).
import accolade.coldstart  # noqa: F401

# isort: split
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from accolade.entrypoints.credential_status import revocation_record
from accolade.entrypoints.streams import process_each_record
from accolade.observability import observed_handler


@observed_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_each_record(event, context, revocation_record)
