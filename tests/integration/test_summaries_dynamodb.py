"""A user's achievements page reads their award summaries, never their awards: the same items
whatever the user holds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from accolade.adapters.dynamo import models
from accolade.domain.models import Achievement, AchievementType, Award, Level
from tests.fakes import FakeContainer
from tests.integration.helpers import AT, event_award, hooked
from tests.unit.builders import my_achievements

pytestmark = pytest.mark.usefixtures("aws_env")


@contextmanager
def items_read() -> Iterator[list[int]]:
    """How many items each request inside the block returned (GetItem counts one)."""
    read: list[int] = []

    def record(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name in ("Query", "Scan"):
            read.append(int(parsed.get("Count", 0)))
        elif model.name == "GetItem":
            read.append(1 if "Item" in parsed else 0)
        elif model.name == "BatchGetItem":
            read.append(sum(len(v) for v in parsed.get("Responses", {}).values()))

    client = models.Item._get_connection().connection.client
    with hooked(client, "after-call.dynamodb", record):
        yield read


def award(user_id: str, achievement_id: str, period: str, level: int) -> Award:
    return event_award(user_id, achievement_id, period, level, points=10 * level)


def daily(achievement_id: str) -> Achievement:
    return Achievement(
        achievement_id=achievement_id,
        name=achievement_id.title(),
        type=AchievementType.EVENT,
        event_type=f"{achievement_id}.done",
        levels=[Level(points=10)],
        created_at=AT,
        updated_at=AT,
    )


def history(user_id: str, days: int) -> list[Award]:
    return [
        award(user_id, achievement, f"D2026-{1 + day // 28:02d}-{1 + day % 28:02d}", level)
        for achievement in ("mentor", "helper")
        for day in range(days)
        for level in (1,)
    ]


def page(container: Any, tenant_id: str, user_id: str) -> list[tuple[str, int, int, int]]:
    views = my_achievements(container, user_id, tenant_id).items
    return [
        (v.achievement.achievement_id, v.times_earned, v.highest_level, v.points_earned)
        for v in views
    ]


@pytest.fixture
def catalogue(accolade: Any, tenant_id: str) -> Any:
    for achievement_id in ("mentor", "helper"):
        accolade.config.create_achievement(tenant_id, daily(achievement_id))
    return accolade


def test_the_page_reads_the_same_items_for_1_or_100_awards_like_the_fake(
    catalogue: Any, tenant_id: str
) -> None:
    fake = FakeContainer()
    for achievement_id in ("mentor", "helper"):
        fake.config.create_achievement(tenant_id, daily(achievement_id))
    for repository in (catalogue.awards, fake.awards):
        repository.grant(tenant_id, "newcomer", history("newcomer", 1)[:1])
        repository.grant(tenant_id, "veteran", history("veteran", 50))

    page(catalogue, tenant_id, "newcomer")  # the sandbox's first read of the configuration

    with items_read() as newcomer:
        seen_newcomer = page(catalogue, tenant_id, "newcomer")
    with items_read() as veteran:
        seen_veteran = page(catalogue, tenant_id, "veteran")

    assert seen_veteran == page(fake, tenant_id, "veteran")
    assert seen_veteran == [("helper", 50, 1, 500), ("mentor", 50, 1, 500)]
    assert seen_newcomer == page(fake, tenant_id, "newcomer")
    assert len(veteran) == len(newcomer)
    assert sum(veteran) <= sum(newcomer) + 1  # a summary per achievement earned, not per award
