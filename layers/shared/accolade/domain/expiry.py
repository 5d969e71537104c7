"""Expiring-soon notices: which awards are due one at a moment, and what the holder is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from accolade.domain.models import Award, Message

EXPIRING_SOON = "expiring_soon"  # the inbox message's type


def notice_window(as_of: datetime, notice_days: int) -> tuple[datetime, datetime] | None:
    """The expiries told at ``as_of``: after it, up to ``notice_days`` later (None: notices off).

    An award that lapsed before the job ran is past telling; one due on a missed day is still in
    the next run's window, which reaches as far ahead.
    """
    if notice_days <= 0:
        return None
    return as_of, as_of + timedelta(days=notice_days)


def notice_id(award: Award) -> str:
    """One notice per award and expiry: an expiry edited to a new date is told again."""
    assert award.valid_until is not None
    return f"{award.award_id}.expiring.{award.valid_until.astimezone(UTC):%Y%m%dT%H%M%S%f}"


def expiring_soon(award: Award, name: str, as_of: datetime) -> Message:
    """The holder's inbox message for ``award``, expiring at its ``valid_until``."""
    assert award.valid_until is not None
    return Message(
        message_id=notice_id(award),
        user_id=award.user_id,
        type=EXPIRING_SOON,
        title=f"{name} expires soon",
        body=f"{name} expires on {award.valid_until.astimezone(UTC):%Y-%m-%d %H:%M} UTC.",
        award_id=award.award_id,
        created_at=as_of,
        data={
            "achievement_id": award.achievement_id,
            "achievement_name": name,
            "level": award.level,
            "valid_until": award.valid_until.astimezone(UTC).isoformat(),
        },
    )
