"""EventBridge Scheduler, locally: the template's schedules fire on their cron in their time zone.

The AWS cron dialect is parsed by hand: croniter and friends speak the five-field Unix dialect,
not AWS's six fields with `?`, `L`, `W`, `#` and a year.

Supported: `cron(min hour day-of-month month day-of-week year)` with `*`, `?`, lists, ranges,
steps (`a/n`, `a-b/n`, `*/n`), month and day names, `L` (last day of month), `L-n`, `nW` and
`LW` (nearest weekday), `dL` (last weekday d of the month), `d#n` (nth weekday d);
`rate(n minutes|hours|days)` counted from the scheduler's start; `at(yyyy-mm-ddThh:mm:ss)`.
Not supported: flexible time windows, StartDate / EndDate.
Daylight saving time follows EventBridge Scheduler: a wall-clock time that does not exist
(spring forward) is skipped; one that occurs twice (fall back) fires once, at its first occurrence.
"""

from __future__ import annotations

import calendar
import json
import logging
import re
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from accolade_local.runtime import FunctionError, Invoker
from accolade_local.template import ScheduleSpec

__all__ = [
    "CronExpression",
    "ScheduleExpressionError",
    "Scheduler",
    "next_fire",
]

log = logging.getLogger("accolade_local.scheduler")

