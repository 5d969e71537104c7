"""What invokes functions besides the HTTP API, one poller each: the loop they share, Lambda's
event source mapping for an SQS queue, and EventBridge Scheduler. The stream pollers, built on
the same loop, are in `streams`.

Hand-written: no maintained library replays Lambda's event source mappings or Scheduler's
delivery.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Self
from zoneinfo import ZoneInfo

from croniter import CroniterBadDateError, croniter

from accolade_local.runtime import FunctionError, Invoker
from accolade_local.template import LocalNames, QueueMapping, ScheduleSpec

__all__ = [
    "Poller",
    "QueuePoller",
    "ScheduleExpressionError",
    "Scheduler",
    "next_fire",
    "with_context",
]

log = logging.getLogger("accolade_local.pollers")


class Poller(ABC):
    """Calls `tick()` on a daemon thread until stopped; `drain()` waits until it is `idle`."""

    poll_interval_s = 0.0  # the pause after a tick that found nothing
    processed = 0  # records handled: delivered, filtered out, deleted or sent to on-failure

    invoker: Invoker  # the function an event source mapping invokes

    def __init__(self, name: str) -> None:
        self.name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._tick_lock = threading.Lock()

    @property
    @abstractmethod
    def idle(self) -> bool:
        """Nothing delivered and not yet handled."""

    @abstractmethod
    def tick(self) -> bool:
        """One pass; True when there was work."""

    def start(self) -> Self:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.tick()
            except Exception:
                if self._stop.is_set():
                    return
                log.exception("%s: polling failed; retrying in 1s", self.name)
                self._stop.wait(1.0)
                continue
            if not busy:
                self._stop.wait(self.poll_interval_s)

    def _invoke_batch(
        self, records: list[dict[str, Any]], ids: set[str], report: bool
    ) -> set[str] | None:
        """The ids of the records the function reported failed; None when the whole batch failed
        (a function error, or, as Lambda treats a malformed partial response, an unknown id)."""
        try:
            result = self.invoker.invoke({"Records": records})
        except FunctionError as exc:
            log.warning("%s: function error on %d records: %s", self.name, len(records), exc)
            return None
        failures = result.get("batchItemFailures") if isinstance(result, dict) else None
        if not report or not failures:
            return set()
        failed = {str(f.get("itemIdentifier")) if isinstance(f, dict) else "" for f in failures}
        if not failed <= ids:
            log.warning("%s: invalid batchItemFailures %r", self.name, failed - ids)
            return None
        log.info("%s: %d of %d records reported failed", self.name, len(failed), len(records))
        return failed

    def drain(self, timeout: float = 30.0) -> int:
        """Wait until the poller is idle; how many records were processed meanwhile (the calling
        thread polls when the poller's own thread is not started)."""
        before = self.processed
        deadline = time.monotonic() + timeout
        while not self.idle:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: not drained within {timeout}s")
            if self._thread is not None or not self.tick():
                time.sleep(0.05)
        return self.processed - before


_RECEIVE_LIMIT = 10  # ReceiveMessage's maximum


class QueuePoller(Poller):
    """Polls one queue for one mapping and invokes its function as Lambda would: up to
    `batch_size` messages per invocation, in Lambda's SQS record shape; a success deletes the
    batch, `batchItemFailures` keeps only the messages it names (an unknown id fails the batch),
    a function error keeps them all. Kept messages come back when their visibility runs out, and
    the queue's RedrivePolicy moves them to its dead-letter queue after `maxReceiveCount`
    receives (moto applies it, as SQS does). Locally a kept message comes back after
    `retry_delay_s`, not after the queue's VisibilityTimeout."""

    def __init__(
        self,
        mapping: QueueMapping,
        invoker: Invoker,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        *,
        retry_delay_s: int = 1,
    ) -> None:
        super().__init__(f"{mapping.function_id}.{mapping.event_name}")
        self.mapping, self.invoker, self.sqs = mapping, invoker, sqs
        self.queue_url, self.queue_arn, self.retry_delay_s = queue_url, queue_arn, retry_delay_s

    @property
    def idle(self) -> bool:
        """No message waiting or in flight (one being handled, or kept after a failure), by
        SQS's own counts (exact in moto)."""
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=names)
        return not any(int(attributes["Attributes"][name]) for name in names)

    def tick(self) -> bool:
        """Receive one batch and hand it to the function; True when there was one. On its own
        thread it long-polls (no pause between ticks); drain() calling it does not wait."""
        with self._tick_lock:
            messages = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=min(self.mapping.batch_size, _RECEIVE_LIMIT),
                WaitTimeSeconds=1 if threading.current_thread() is self._thread else 0,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if messages:
                self._deliver(messages)
            return bool(messages)

    def _deliver(self, messages: list[dict[str, Any]]) -> None:
        records = [self._record(m) for m in messages]
        every = {r["messageId"] for r in records}
        failed = self._invoke_batch(records, every, self.mapping.report_batch_item_failures)
        kept = every if failed is None else failed  # a function error keeps them all
        # One receive's messages (ten at most) go in one batch call; a message id is a valid Id.
        entries = [{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in messages]
        done = [e for e in entries if e["Id"] not in kept]
        again = [e | {"VisibilityTimeout": self.retry_delay_s} for e in entries if e["Id"] in kept]
        self.processed += len(done)  # before the deletes that let drain() return
        if done:
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=done)
        if again:
            self.sqs.change_message_visibility_batch(QueueUrl=self.queue_url, Entries=again)

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
            "awsRegion": self.queue_arn.split(":")[3],
        }


