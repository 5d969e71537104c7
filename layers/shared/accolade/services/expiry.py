"""SendExpiryNotices: the daily job tells each holder, once, that an award expires soon."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from accolade.domain.expiry import expiring_soon, notice_window
from accolade.domain.models import Award
from accolade.observability import logger
from accolade.ports import AwardRepository, ConfigRepository


@dataclass
class NoticesResult:
    sent: list[Award] = field(default_factory=list)
    already_told: int = 0  # told by an earlier or concurrent run, or changed meanwhile
    tenants: int = 0


def send_expiry_notices(
    as_of: datetime,
    *,
    config: ConfigRepository,
    awards: AwardRepository,
    tenant_ids: Iterable[str] | None = None,
) -> NoticesResult:
    """Tell each holder of an award whose ``valid_until`` falls within their tenant's
    ``expiry_notice_days`` after ``as_of``: an ``expiring_soon`` inbox message, which the
    deliver function announces on SNS.

    Once per award and expiry however often it runs (a missed day, a replay, two runs at once):
    the message and the award's leaving the expiry index commit together, on the condition that
    it is still there. An award whose expiry is edited re-enters the index with its new date,
    and is told again when that date comes within the window. ``tenant_ids`` limits a run (a
    replay for one tenant) to those of the tenants with expiring awards.
    """
    result = NoticesResult()
    only = None if tenant_ids is None else set(tenant_ids)
    for tenant_id in awards.expiring_tenants():
        if only is not None and tenant_id not in only:
            continue
        tenant = config.get_config(tenant_id)
        window = notice_window(as_of, tenant.settings.expiry_notice_days)
        if window is None:
            continue
        result.tenants += 1
        names = {a.achievement_id: a.name for a in tenant.achievements}
        for award in awards.expiring(tenant_id, *window):
            message = expiring_soon(
                award, names.get(award.achievement_id, award.achievement_id), as_of
            )
            if awards.record_expiry_notice(tenant_id, award, message):
                result.sent.append(award)
            else:
                result.already_told += 1
    logger.info(
        "expiry notices",
        extra={"as_of": as_of.isoformat(), "sent": len(result.sent), "tenants": result.tenants},
    )
    return result
