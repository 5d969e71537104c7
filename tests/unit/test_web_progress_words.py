"""What the achievements page needs to say "4 more sales this week": each achievement's metric and
time range beside its progress (GET /v1/me/achievements)."""

from __future__ import annotations

import pytest

from accolade_local.handlers import load_handler
from tests.fakes import FakeContainer
from tests.http_events import call, claims, http_event
from tests.unit.builders import TENANT, closer, ingest_and_evaluate, metric, sales

api = load_handler("api")

pytestmark = pytest.mark.usefixtures("fakes")


def test_my_achievements_name_the_metric_and_period_their_progress_counts(
    fakes: FakeContainer,
) -> None:
    metric(fakes)
    family = closer(fakes)
    ingest_and_evaluate(fakes, sales(6, "2026-11-24T08:00:00Z"))

    status, body = call(
        api, http_event("GET", "/v1/me/achievements", claims=claims(TENANT, "alice"))
    )

    assert status == 200
    (item,) = body["items"]
    assert (item["id"], item["metric"], item["time_range"]) == (
        family.achievement_id,
        "sales",
        "week",
    )
    assert item["progress"]["next_level"] == 2
