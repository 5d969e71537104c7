"""EventBridge Scheduler, locally: the template's schedules fire on their cron in their time zone.

croniter reads the cron fields; `_to_croniter` adapts AWS's dialect to it (six fields ending
with a year, `?`, days of the week numbered 1=SUN..7=SAT). Daylight saving time follows
EventBridge Scheduler: a wall-clock time that does not exist (spring forward) is skipped; one
that occurs twice (fall back) fires once, at its first occurrence. Only `cron()` expressions
are supported: the template uses no `rate()` or `at()`. The Input's context attributes
(`<aws.scheduler.scheduled-time>` and the others) are filled in as Scheduler fills them.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from croniter import CroniterBadDateError, croniter

from accolade_local.pollers import Poller
from accolade_local.runtime import FunctionError, Invoker
from accolade_local.template import LocalNames, ScheduleSpec

__all__ = ["ScheduleExpressionError", "Scheduler", "next_fire", "with_context"]

log = logging.getLogger("accolade_local.scheduler")


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
        self.schedules = list(schedules)
        self.invokers = invokers
        self.names = names or LocalNames()
        self.dead_letter = dead_letter
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

    @property
    def idle(self) -> bool:
        """Firings run on threads of their own: the scheduler holds nothing."""
        return True

    def tick(self) -> bool:
        """Start each firing due now on its own thread (its retries must not hold the others)."""
        for spec, at in self.due(self.clock()):
            name = f"schedule-{spec.event_name}"
            threading.Thread(target=self.fire, args=(spec, at), name=name, daemon=True).start()
        return False

    def fire(self, spec: ScheduleSpec, scheduled: datetime | None = None) -> bool:
        """Invoke the target with the schedule's Input; retry, then dead-letter. True if it ran."""
        name = self.names.physical(spec.event_name)
        context = {
            "aws.scheduler.schedule-arn": self.names.arn("scheduler", f"schedule/default/{name}"),
            "aws.scheduler.scheduled-time": (scheduled or self.clock())
            .astimezone(UTC)
            .strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws.scheduler.execution-id": str(uuid.uuid4()),
        }
        event: dict[str, Any] = {}
        attempt, error = 0, {}
        log.info("schedule %s fires %s", spec.event_name, spec.function_id)
        while True:
            context["aws.scheduler.attempt-number"] = str(attempt + 1)
            event = with_context(dict(spec.input or {}), context)
            try:
                self.invokers[spec.function_id].invoke(event)
                return True
            except FunctionError as exc:
                error = exc.payload
                log.warning("schedule %s: %s failed: %s", spec.event_name, spec.function_id, exc)
            if attempt >= spec.retry_attempts or self._stop.wait(self.retry_delay_s(attempt + 1)):
                break
            attempt += 1
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
