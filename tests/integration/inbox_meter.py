"""Read units of what a block of code asks DynamoDB, as DynamoDB itself reports them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from accolade.adapters.dynamo.models import Item
from tests.integration.helpers import hooked

READS = ("Query", "GetItem", "BatchGetItem")


class ReadMeter:
    """Each read's consumed capacity units (ReturnConsumedCapacity=TOTAL), and how many reads."""

    def __init__(self) -> None:
        self.units = 0.0
        self.requests = 0

    def ask(self, params: dict[str, Any], **_: Any) -> None:
        params["ReturnConsumedCapacity"] = "TOTAL"

    def count(self, parsed: dict[str, Any], **_: Any) -> None:
        consumed = parsed.get("ConsumedCapacity") or []
        for entry in consumed if isinstance(consumed, list) else [consumed]:
            self.units += float(entry.get("CapacityUnits", 0))
        self.requests += 1


@contextmanager
def metered() -> Iterator[ReadMeter]:
    """The read units the table's connection consumes inside the block."""
    client = Item._get_connection().connection.client
    meter = ReadMeter()
    with ExitStack() as stack:
        for operation in READS:
            stack.enter_context(
                hooked(client, f"provide-client-params.dynamodb.{operation}", meter.ask)
            )
            stack.enter_context(hooked(client, f"after-call.dynamodb.{operation}", meter.count))
        yield meter
