"""What Accolade accepts and what one tenant may define: the numbers, in one place.

Sized so that whatever the API accepts the table can store: DynamoDB stores numbers of at
most 38 significant digits between 1e-130 and 1e125, keys of at most 2 KB, items of at most
400 KB, and commits at most 100 items in one transaction. The caps bound what is still read
whole: the tenant's definition, which the evaluator reads per batch (one query) and
GET /v1/me/achievements computes over; pages keep each response far below Lambda's 6 MB.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from accolade.domain.periods import TimeRange

# A number has at most 15 integer and 9 decimal digits (24 significant digits). A counter is a
# sum of such numbers: reaching DynamoDB's 38 digits would take 10^14 events of the largest
# value on one counter, so counters cannot overflow.
MAX_MAGNITUDE = Decimal(10) ** 15
MAX_DECIMALS = 9
# An event's period is computed in any time zone (UTC-12..+14): dates far from today would
# overflow the calendar there, and nothing real happened before 2000.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_DEFINITION = datetime(2100, 1, 1, tzinfo=UTC)
# One counter per metric and period (4): an event writes at most 96 counters. Set when an
# event's counters committed in one transaction (100 items); kept as the bound on one event's cost.
TRANSACTION_ITEMS = 100
PERIODS_PER_METRIC = len(TimeRange)
MAX_METRICS_PER_EVENT_TYPE = (TRANSACTION_ITEMS - 1) // PERIODS_PER_METRIC
MAX_JSON_DEPTH = 32


def check_number(value: int | float | Decimal) -> Decimal:
    """``value`` as an exact Decimal; ValueError naming the rule it breaks."""
    if isinstance(value, bool):
        raise ValueError("must be a number")
    if isinstance(value, int) and abs(value) > MAX_MAGNITUDE:
        raise ValueError("must be no larger than 1e15 in magnitude")
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError("must be a number") from exc
    if not number.is_finite():
        raise ValueError("must be a finite number")
    if abs(number) > MAX_MAGNITUDE:
        raise ValueError("must be no larger than 1e15 in magnitude")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        raise ValueError(f"must have at most {MAX_DECIMALS} digits after the decimal point")
    return number


def check_instant(value: datetime, *, latest: datetime | None = LATEST_DEFINITION) -> datetime:
    """``value`` within [2000-01-01, ``latest``] (no upper bound when None); ValueError otherwise."""
    if latest is None:
        if value < EARLIEST:
            raise ValueError(f"must not be before {EARLIEST.isoformat()}")
        return value
    if not EARLIEST <= value <= latest:
        raise ValueError(f"must be between {EARLIEST.isoformat()} and {latest.isoformat()} (UTC)")
    return value


MAX_ACHIEVEMENTS = 1_000
MAX_METRICS = 200
# A user's goals are one item, read whole by the evaluator for each user whose watched metric
# moved (a BatchGetItem): 50 goals stay far below 400 KB and keep that read small.
MAX_GOALS_PER_USER = 50

PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 100
