"""Closing periods: which week or month of a tenant is due for its winner at a given moment.

A period is due once it has ended in the tenant's zone and its grace for late events has run
out; the hourly job hands it over for ``CATCH_UP`` after that, so a run that failed or never
came is made good by the next ones (the winner's slot makes the repeats grant nothing).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, Field

from accolade.domain.models import Model
from accolade.domain.periods import TimeRange, period_bounds
from accolade.domain.rules import closed_period

CATCH_UP = timedelta(hours=24)


def closes_at(key: str, tz: ZoneInfo, grace: timedelta) -> datetime:
    """When the period ``key`` may be closed: its end in ``tz`` plus the grace."""
    return period_bounds(key, tz)[1] + grace


def due_period(
    period: TimeRange, tz: ZoneInfo, grace: timedelta, as_of: datetime, catch_up: timedelta
) -> str | None:
    """The key of the ``period`` that became closable in (as_of - catch_up, as_of], if any.

    Only the latest closable period can qualify: a week or a month is longer than the window.
    """
    key = closed_period(period, as_of - grace, tz)
    return key if closes_at(key, tz, grace) > as_of - catch_up else None


class PeriodClose(Model):
    """One period-winner achievement's period to close."""

    achievement_id: str
    period_key: Annotated[str, Field(pattern=r"^(W\d{4}-W\d{2}|M\d{4}-\d{2})$")]


class TenantCloses(Model):
    """The work of one tenant at ``as_of``: what one per-tenant invocation closes."""

    tenant_id: str
    as_of: AwareDatetime
    closes: tuple[PeriodClose, ...]
