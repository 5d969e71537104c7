"""AnnounceAward: an inbox message per award, and one SNS publication for other systems."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from accolade.domain.certificates import certificate_route
from accolade.domain.models import Achievement, Award, AwardStatus, Message
from accolade.ports import (
    AnnouncementLeasedError,
    Clock,
    ConfigRepository,
    InboxRepository,
    Notifier,
)

# Long enough for one SNS publish, short enough that a redelivery after a crash finds it free.
ANNOUNCE_LEASE = timedelta(seconds=15)
AWARD_GRANTED = "award.granted"
AWARD_REVOKED = "award.revoked"
AWARD_EXPIRING_SOON = "award.expiring_soon"
ROMAN = {1: "I", 2: "II", 3: "III"}


def announce(
    tenant_id: str,
    award: Award,
    *,
    config: ConfigRepository,
    inbox: InboxRepository,
    notifier: Notifier,
    clock: Clock,
    sleep: Callable[[float], None] = time.sleep,
    public_base_url: str = "",
) -> bool:
    """Tell the user and the subscribers about a new award (``award.granted``) or one revoked
    (``award.revoked``); True when this call published it. A new award of an achievement that
    sends its certificate carries the link to it (``certificate_url``: the API's certificate
    route, which answers its holder a short-lived download link once it is rendered).

    The inbox message is written once (conditional put). The publication is claimed with a lease
    before publishing and marked after, so redeliveries and concurrent deliverers publish it
    once; only a crash between publish and mark can repeat it after the lease, and subscribers
    then see the same ``award_id``.
    """
    achievement = config.get_achievement(tenant_id, award.achievement_id)
    name = achievement.name if achievement else award.achievement_id
    if award.status is AwardStatus.ACTIVE:
        leveled = achievement is not None and len(achievement.levels) > 1
        message, event_type = _granted(award, name, leveled), AWARD_GRANTED
        link = _certificate_link(achievement, award, public_base_url)
        if link:
            message = message.model_copy(update={"data": {**message.data, "certificate_url": link}})
    elif award.status is AwardStatus.REVOKED and award.revoked_at is not None:
        message, event_type = _revoked(award, name), AWARD_REVOKED
    else:
        return False
    return _announce(tenant_id, award, name, message, event_type, inbox, notifier, clock, sleep)


def _certificate_link(achievement: Achievement | None, award: Award, base: str) -> str | None:
    """The certificate's link, when the achievement sends it with the notification."""
    if achievement is None or not (achievement.certificate and achievement.send_certificate):
        return None
    if award.certificate_status is None:
        return None
    return certificate_route(base, award.award_id)


def _granted(award: Award, name: str, leveled: bool) -> Message:
    levels = f" {ROMAN[award.level]}" if leveled else ""
    return Message(
        message_id=award.award_id,
        user_id=award.user_id,
        type="achievement",
        title=f"You earned {name}{levels}",
        body=_body(award),
        award_id=award.award_id,
        created_at=award.awarded_at,
        data={"achievement_id": award.achievement_id, "level": award.level},
    )


def _revoked(award: Award, name: str) -> Message:
    assert award.revoked_at is not None
    return Message(
        message_id=f"{award.award_id}.revoked",
        user_id=award.user_id,
        type="award_revoked",
        title=f"{name} was revoked",
        body=award.revoke_reason or "",
        award_id=award.award_id,
        created_at=award.revoked_at,
        data={"achievement_id": award.achievement_id, "level": award.level},
    )


def _announce(
    tenant_id: str,
    award: Award,
    name: str,
    message: Message,
    event_type: str,
    inbox: InboxRepository,
    notifier: Notifier,
    clock: Clock,
    sleep: Callable[[float], None],
) -> bool:
    """The inbox message once, then the publication under a lease, then the mark."""
    inbox.add(tenant_id, message)
    if not _claim(tenant_id, message, inbox, clock, sleep):
        return False
    try:
        notifier.publish(
            subject=f"Accolade: {name}",
            payload={
                "type": event_type,
                "tenant_id": tenant_id,
                "achievement_name": name,
                **award.model_dump(mode="json"),
                **(
                    {"certificate_url": message.data["certificate_url"]}
                    if "certificate_url" in message.data
                    else {}
                ),
            },
            attributes={
                "tenant_id": tenant_id,
                "event_type": event_type,
                "achievement_type": award.achievement_type.value,
                "award_id": award.award_id,
            },
        )
    except Exception:
        inbox.release_announcement(tenant_id, message)
        raise
    inbox.mark_announced(tenant_id, message, clock.now())
    return True


def _claim(
    tenant_id: str,
    message: Message,
    inbox: InboxRepository,
    clock: Clock,
    sleep: Callable[[float], None],
) -> bool:
    """Claim the announcement; a lease left by a deliverer that died is waited out once.

    Waiting here, rather than failing the record, keeps Lambda's few stream retries for real
    failures: they can all come back within one lease and send the record to the failure queue.
    """
    try:
        return inbox.claim_announcement(tenant_id, message, clock.now() + ANNOUNCE_LEASE)
    except AnnouncementLeasedError as held:
        left = (held.until - clock.now()).total_seconds() if held.until else None
        if left is None or left > ANNOUNCE_LEASE.total_seconds():
            raise
        sleep(max(left, 0.0) + 0.05)
        return inbox.claim_announcement(tenant_id, message, clock.now() + ANNOUNCE_LEASE)


def _body(award: Award) -> str:
    parts = []
    if award.points:
        parts.append(f"{award.points} point{'s' if award.points != 1 else ''}")
    if award.coins:
        parts.append(f"{award.coins} coin{'s' if award.coins != 1 else ''}")
    return "You earned " + " and ".join(parts) + "." if parts else "Well done."


def announce_notice(
    tenant_id: str,
    message: Message,
    *,
    inbox: InboxRepository,
    notifier: Notifier,
    clock: Clock,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Publish an ``expiring_soon`` inbox message (written by the daily notices job) as
    ``award.expiring_soon``, once, under the same lease and mark as an award's announcement;
    True when this call published it."""
    if not _claim(tenant_id, message, inbox, clock, sleep):
        return False
    name = str(message.data.get("achievement_name", ""))
    try:
        notifier.publish(
            subject=f"Accolade: {name} expires soon",
            payload={
                "type": AWARD_EXPIRING_SOON,
                "tenant_id": tenant_id,
                "user_id": message.user_id,
                "award_id": message.award_id,
                "message_id": message.message_id,
                **message.data,
            },
            attributes={
                "tenant_id": tenant_id,
                "event_type": AWARD_EXPIRING_SOON,
                "award_id": message.award_id or "",
            },
        )
    except Exception:
        inbox.release_announcement(tenant_id, message)
        raise
    inbox.mark_announced(tenant_id, message, clock.now())
    return True
