"""Scheduled: close the last week or month and grant each period winner once."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from accolade.bootstrap import container
from accolade.domain.periods import TimeRange
from accolade.observability import count, logger, metrics, tracer
from accolade.services.winners import select_winners


class ClosePeriod(BaseModel):
    """The schedule's Input: {"period": "week"} or {"period": "month"}."""

    period: TimeRange


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(payload: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Pydantic alone: Powertools Parser's package imports every AWS event model it knows, some
    # 160 ms of a cold start to read one field.
    event = ClosePeriod.model_validate(payload)
    c = container()
    result = select_winners(
        event.period,
        config=c.config,
        users=c.users,
        leaderboards=c.leaderboards,
        awards=c.awards,
        clock=c.clock,
    )
    count("WinnersSelected", len(result.granted))
    logger.info(
        "winners selected", extra={"period": event.period.value, "granted": len(result.granted)}
    )
    return {
        "period": event.period.value,
        "granted": [award.award_id for award in result.granted],
        "already_chosen": result.already_chosen,
        "no_activity": result.no_activity,
    }
