"""Periods are computed in the tenant's time zone; weeks are ISO weeks starting Monday."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accolade.domain.models import TenantSettings
from accolade.domain.periods import (
    ALL_TIME_KEY,
    TimeRange,
    period_bounds,
    period_key,
    period_keys,
    zone,
)
from tests.unit.builders import at

UTC_ZONE = zone("UTC")
BERLIN = zone("Europe/Berlin")
NEW_YORK = zone("America/New_York")


def test_late_sunday_in_utc_is_already_monday_in_berlin() -> None:
    moment = at("2026-11-29T23:30:00Z")

    assert moment.astimezone(UTC).strftime("%A") == "Sunday"
    assert period_keys(moment, UTC_ZONE) == {
        TimeRange.DAY: "D2026-11-29",
        TimeRange.WEEK: "W2026-W48",
        TimeRange.MONTH: "M2026-11",
        TimeRange.ALL_TIME: ALL_TIME_KEY,
    }
    assert period_keys(moment, BERLIN) == {
        TimeRange.DAY: "D2026-11-30",
        TimeRange.WEEK: "W2026-W49",
        TimeRange.MONTH: "M2026-11",
        TimeRange.ALL_TIME: ALL_TIME_KEY,
    }


def test_month_changes_with_the_zone() -> None:
    moment = at("2026-12-01T03:00:00Z")

    assert period_key(TimeRange.MONTH, moment, UTC_ZONE) == "M2026-12"
    assert period_key(TimeRange.MONTH, moment, NEW_YORK) == "M2026-11"
    assert period_key(TimeRange.DAY, moment, NEW_YORK) == "D2026-11-30"


@pytest.mark.parametrize(
    ("moment", "week"),
    [
        ("2026-12-31T12:00:00Z", "W2026-W53"),  # Thursday: 2026 has 53 ISO weeks
        ("2027-01-01T12:00:00Z", "W2026-W53"),  # Friday: still the week of 2026
        ("2027-01-03T23:59:59Z", "W2026-W53"),  # Sunday
        ("2027-01-04T00:00:00Z", "W2027-W01"),  # Monday: week 1 of 2027
        ("2025-12-29T00:00:00Z", "W2026-W01"),  # a Monday of December in week 1 of 2026
    ],
)
def test_iso_week_year_edges(moment: str, week: str) -> None:
    assert period_key(TimeRange.WEEK, at(moment), UTC_ZONE) == week


def test_the_same_instant_on_new_year_is_in_different_iso_years_per_zone() -> None:
    moment = at("2027-01-03T23:30:00Z")  # Sunday in UTC, Monday 00:30 in Berlin

    assert period_key(TimeRange.WEEK, moment, UTC_ZONE) == "W2026-W53"
    assert period_key(TimeRange.WEEK, moment, BERLIN) == "W2027-W01"


def test_week_bounds_are_monday_midnight_in_the_zone() -> None:
    start, end = period_bounds("W2026-W49", BERLIN)

    assert start == datetime(2026, 11, 30, tzinfo=BERLIN)
    assert start.astimezone(UTC) == at("2026-11-29T23:00:00Z")
    assert end - start == timedelta(days=7)
    assert period_key(TimeRange.WEEK, start, BERLIN) == "W2026-W49"
    assert period_key(TimeRange.WEEK, end - timedelta(microseconds=1), BERLIN) == "W2026-W49"
    assert period_key(TimeRange.WEEK, end, BERLIN) == "W2026-W50"


@pytest.mark.parametrize(
    ("key", "start", "end"),
    [
        ("D2026-11-24", datetime(2026, 11, 24), datetime(2026, 11, 25)),
        ("W2026-W53", datetime(2026, 12, 28), datetime(2027, 1, 4)),
        ("M2026-12", datetime(2026, 12, 1), datetime(2027, 1, 1)),
        ("M2026-02", datetime(2026, 2, 1), datetime(2026, 3, 1)),
    ],
)
def test_period_bounds(key: str, start: datetime, end: datetime) -> None:
    assert period_bounds(key, NEW_YORK) == (
        start.replace(tzinfo=NEW_YORK),
        end.replace(tzinfo=NEW_YORK),
    )


def test_bounds_of_every_key_hold_the_moment_it_came_from() -> None:
    moment = at("2026-03-29T01:30:00Z")  # the night Europe moves to summer time
    for time_range, key in period_keys(moment, BERLIN).items():
        start, end = period_bounds(key, BERLIN)
        assert start <= moment < end, time_range


def test_unknown_period_key_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown period key"):
        period_bounds("Q2026-4", UTC_ZONE)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Mars/Olympus",
        "CET ",
        "../etc/passwd",
        "/usr/share/zoneinfo/UTC",
        "Europe/../UTC",
        "+01:00",
    ],
)
def test_zone_rejects_names_that_are_not_iana(name: str) -> None:
    with pytest.raises(ValueError, match="IANA"):
        zone(name)


def test_tenant_settings_refuse_a_bad_time_zone_and_default_to_utc() -> None:
    assert TenantSettings().timezone == "UTC"
    assert TenantSettings(timezone="Europe/Berlin").timezone == "Europe/Berlin"
    with pytest.raises(ValueError, match="IANA"):
        TenantSettings(timezone="Berlin/Europe")