_MONTHS = {name: i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS = {k.upper(): v for k, v in _MONTHS.items()}
# AWS numbers days of the week 1-7 from Sunday.
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_MAX_YEARS = 50  # how far next_fire looks before declaring a schedule finished


class ScheduleExpressionError(ValueError):
    """The expression is not one EventBridge Scheduler accepts (or not one we support)."""


def _number(token: str, names: dict[str, int], low: int, high: int) -> int:
    value = names.get(token.upper()) if not token.isdigit() else int(token)
    if value is None or not low <= value <= high:
        raise ScheduleExpressionError(f"{token!r} is not in {low}-{high}")
    return value


def _parse_set(
    field_text: str, low: int, high: int, names: dict[str, int] | None = None
) -> set[int]:
    names = names or {}
    values: set[int] = set()
    for item in field_text.split(","):
        part, has_step, step_text = item.partition("/")
        step = 1
        if has_step:
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleExpressionError(f"bad step in {field_text!r}")
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _number(a, names, low, high), _number(b, names, low, high)
        else:
            start = _number(part, names, low, high)
            end = high if has_step else start
        if end < start:
            # Wrapping ranges such as FRI-MON.
            values.update(range(start, high + 1, step))
            values.update(range(low, end + 1, step))
        else:
            values.update(range(start, end + 1, step))
    return values


@dataclass(frozen=True)
class _DaySpec:
    any_day: bool = False
    days: frozenset[int] = frozenset()
    last: bool = False  # L
    last_offset: int = 0  # L-n
    nearest_weekday: int | None = None  # nW (0 with last: LW)
    last_weekday_of: int | None = None  # dL in day-of-week
    nth_weekday: tuple[int, int] | None = None  # d#n

    def matches_dom(self, day: date) -> bool:
        last_day = calendar.monthrange(day.year, day.month)[1]
        if self.any_day:
            return True
        if self.nearest_weekday is not None:
            target = last_day if self.last else self.nearest_weekday
            target = min(target, last_day)
            return day.day == _nearest_weekday(day.year, day.month, target)
        if self.last:
            return day.day == last_day - self.last_offset
        return day.day in self.days

    def matches_dow(self, day: date) -> bool:
        aws_dow = (day.isoweekday() % 7) + 1  # Sunday=1 ... Saturday=7
        if self.any_day:
            return True
        if self.last_weekday_of is not None:
            last_day = calendar.monthrange(day.year, day.month)[1]
            return aws_dow == self.last_weekday_of and day.day + 7 > last_day
        if self.nth_weekday is not None:
            weekday, nth = self.nth_weekday
            return aws_dow == weekday and (day.day - 1) // 7 + 1 == nth
        return aws_dow in self.days


def _nearest_weekday(year: int, month: int, day: int) -> int:
    """AWS/Quartz `W`: the weekday nearest `day`, never leaving the month."""
    last_day = calendar.monthrange(year, month)[1]
    weekday = date(year, month, day).weekday()  # Monday=0
    if weekday == 5:  # Saturday -> Friday, or Monday if the 1st
        return day - 1 if day > 1 else day + 2
    if weekday == 6:  # Sunday -> Monday, or Friday if the last day
        return day + 1 if day < last_day else day - 2
    return day


def _parse_dom(text: str) -> _DaySpec:
    if text in ("*", "?"):
        return _DaySpec(any_day=True)
    if text == "L":
        return _DaySpec(last=True)
    if text == "LW":
        return _DaySpec(last=True, nearest_weekday=0)
    if m := re.fullmatch(r"L-(\d+)", text):
        return _DaySpec(last=True, last_offset=int(m.group(1)))
    if m := re.fullmatch(r"(\d+)W", text):
        return _DaySpec(nearest_weekday=_number(m.group(1), {}, 1, 31))
    return _DaySpec(days=frozenset(_parse_set(text, 1, 31)))


def _parse_dow(text: str) -> _DaySpec:
    if text in ("*", "?"):
        return _DaySpec(any_day=True)
    if text == "L":
        return _DaySpec(days=frozenset({7}))
    if m := re.fullmatch(r"(\w+)L", text):
        return _DaySpec(last_weekday_of=_number(m.group(1), _DAYS, 1, 7))
    if m := re.fullmatch(r"(\w+)#([1-5])", text):
        return _DaySpec(nth_weekday=(_number(m.group(1), _DAYS, 1, 7), int(m.group(2))))
    return _DaySpec(days=frozenset(_parse_set(text, 1, 7, _DAYS)))


@dataclass(frozen=True)
class CronExpression:
    minutes: frozenset[int]
    hours: frozenset[int]
    day_of_month: _DaySpec
    months: frozenset[int]
    day_of_week: _DaySpec
    years: frozenset[int]

    @classmethod
    def parse(cls, expression: str) -> CronExpression:
        match = re.fullmatch(r"\s*cron\((.*)\)\s*", expression)
        body = match.group(1) if match else expression
        fields = body.split()
        if len(fields) != 6:
            raise ScheduleExpressionError(f"{expression!r}: AWS cron needs 6 fields")
        minute, hour, dom, month, dow, year = fields
        if (dom == "?") == (dow == "?"):
            raise ScheduleExpressionError(
                f"{expression!r}: exactly one of day-of-month and day-of-week must be '?'"
            )
        return cls(
            minutes=frozenset(_parse_set(minute, 0, 59)),
            hours=frozenset(_parse_set(hour, 0, 23)),
            day_of_month=_parse_dom(dom),
            months=frozenset(_parse_set(month, 1, 12, _MONTHS)),
            day_of_week=_parse_dow(dow),
            years=frozenset(_parse_set(year, 1970, 2199)),
        )

    def matches_day(self, day: date) -> bool:
        return (
            day.year in self.years
            and day.month in self.months
            and self.day_of_month.matches_dom(day)
            and self.day_of_week.matches_dow(day)
        )

    def next_after(self, after: datetime, tz: ZoneInfo) -> datetime | None:
        local_after = after.astimezone(tz)
        day = local_after.date()
        horizon = day.replace(year=min(day.year + _MAX_YEARS, 2199), month=12, day=31)
        while day <= horizon:
            if day.year not in self.years:
                day = date(day.year + 1, 1, 1)
                continue
            if day.month not in self.months:
                day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
                continue
            if self.matches_day(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        wall = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
                        if not _exists(wall):
                            continue  # spring forward: this wall time never happens
                        if wall > after:
                            # UTC: an ambiguous local time never compares equal across zones.
                            return wall.astimezone(UTC)
            day += timedelta(days=1)
        return None


def _exists(wall: datetime) -> bool:
    """Whether a local wall-clock time exists (round-trips through UTC unchanged)."""
    round_trip = wall.astimezone(UTC).astimezone(wall.tzinfo)
    return round_trip.replace(tzinfo=None) == wall.replace(tzinfo=None)


_RATE = re.compile(r"\s*rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)\s*")
_AT = re.compile(r"\s*at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)\s*")


def next_fire(
    expression: str, tz: str | ZoneInfo, after: datetime, *, start: datetime | None = None
) -> datetime | None:
    """The first time strictly after `after` at which the schedule fires (None: never again).

    Returned in UTC. `start` anchors rate() schedules (default: `after`).
    """
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    if after.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    if m := _RATE.fullmatch(expression):
        value, unit = int(m.group(1)), m.group(2).rstrip("s")
        if value <= 0:
            raise ScheduleExpressionError(f"{expression!r}: rate must be positive")
        period = timedelta(**{f"{unit}s": value})
        anchor = start or after
        elapsed = after - anchor
        steps = elapsed // period + 1 if elapsed >= timedelta(0) else 1
        return (anchor + steps * period).astimezone(UTC)
    if m := _AT.fullmatch(expression):
        at = datetime.fromisoformat(m.group(1)).replace(tzinfo=zone)
        return at.astimezone(UTC) if at > after else None
    if expression.strip().startswith("cron(") or len(expression.split()) == 6:
        return CronExpression.parse(expression).next_after(after, zone)
    raise ScheduleExpressionError(f"unsupported schedule expression {expression!r}")


# --- the scheduler thread ---------------------------------------------------------------------


@dataclass
class _Planned:
    spec: ScheduleSpec
    at: datetime | None


class Scheduler:
    """Fires each schedule's function with its Input; retries, then dead-letters the event."""

    def __init__(
        self,
        schedules: Sequence[ScheduleSpec],
        invokers: dict[str, Invoker],
        *,
        dead_letter: Callable[[ScheduleSpec, dict[str, Any], dict[str, str]], None] | None = None,
        schedule_arn: Callable[[ScheduleSpec], str] | None = None,
        target_arn: Callable[[ScheduleSpec], str] | None = None,
        clock: Callable[[], datetime] | None = None,
        retry_delay_s: Callable[[int], float] | None = None,
        max_retries: int | None = None,
    ) -> None:
        self.schedules = [s for s in schedules if s.enabled]
        self.invokers = invokers
        self.dead_letter = dead_letter
        self.schedule_arn = schedule_arn or (lambda s: f"schedule/default/{s.event_name}")
        self.target_arn = target_arn or (lambda s: f"function:{s.function_id}")
        self.clock = clock or (lambda: datetime.now(UTC))
        # Locally retries come fast; EventBridge backs off over up to 24 hours.
        self.retry_delay_s = retry_delay_s or (lambda attempt: min(2.0**attempt, 30.0))
        self.max_retries = max_retries
        self.fired: list[tuple[str, datetime, bool]] = []  # (schedule, scheduled time, ok)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = self.clock()
        self._plan = [_Planned(s, self._next(s, self._started)) for s in self.schedules]

    def _next(self, spec: ScheduleSpec, after: datetime) -> datetime | None:
        return next_fire(spec.expression, spec.timezone, after, start=self._started)

    def upcoming(self) -> list[tuple[str, datetime | None]]:
        return [(p.spec.event_name, p.at) for p in self._plan]

    def start(self) -> Scheduler:
        if self._thread is None and self._plan:
            self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            pending = [p for p in self._plan if p.at is not None]
            if not pending:
                return
            soonest = min(pending, key=lambda p: p.at or datetime.max.replace(tzinfo=UTC))
            assert soonest.at is not None
            wait = (soonest.at - self.clock()).total_seconds()
            if wait > 0:
                # Sleep in short steps: a suspended laptop's clock jumps.
                self._wake.wait(min(wait, 30.0))
                self._wake.clear()
                continue
            scheduled = soonest.at
            soonest.at = self._next(soonest.spec, scheduled)
            threading.Thread(
                target=self.fire,
                args=(soonest.spec, scheduled),
                name=f"schedule-{soonest.spec.event_name}",
                daemon=True,
            ).start()

    def fire(self, spec: ScheduleSpec, scheduled: datetime | None = None) -> bool:
        """Invoke the target with the schedule's Input; retry, then dead-letter. True if it ran."""
        scheduled = scheduled or self.clock()
        event: dict[str, Any] = dict(spec.input or {})
        invoker = self.invokers[spec.function_id]
        retries = spec.retry_attempts if self.max_retries is None else self.max_retries
        attempt = 0
        error: dict[str, Any] = {}
        log.info("schedule %s fires %s", spec.event_name, spec.function_id)
        while True:
            try:
                invoker.invoke(event)
                self.fired.append((spec.event_name, scheduled, True))
                return True
            except FunctionError as exc:
                error = exc.payload
                log.warning("schedule %s: %s failed: %s", spec.event_name, spec.function_id, exc)
            if attempt >= retries or self._stop.is_set():
                break
            attempt += 1
            if self._stop.wait(self.retry_delay_s(attempt)):
                break
        self.fired.append((spec.event_name, scheduled, False))
        attributes = {
            "ERROR_CODE": str(error.get("errorType", "Unhandled")),
            "ERROR_MESSAGE": str(error.get("errorMessage", ""))[:1000],
            "EXECUTION_ID": str(uuid.uuid4()),
            "RETRY_ATTEMPTS": str(attempt),
            "SCHEDULE_ARN": self.schedule_arn(spec),
            "TARGET_ARN": self.target_arn(spec),
        }
        if self.dead_letter is not None:
            self.dead_letter(spec, event, attributes)
        return False


def sqs_dead_letter(
    sqs: Any, queue_url_of: Callable[[str], str]
) -> Callable[[ScheduleSpec, dict[str, Any], dict[str, str]], None]:
    """A dead-letter sender: the target's input as body, the error in message attributes."""

    def send(spec: ScheduleSpec, event: dict[str, Any], attributes: dict[str, str]) -> None:
        if spec.dlq_queue_id is None:
            log.error("schedule %s failed and has no dead-letter queue", spec.event_name)
            return
        sqs.send_message(
            QueueUrl=queue_url_of(spec.dlq_queue_id),
            MessageBody=json.dumps(event),
            MessageAttributes={
                k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()
            },
        )

    return send
