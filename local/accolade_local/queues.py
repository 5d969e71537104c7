"""SQS queue pollers: Lambda's event source mapping for a queue, one poller per template mapping.

Hand-written for the same reason as the stream pollers. As the Lambda developer guide describes:
up to `batch_size` messages per invocation, in Lambda's SQS record shape; a success deletes the
batch, `batchItemFailures` keeps only the messages it names (an unknown id fails the batch), a
function error keeps them all. Kept messages come back when their visibility runs out, and the
queue's RedrivePolicy moves them to its dead-letter queue after `maxReceiveCount` receives
(moto applies it, as SQS does). Locally a kept message comes back after `retry_delay_s`, not
after the queue's VisibilityTimeout.
"""

from __future__ import annotations

from typing import Any

from accolade_local.pollers import Poller
from accolade_local.runtime import Invoker
from accolade_local.template import QueueMapping

__all__ = ["QueuePoller"]

_RECEIVE_LIMIT = 10  # ReceiveMessage's maximum


class QueuePoller(Poller):
    """Polls one queue for one mapping and invokes its function as Lambda would."""

    def __init__(
        self,
        mapping: QueueMapping,
        invoker: Invoker,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        *,
        region: str = "us-east-1",
        retry_delay_s: int = 1,
    ) -> None:
        super().__init__(f"{mapping.function_id}.{mapping.event_name}")
        self.mapping, self.invoker = mapping, invoker
        self.sqs = sqs
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.region = region
        self.retry_delay_s = retry_delay_s

    def _background_tick(self) -> bool:
        return self.tick(wait_s=1)  # long polls, so no pause between ticks

    @property
    def idle(self) -> bool:
        """No message waiting or in flight (one being handled, or kept after a failure), by
        SQS's own counts (exact in moto)."""
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=names)
        return not any(int(attributes["Attributes"][name]) for name in names)

    def tick(self, wait_s: int = 0) -> bool:
        """Receive one batch and hand it to the function; True when there was one."""
        with self._tick_lock:
            messages = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=min(self.mapping.batch_size, _RECEIVE_LIMIT),
                WaitTimeSeconds=wait_s,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if messages:
                self._deliver(messages)
            return bool(messages)

    def _deliver(self, messages: list[dict[str, Any]]) -> None:
        kept = self._invoke([self._record(m) for m in messages])
        done = [m for m in messages if m["MessageId"] not in kept]
        self.processed += len(done)  # before the deletes that let drain() return
        if done:  # one receive's messages: at most a DeleteMessageBatch's ten
            entries = [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
            ]
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
        for message in messages:
            if message["MessageId"] in kept:
                self.sqs.change_message_visibility(
                    QueueUrl=self.queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=self.retry_delay_s,
                )

    def _invoke(self, records: list[dict[str, Any]]) -> set[str]:
        """The ids of the messages to keep (all of them when the function failed)."""
        every = {r["messageId"] for r in records}
        failed = self._invoke_batch(records, every, self.mapping.report_batch_item_failures)
        return every if failed is None else failed

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        """A received message as Lambda's SQS event record."""
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": self.region,
        }
