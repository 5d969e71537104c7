"""A realistic tenant and its activity: metrics, achievements, users with Zipf-like activity."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from accolade.domain.models import ActivityEvent

# metric id -> (event type, aggregate, field summed)
METRICS: dict[str, tuple[str, str, str | None]] = {
    "sales": ("sale_closed", "sum", None),  # sums `value`
    "logins": ("login", "count", None),
    "lessons": ("lesson_completed", "count", None),
    "calls": ("call_logged", "count", None),
    "quiz_score": ("quiz_passed", "sum", "score"),  # sums attributes.score
}
# How often each metric's event happens, relative to the others.
METRIC_WEIGHTS = {"sales": 2, "logins": 5, "lessons": 3, "calls": 4, "quiz_score": 1}
# One event's typical amount for sum metrics: thresholds scale with it.
SCALE = {"sales": 250, "quiz_score": 70}
THRESHOLDS = {
    "day": (2, 5, 10),
    "week": (5, 15, 40),
    "month": (10, 40, 100),
    "all_time": (20, 100, 300),
}
TIME_RANGES: dict[str, tuple[str, ...]] = {
    "sales": ("day", "week", "month", "all_time"),
    "logins": ("day", "week", "all_time"),
    "lessons": ("week", "month", "all_time"),
    "calls": ("day", "month", "all_time"),
    "quiz_score": ("day", "week", "all_time"),
}
# event achievements: (id, event type, repeatable); ~3% of the activity.
EVENT_ACHIEVEMENTS = (
    ("certified", "certification_completed", False),
    ("mobile_alerts", "mobile_notifications_enabled", False),
    ("first_feedback", "feedback_given", False),
    ("kudos", "kudos_received", True),
)
RARE_EVENT_SHARE = 0.03


def metric_bodies() -> dict[str, dict[str, Any]]:
    """PUT /v1/admin/metrics/{id} bodies."""
    bodies: dict[str, dict[str, Any]] = {}
    for metric_id, (event_type, aggregate, field) in METRICS.items():
        body: dict[str, Any] = {"event_type": event_type, "aggregate": aggregate}
        if field:
            body["field"] = field
        bodies[metric_id] = body
    return bodies


def _levels(metric_id: str, time_range: str, variant: int) -> list[dict[str, Any]]:
    scale = SCALE.get(metric_id, 1)
    return [
        {"threshold": t * scale * (variant + 1), "points": 10 * (i + 1), "coins": i}
        for i, t in enumerate(THRESHOLDS[time_range])
    ]


def achievement_bodies(count: int = 20) -> list[dict[str, Any]]:
    """POST /v1/admin/achievements bodies: thresholds over every metric and period, and events.

    20 gives 16 metric thresholds (3 levels each) and 4 event achievements (one repeatable);
    more repeats the pattern with higher thresholds.
    """
    thresholds = [(m, r) for m, ranges in TIME_RANGES.items() for r in ranges]
    bodies: list[dict[str, Any]] = []
    variant = 0
    while len(bodies) < count:
        for metric_id, time_range in thresholds:
            bodies.append(
                {
                    "name": f"{metric_id} {time_range} {variant + 1}",
                    "description": f"{metric_id} over the {time_range} period",
                    "type": "metric_threshold",
                    "badge": f"{metric_id}-{time_range}",
                    "metric": metric_id,
                    "time_range": time_range,
                    "levels": _levels(metric_id, time_range, variant),
                }
            )
        for name, event_type, repeatable in EVENT_ACHIEVEMENTS:
            bodies.append(
                {
                    "name": f"{name} {variant + 1}",
                    "type": "event",
                    "event_type": event_type,
                    "repeatable": repeatable,
                    "levels": [{"threshold": 1, "points": 25, "coins": 1}],
                }
            )
        variant += 1
    return bodies[:count]


@dataclass(frozen=True)
class Workload:
    users: list[str]
    events: list[ActivityEvent]

    def distinct_active_users(self) -> int:
        return len({event.user_id for event in self.events})


def zipf_weights(n: int, exponent: float = 1.1) -> list[float]:
    return [1.0 / (rank**exponent) for rank in range(1, n + 1)]


def generate(
    *, events: int, users: int, now: datetime, seed: int = 7, days: int = 28, prefix: str = "ev"
) -> Workload:
    """``events`` activities by ``users`` users (Zipf: a few very active, a long tail), spread
    over the last ``days`` days and sent in the order they happened."""
    rng = random.Random(seed)
    user_ids = [f"user-{i:04d}" for i in range(users)]
    weights = zipf_weights(users)
    metric_ids = list(METRIC_WEIGHTS)
    metric_weights = [METRIC_WEIGHTS[m] for m in metric_ids]
    start = now - timedelta(days=days)
    span = (now - timedelta(minutes=1) - start).total_seconds()
    moments = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(events))
    out: list[ActivityEvent] = []
    for index, moment in enumerate(moments):
        user = rng.choices(user_ids, weights)[0]
        value: Decimal | None = None
        attributes: dict[str, str | int | float | bool] = {}
        if rng.random() < RARE_EVENT_SHARE:
            event_type = rng.choice(EVENT_ACHIEVEMENTS)[1]
        else:
            metric_id = rng.choices(metric_ids, metric_weights)[0]
            event_type = METRICS[metric_id][0]
            if metric_id == "sales":
                value = Decimal(rng.randint(20, 500))
            elif metric_id == "quiz_score":
                attributes["score"] = rng.randint(40, 100)
            attributes["channel"] = rng.choice(("web", "mobile", "crm"))
        out.append(
            ActivityEvent(
                event_id=f"{prefix}-{index:06d}",
                type=event_type,
                user_id=user,
                occurred_at=moment,
                value=value,
                attributes=attributes,
            )
        )
    return Workload(user_ids, out)
