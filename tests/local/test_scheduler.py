"""EventBridge Scheduler locally: AWS cron in a time zone, retries and the dead-letter queue."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from accolade_local.pollers import ScheduleExpressionError, Scheduler, next_fire
from accolade_local.runtime import FunctionError
from accolade_local.template import ScheduleSpec

WEEKLY = "cron(5 0 ? * MON *)"
MONTHLY = "cron(5 0 1 * ? *)"
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_weekly_monday_in_berlin_across_the_end_of_summer_time() -> None:
    # Summer time ends on Sunday 2026-10-25: Monday 00:05 moves from UTC+2 to UTC+1.
    before = next_fire(WEEKLY, "Europe/Berlin", _utc("2026-10-14T12:00:00"))
    after = next_fire(WEEKLY, "Europe/Berlin", _utc("2026-10-20T12:00:00"))

    assert before == _utc("2026-10-18T22:05:00")
    assert after == _utc("2026-10-25T23:05:00")
    assert after is not None
    local = after.astimezone(BERLIN)
    assert (local.hour, local.minute, local.weekday()) == (0, 5, 0)


def test_weekly_monday_in_new_york_across_the_start_of_summer_time() -> None:
    # Summer time starts on Sunday 2026-03-08: UTC-5 before, UTC-4 after.
    assert next_fire(WEEKLY, NEW_YORK, _utc("2026-03-03T00:00:00")) == _utc("2026-03-09T04:05:00")
    assert next_fire(WEEKLY, NEW_YORK, _utc("2026-02-24T00:00:00")) == _utc("2026-03-02T05:05:00")


def test_monthly_first_in_new_york_across_the_start_of_summer_time() -> None:
    assert next_fire(MONTHLY, NEW_YORK, _utc("2026-02-15T00:00:00")) == _utc("2026-03-01T05:05:00")
    assert next_fire(MONTHLY, NEW_YORK, _utc("2026-03-01T05:05:00")) == _utc("2026-04-01T04:05:00")


def test_monthly_first_in_berlin_across_the_end_of_summer_time() -> None:
    assert next_fire(MONTHLY, BERLIN, _utc("2026-10-01T00:00:00")) == _utc("2026-10-31T23:05:00")
    assert next_fire(MONTHLY, BERLIN, _utc("2026-09-15T00:00:00")) == _utc("2026-09-30T22:05:00")


def test_in_utc_the_next_monday_is_plain() -> None:
    # Today is Tuesday 2026-11-24.
    assert next_fire(WEEKLY, "UTC", _utc("2026-11-24T10:00:00")) == _utc("2026-11-30T00:05:00")
    assert next_fire(WEEKLY, "UTC", _utc("2026-11-30T00:05:00")) == _utc("2026-12-07T00:05:00")


def test_a_wall_time_skipped_by_spring_forward_does_not_fire() -> None:
    # 02:30 does not exist in Berlin on 2026-03-29.
    assert next_fire("cron(30 2 * * ? *)", BERLIN, _utc("2026-03-28T12:00:00")) == _utc(
        "2026-03-30T00:30:00"
    )


def test_a_wall_time_repeated_by_fall_back_fires_once() -> None:
    # 02:30 happens twice in Berlin on 2026-10-25; the schedule runs at the first one only.
    first = next_fire("cron(30 2 * * ? *)", BERLIN, _utc("2026-10-24T12:00:00"))
    second = next_fire("cron(30 2 * * ? *)", BERLIN, first or _utc("2000-01-01T00:00:00"))

    assert first == _utc("2026-10-25T00:30:00")
    assert second == _utc("2026-10-26T01:30:00")


def test_aws_day_numbers_start_on_sunday() -> None:
    # Tuesday 2026-11-24: AWS day 2 is Monday, day 1 Sunday.
    assert next_fire("cron(0 9 ? * 2 *)", "UTC", _utc("2026-11-24T00:00:00")) == _utc(
        "2026-11-30T09:00:00"
    )
    assert next_fire("cron(0 9 ? * 1 *)", "UTC", _utc("2026-11-24T00:00:00")) == _utc(
        "2026-11-29T09:00:00"
    )


def test_the_year_field_limits_the_schedule() -> None:
    assert next_fire("cron(0 8 1 JAN ? 2027)", "UTC", _utc("2026-11-24T00:00:00")) == _utc(
        "2027-01-01T08:00:00"
    )
    assert next_fire("cron(0 8 1 1 ? 2025)", "UTC", _utc("2026-01-01T00:00:00")) is None


@pytest.mark.parametrize(
    "expression",
    [
        "cron(5 0 * * * *)",
        "cron(5 0 ? * ? *)",
        "cron(5 0 * *)",
        "cron(61 0 ? * MON *)",
        "daily",
        "rate(5 minutes)",
    ],
)
def test_invalid_expressions_are_rejected(expression: str) -> None:
    with pytest.raises(ScheduleExpressionError):
        next_fire(expression, "UTC", _utc("2026-01-01T00:00:00"))


# --- firing -----------------------------------------------------------------------------------


@dataclass
class FakeFunction:
    failures: int = 0
    events: list[Any] = field(default_factory=list)
    function_id: str = "SelectWinnersFunction"
    called: threading.Event = field(default_factory=threading.Event)

    def invoke(self, event: Any, timeout: float | None = None) -> Any:
        self.events.append(event)
        self.called.set()
        if len(self.events) <= self.failures:
            raise FunctionError({"errorType": "Boom", "errorMessage": f"try {len(self.events)}"})
        return {"ok": True}


def _spec(expression: str = WEEKLY, retries: int = 3) -> ScheduleSpec:
    return ScheduleSpec(
        function_id="SelectWinnersFunction",
        event_name="WeeklyWinners",
        expression=expression,
        timezone="Europe/Berlin",
        input={"period": "week"},
        dlq_queue_id="SchedulerDeadLetterQueue",
        retry_attempts=retries,
    )


def test_fire_passes_the_input_as_the_event_and_retries() -> None:
    failures = 2
    function = FakeFunction(failures=failures)
    dead: list[Any] = []
    scheduler = Scheduler(
        [_spec()],
        {function.function_id: function},
        dead_letter=lambda *args: dead.append(args),
        retry_delay_s=lambda attempt: 0,
    )

    assert scheduler.fire(scheduler.schedules[0]) is True
    assert function.events == [{"period": "week"}] * (1 + failures)
    assert dead == []


def test_after_the_retries_the_event_goes_to_the_dead_letter_queue() -> None:
    retries = 2
    function = FakeFunction(failures=retries + 1)
    dead: list[tuple[ScheduleSpec, dict[str, Any], dict[str, str]]] = []
    scheduler = Scheduler(
        [_spec(retries=retries)],
        {function.function_id: function},
        dead_letter=lambda *args: dead.append(args),
        retry_delay_s=lambda attempt: 0,
    )

    assert scheduler.fire(scheduler.schedules[0]) is False
    assert len(function.events) == 1 + retries
    ((spec, body, attributes),) = dead
    assert spec.dlq_queue_id == "SchedulerDeadLetterQueue"
    assert body == {"period": "week"}
    assert attributes["ERROR_CODE"] == "Boom"
    assert attributes["ERROR_MESSAGE"] == f"try {1 + retries}"
    assert attributes["RETRY_ATTEMPTS"] == str(retries)
    assert attributes["TARGET_ARN"] == scheduler.names.function_arn("SelectWinnersFunction")


def test_a_schedule_is_due_when_the_clock_reaches_its_time() -> None:
    sunday_evening = _utc("2026-11-29T22:00:00")  # 23:00 in Berlin
    scheduler = Scheduler([_spec()], {}, clock=lambda: sunday_evening)
    first = _utc("2026-11-29T23:05:00")  # Monday 00:05 in Berlin

    assert scheduler.upcoming() == [("WeeklyWinners", first)]
    assert scheduler.due(first - timedelta(seconds=1)) == []
    assert scheduler.due(first) == [(scheduler.schedules[0], first)]
    assert scheduler.upcoming() == [("WeeklyWinners", first + timedelta(weeks=1))]


def test_the_scheduler_thread_fires_when_the_clock_reaches_the_next_time() -> None:
    now = [_utc("2026-11-29T22:00:00")]
    function = FakeFunction()
    scheduler = Scheduler([_spec()], {function.function_id: function}, clock=lambda: now[0])
    ((_, first),) = scheduler.upcoming()
    scheduler.start()
    try:
        assert first is not None
        now[0] = first

        assert function.called.wait(5)
    finally:
        scheduler.stop()

    assert function.events == [{"period": "week"}]


def test_fire_fills_in_the_context_attributes_scheduler_fills_in() -> None:
    function = FakeFunction(failures=1)
    spec = replace(
        _spec(retries=1),
        input={"as_of": "<aws.scheduler.scheduled-time>", "try": "<aws.scheduler.attempt-number>"},
    )
    scheduler = Scheduler([spec], {function.function_id: function}, retry_delay_s=lambda _: 0)

    assert scheduler.fire(spec, _utc("2026-11-30T09:00:00")) is True
    assert function.events == [
        {"as_of": "2026-11-30T09:00:00Z", "try": "1"},
        {"as_of": "2026-11-30T09:00:00Z", "try": "2"},
    ]
