"""Response schemas read off domain objects: Out.read and Listing.of."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from accolade.domain.models import Achievement, AchievementType, LedgerEntry, Level
from accolade.entrypoints.http import admin_schemas, schemas
from accolade.services.leaderboards import Row

NOW = datetime(2026, 11, 24, 10, tzinfo=UTC)


def test_read_takes_fields_by_name_and_values_for_the_rest() -> None:
    row = Row(rank=1, user_id="alice", display_name="Alice", score=Decimal("2.5"))

    read = schemas.LeaderboardRowOut.read(row, display_name="A.")

    assert read.model_dump() == {
        "rank": 1,
        "user_id": "alice",
        "display_name": "A.",
        "score": 2.5,
        "featured": None,
        "badges": [],
    }


def test_enums_and_tuples_read_as_their_json_values() -> None:
    achievement = Achievement(
        achievement_id="a1",
        name="Closer",
        type=AchievementType.METRIC_THRESHOLD,
        metric="sales",
        time_range="week",
        levels=(Level(threshold=Decimal(3), points=10),),
        created_at=NOW,
        updated_at=NOW,
    )

    out = admin_schemas.AchievementOut.of(achievement).model_dump(mode="json")

    assert (out["id"], out["type"], out["time_range"]) == ("a1", "metric_threshold", "week")
    assert out["levels"] == [{"level": 1, "threshold": 3.0, "points": 10, "coins": 0}]
    assert out["audience"] == {"groups": []}


def test_a_listing_reads_each_item_by_its_schema() -> None:
    entry = LedgerEntry(
        user_id="alice",
        award_id="w1",
        sequence=1,
        points=10,
        coins=0,
        points_balance=10,
        coins_balance=0,
        reason="award",
        at=NOW,
    )

    page = schemas.LedgerOut.of([entry], "next")

    assert page.next_cursor == "next"
    assert page.model_dump()["items"] == [entry.model_dump(exclude={"user_id"})]
