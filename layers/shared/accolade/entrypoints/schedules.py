"""The scheduled jobs' inputs turned into service calls: the hourly schedule's event and the
queue's per-tenant messages (winners), the daily schedule's event (expiry notices)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import AwareDatetime, BaseModel

from accolade.bootstrap import Container, inject
from accolade.observability import count, logger

# Each job imports its own service where it runs: the three functions share this module, and
# the expiry notices need none of the winners' (their modules are a cold start's milliseconds).


class ClosePeriods(BaseModel):
    """A schedule's Input: {"as_of": "<aws.scheduler.scheduled-time>"}; the clock when absent."""

    as_of: AwareDatetime | None = None


def close_periods_event(payload: Mapping[str, Any], c: Container) -> dict[str, Any]:
    """Hand each tenant whose periods are due at ``as_of`` to the winners queue."""
    from accolade.services.winners import close_periods

    # Pydantic alone: Powertools Parser's package imports every AWS event model it knows, some
    # 160 ms of a cold start to read one field.
    as_of = ClosePeriods.model_validate(payload).as_of or c.clock.now()
    work = inject(close_periods, c)(as_of)
    closes = sum(len(item.closes) for item in work)
    count("TenantsDue", len(work))
    logger.info("periods due", extra={"as_of": as_of.isoformat(), "tenants": len(work)})
    return {"as_of": as_of.isoformat(), "tenants": len(work), "closes": closes}


def winners_record(record: Mapping[str, Any], c: Container) -> None:
    """Close one tenant's due periods: one SQS message, from ``close_periods_event``."""
    from accolade.domain.closing import TenantCloses
    from accolade.services.winners import select_winners

    work = TenantCloses.model_validate_json(record["body"])
    result = inject(select_winners, c)(work)
    count("WinnersSelected", len(result.granted))
    logger.info(
        "winners selected",
        extra={
            "tenant_id": work.tenant_id,
            "as_of": work.as_of.isoformat(),
            "granted": [award.award_id for award in result.granted],
            "already_chosen": result.already_chosen,
            "no_activity": result.no_activity,
            "not_due": result.not_due,
        },
    )


def expiry_notices_event(payload: Mapping[str, Any], c: Container) -> dict[str, Any]:
    """Send the expiring-soon notices due at ``as_of`` (the daily schedule's Input)."""
    from accolade.services.expiry import send_expiry_notices

    as_of = ClosePeriods.model_validate(payload).as_of or c.clock.now()
    result = inject(send_expiry_notices, c)(as_of)
    count("ExpiryNoticesSent", len(result.sent))
    return {
        "as_of": as_of.isoformat(),
        "tenants": result.tenants,
        "sent": [award.award_id for award in result.sent],
        "already_told": result.already_told,
    }
