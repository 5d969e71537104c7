"""The winners queue: one SQS message per tenant whose periods are due, ten per request."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from accolade.domain.closing import TenantCloses

BATCH = 10  # SendMessageBatch's limit
ATTEMPTS = 3


class SqsWinnersQueue:
    def __init__(self, queue_url: str, client: Any) -> None:
        self._queue_url = queue_url
        self._client = client

    def send(self, work: Sequence[TenantCloses]) -> None:
        for start in range(0, len(work), BATCH):
            self._send_batch(list(work[start : start + BATCH]))

    def _send_batch(self, batch: list[TenantCloses]) -> None:
        entries = {str(i): item.model_dump_json() for i, item in enumerate(batch)}
        for _ in range(ATTEMPTS):
            answer = self._client.send_message_batch(
                QueueUrl=self._queue_url,
                Entries=[{"Id": i, "MessageBody": body} for i, body in entries.items()],
            )
            failed = {f["Id"] for f in answer.get("Failed", [])}
            entries = {i: body for i, body in entries.items() if i in failed}
            if not entries:
                return
        # The run fails and is retried: what was sent twice is closed once (the winner slot).
        raise RuntimeError(f"SQS refused {len(entries)} messages to {self._queue_url}")
