"""Periods in the tenant's time zone: day, ISO week (Monday first), calendar month, all time.

An event belongs to the period of its ``occurred_at``, never of its arrival.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

ALL_TIME_KEY = "ALL"


class TimeRange(StrEnum):
    ALL_TIME = "all_time"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@cache
def iana_names() -> frozenset[str]:
    """The zone names of the IANA database, from the pinned tzdata package.

    Read from its list rather than from whatever files a machine has, so that ``localtime``,
    ``posixrules`` or ``posix/...`` are refused everywhere, not only where they are missing.
    """
    listed = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(listed.split()) - {"Factory"}


def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name (e.g. Europe/Paris, UTC); ValueError when it is not one."""
    if name not in iana_names():
        raise ValueError(f"{name!r} is not an IANA time zone name (e.g. Europe/Paris)")
    return ZoneInfo(name)


def period_key(time_range: TimeRange, moment: datetime, tz: ZoneInfo) -> str:
    """The key of the period holding ``moment`` (aware) in ``tz``: D2026-11-24, W2026-W48, M2026-11, ALL."""
    if time_range is TimeRange.ALL_TIME:
        return ALL_TIME_KEY
    local = moment.astimezone(tz)
    if time_range is TimeRange.DAY:
        return f"D{local.date().isoformat()}"
    if time_range is TimeRange.WEEK:
        iso = local.isocalendar()
        return f"W{iso.year}-W{iso.week:02d}"
    return f"M{local.year:04d}-{local.month:02d}"


def period_kind(key: str) -> TimeRange:
    """The kind of period a key names (ALL, D..., W..., M...)."""
    if key == ALL_TIME_KEY:
        return TimeRange.ALL_TIME
    return {"D": TimeRange.DAY, "W": TimeRange.WEEK, "M": TimeRange.MONTH}[key[0]]


def period_bounds(key: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a period key in ``tz``, as aware datetimes."""
    if key == ALL_TIME_KEY:
        return datetime.min.replace(tzinfo=tz), datetime.max.replace(tzinfo=tz)
    kind, rest = key[0], key[1:]
    if kind == "D":
        start_day = date.fromisoformat(rest)
        end_day = start_day + timedelta(days=1)
    elif kind == "W":
        year, week = rest.split("-W")
        start_day = date.fromisocalendar(int(year), int(week), 1)
        end_day = start_day + timedelta(days=7)
    elif kind == "M":
        month_year, month = (int(part) for part in rest.split("-"))
        start_day = date(month_year, month, 1)
        end_day = date(month_year + month // 12, month % 12 + 1, 1)
    else:
        raise ValueError(f"unknown period key {key!r}")
    return (
        datetime.combine(start_day, time.min, tzinfo=tz),
        datetime.combine(end_day, time.min, tzinfo=tz),
    )


def period_keys(moment: datetime, tz: ZoneInfo) -> dict[TimeRange, str]:
    """Every period key of ``moment``: one per time range."""
    return {time_range: period_key(time_range, moment, tz) for time_range in TimeRange}


def add_calendar(moment: datetime, amount: int, unit: str) -> datetime:
    """``moment`` plus ``amount`` days, weeks, months or years, on the calendar of ``moment``'s
    zone (a month from 31 January is the last day of February)."""
    if unit == "day":
        return moment + timedelta(days=amount)
    if unit == "week":
        return moment + timedelta(weeks=amount)
    months = amount * (12 if unit == "year" else 1)
    year, month = divmod(moment.month - 1 + months, 12)
    year, month = moment.year + year, month + 1
    last_day = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


_PERIOD_KEY = re.compile(r"D\d{4}-\d{2}-\d{2}|W\d{4}-W\d{2}|M\d{4}-\d{2}")


def is_period_key(key: str) -> bool:
    """Whether ``key`` names a day, week or month (not all time, nor an event's own key)."""
    return _PERIOD_KEY.fullmatch(key) is not None