# EventBridge Scheduler. croniter reads the cron fields; `_to_croniter` adapts AWS's dialect to it
# (six fields ending with a year, `?`, days of the week numbered 1=SUN..7=SAT). Daylight saving
# time follows Scheduler: a wall-clock time that does not exist (spring forward) is skipped; one
# that occurs twice (fall back) fires once, at its first occurrence. Only `cron()` expressions
# are supported: the template uses no `rate()` or `at()`.


class ScheduleExpressionError(ValueError):
    """The expression is not one EventBridge Scheduler accepts (or not one we support)."""


def _to_croniter(expression: str) -> str:
    """`cron(min hour dom month dow year)` as croniter's seven fields (seconds before year)."""
    match = re.fullmatch(r"\s*cron\((.*)\)\s*", expression)
    fields = match.group(1).split() if match else []
    if len(fields) != 6:
        raise ScheduleExpressionError(f"{expression!r}: expected cron() with 6 fields")
    minute, hour, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):
        raise ScheduleExpressionError(f"{expression!r}: exactly one day field must be '?'")
    # AWS numbers days 1=SUN..7=SAT, croniter 0=SUN..6=SAT (the n of `d#n` is not a day).
    dow = re.sub(r"(?<![#\d])\d+", lambda m: str(int(m.group()) - 1), dow)
    text = " ".join((minute, hour, dom, month, dow, "0", year)).replace("?", "*")
    if not croniter.is_valid(text):
        raise ScheduleExpressionError(f"{expression!r} is not a valid cron expression")
    return text


def next_fire(expression: str, tz: str | ZoneInfo, after: datetime) -> datetime | None:
    """The first time strictly after `after` at which the schedule fires, in UTC (None: never)."""
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    # croniter walks wall-clock times; zoneinfo decides which of them exist and when.
    walls = croniter(_to_croniter(expression), after.astimezone(zone).replace(tzinfo=None))
    while True:
        try:
            wall: datetime = walls.get_next(datetime).replace(tzinfo=zone)
        except CroniterBadDateError:  # no year left that matches
            return None
        at = wall.astimezone(UTC)
        exists = at.astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None)
        if exists and at > after:
            return at


def with_context(value: Any, attributes: dict[str, str]) -> Any:
    """The Input with each `<aws.scheduler.*>` context attribute filled in, in its JSON text as
    Scheduler fills it (no value holds a character JSON escapes)."""
    text = json.dumps(value)
    for name, filled in attributes.items():
        text = text.replace(f"<{name}>", filled)
    return json.loads(text)


