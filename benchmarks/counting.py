"""DynamoDB requests counted from botocore's own events, per operation.

A handler on ``before-send.dynamodb`` fires once per HTTP request the SDK sends (SDK retries
included), so the count is what DynamoDB bills, not what our code meant to call.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from benchmarks.units import UNCOUNTED

EVENT = "before-send.dynamodb"


class RequestCounter:
    """Counts the DynamoDB requests of every client it is attached to, by operation."""

    def __init__(self) -> None:
        self.by_operation: Counter[str] = Counter()
        self._clients: dict[int, Any] = {}
        self._lock = threading.Lock()

    def _on_send(self, event_name: str, **_: Any) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        with self._lock:
            self.by_operation[operation] += 1

    def attach(self, clients: Iterable[Any]) -> None:
        for client in clients:
            if id(client) not in self._clients:
                client.meta.events.register(EVENT, self._on_send)
                self._clients[id(client)] = client

    def detach(self) -> None:
        for client in self._clients.values():
            client.meta.events.unregister(EVENT, self._on_send)
        self._clients.clear()

    @property
    def total(self) -> int:
        return sum(self.by_operation.values())

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self.by_operation)

    @contextmanager
    def measure(self) -> Iterator[Counter[str]]:
        """The requests sent inside the block, by operation (filled in when the block ends)."""
        before = self.snapshot()
        delta: Counter[str] = Counter()
        try:
            yield delta
        finally:
            delta.update(self.snapshot() - before)


def pynamodb_clients() -> list[Any]:
    """The botocore client of every PynamoDB model of the table (each model has its own)."""
    from accolade.adapters.dynamo.models import ENTITY_MODELS, Item

    clients: dict[int, Any] = {}
    models: tuple[type[Item], ...] = (Item, *ENTITY_MODELS)
    for model in models:
        client = model._get_connection().connection.client
        clients[id(client)] = client
    return list(clients.values())


class CallAudit:
    """Every DynamoDB API call in the process, whichever client made it (a cross-check).

    Wraps botocore's BaseClient._make_api_call: if it sees calls the attached counters did not,
    some client escaped counting and the requests/event figure would be too low. The unit
    meter's own reads (a client marked UNCOUNTED) are not DynamoDB traffic of the code measured.
    """

    def __init__(self) -> None:
        self.calls = 0
        self._original: Any = None

    def __enter__(self) -> CallAudit:
        from botocore.client import BaseClient

        original = BaseClient._make_api_call
        audit = self

        def counted(client: Any, operation_name: str, api_params: Any) -> Any:
            if client.meta.service_model.service_name == "dynamodb" and not getattr(
                client, UNCOUNTED, False
            ):
                audit.calls += 1
            return original(client, operation_name, api_params)

        self._original = original
        BaseClient._make_api_call = counted
        return self

    def __exit__(self, *_: object) -> None:
        from botocore.client import BaseClient

        BaseClient._make_api_call = self._original