DeadLetter = Callable[[ScheduleSpec, dict[str, Any], dict[str, str]], None]


class Scheduler(Poller):
    """Fires each schedule's function with its Input; retries, then dead-letters the event."""

    # A look at the clock a second: EventBridge fires within its minute, and a suspended
    # laptop's clock jumps.
    poll_interval_s = 1.0
    idle = True  # firings run on threads of their own: the scheduler holds nothing

    def __init__(
        self,
        schedules: Sequence[ScheduleSpec],
        invokers: Mapping[str, Invoker],
        *,
        names: LocalNames | None = None,
        dead_letter: DeadLetter | None = None,
        clock: Callable[[], datetime] | None = None,
        retry_delay_s: Callable[[int], float] | None = None,
    ) -> None:
        super().__init__("scheduler")
        self.schedules, self.invokers = list(schedules), invokers
        self.names, self.dead_letter = names or LocalNames(), dead_letter
        self.clock = clock or (lambda: datetime.now(UTC))
        # Locally retries come fast; EventBridge backs off over up to 24 hours.
        self.retry_delay_s = retry_delay_s or (lambda attempt: min(2.0**attempt, 30.0))
        now = self.clock()
        self._next = [next_fire(s.expression, s.timezone, now) for s in self.schedules]

    def upcoming(self) -> list[tuple[str, datetime | None]]:
        return [(s.event_name, at) for s, at in zip(self.schedules, self._next, strict=True)]

    def due(self, now: datetime) -> list[tuple[ScheduleSpec, datetime]]:
        """The firings due at `now`, each planned on to its next time."""
        fired = []
        for index, (spec, at) in enumerate(zip(self.schedules, self._next, strict=True)):
            if at is not None and at <= now:
                fired.append((spec, at))
                self._next[index] = next_fire(spec.expression, spec.timezone, at)
        return fired

    def tick(self) -> bool:
        """Start each firing due now on its own thread (its retries must not hold the others)."""
        for spec, at in self.due(self.clock()):
            name = f"schedule-{spec.event_name}"
            threading.Thread(target=self.fire, args=(spec, at), name=name, daemon=True).start()
        return False

    def fire(self, spec: ScheduleSpec, scheduled: datetime | None = None) -> bool:
        """Invoke the target with the schedule's Input; retry, then dead-letter. True if it ran."""
        name = self.names.physical(spec.event_name)
        scheduled_at = (scheduled or self.clock()).astimezone(UTC)
        context = {
            "aws.scheduler.schedule-arn": self.names.arn("scheduler", f"schedule/default/{name}"),
            "aws.scheduler.scheduled-time": scheduled_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws.scheduler.execution-id": str(uuid.uuid4()),
        }
        event, error = spec.input or {}, {}
        log.info("schedule %s fires %s", spec.event_name, spec.function_id)
        for attempt in range(spec.retry_attempts + 1):
            if attempt and self._stop.wait(self.retry_delay_s(attempt)):
                break  # stopping
            context["aws.scheduler.attempt-number"] = str(attempt + 1)
            event = with_context(spec.input or {}, context)
            try:
                self.invokers[spec.function_id].invoke(event)
                return True
            except FunctionError as exc:
                error = exc.payload
                log.warning("schedule %s: %s failed: %s", spec.event_name, spec.function_id, exc)
        attributes = {
            "ERROR_CODE": str(error.get("errorType", "Unhandled")),
            "ERROR_MESSAGE": str(error.get("errorMessage", ""))[:1000],
            "EXECUTION_ID": context["aws.scheduler.execution-id"],
            "RETRY_ATTEMPTS": str(attempt),
            "SCHEDULE_ARN": context["aws.scheduler.schedule-arn"],
            "TARGET_ARN": self.names.function_arn(spec.function_id),
        }
        if self.dead_letter is not None:
            self.dead_letter(spec, event, attributes)
        return False
