"""What a user sees: every visible achievement, earned or not, with progress this period."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from accolade.domain.models import UserProfile
from accolade.services import admin, me
from tests.fakes import FakeContainer
from tests.unit.builders import (
    TENANT,
    achievement,
    activity,
    closer,
    event_achievement,
    ingest_and_evaluate,
    metric,
    my_achievements,
    sales,
    wired,
)


def mine(c: FakeContainer, user_id: str = "alice", **options: Any) -> list[me.AchievementView]:
    return my_achievements(c, user_id, **options).items


@pytest.fixture
def catalogue(c: FakeContainer) -> FakeContainer:
    """Closer (300 points over 3 levels), certified (200), Attendee (10); alice has earned
    Closer I this week and Attendee; last week's 3 sales do not count this week."""
    metric(c)
    closer(c)
    event_achievement(c, "certified", "certification.completed", points=200)
    event_achievement(c, "Attendee", "webinar.joined")
    ingest_and_evaluate(c, sales(3, "2026-11-17T08:00:00Z", prefix="last-week"))
    ingest_and_evaluate(c, sales(7, "2026-11-24T08:00:00Z"))
    ingest_and_evaluate(c, [activity("w-1", "2026-11-24T09:00:00Z", type="webinar.joined")])
    return c


def test_lists_earned_and_not_earned_by_name_ascending(catalogue: FakeContainer) -> None:
    views = mine(catalogue)

    assert [(v.achievement.name, v.earned) for v in views] == [
        ("Attendee", True),
        ("certified", False),
        ("Closer", True),
    ]
    closer_view = views[2]
    assert (closer_view.highest_level, closer_view.points_earned, closer_view.points) == (
        1,
        50,
        300,
    )


def test_progress_to_the_next_level_counts_the_current_period_only(
    catalogue: FakeContainer,
) -> None:
    progress = {v.achievement.name: v.progress for v in mine(catalogue)}

    assert progress["Attendee"] is None
    assert progress["Closer"] == me.Progress(
        period_key="W2026-W48",
        value=Decimal(7),
        levels_earned=1,
        next_level=2,
        next_threshold=Decimal(10),
        remaining=Decimal(3),
    )


def test_a_new_period_shows_fresh_progress(catalogue: FakeContainer) -> None:
    catalogue.clock.set(catalogue.clock.now().replace(day=30))

    [closer_view] = [v for v in mine(catalogue) if v.achievement.name == "Closer"]

    assert closer_view.progress is not None
    assert (closer_view.progress.period_key, closer_view.progress.value) == (
        "W2026-W49",
        Decimal(0),
    )
    assert (closer_view.progress.next_level, closer_view.progress.remaining) == (1, Decimal(5))
    assert closer_view.earned


def test_someone_else_sees_their_own_state(catalogue: FakeContainer) -> None:
    assert [v.earned for v in mine(catalogue, "bob")] == [False, False, False]


@pytest.mark.parametrize(
    ("status", "names"),
    [
        (me.StatusFilter.COMPLETED, ["Attendee", "Closer"]),
        (me.StatusFilter.NOT_COMPLETED, ["certified"]),
        (None, ["Attendee", "certified", "Closer"]),
    ],
)
def test_status_filter(
    catalogue: FakeContainer, status: me.StatusFilter | None, names: list[str]
) -> None:
    assert [v.achievement.name for v in mine(catalogue, status=status)] == names


@pytest.mark.parametrize(
    ("sort", "descending", "names"),
    [
        (me.SortKey.NAME, False, ["Attendee", "certified", "Closer"]),
        (me.SortKey.NAME, True, ["Closer", "certified", "Attendee"]),
        (me.SortKey.POINTS, False, ["Attendee", "certified", "Closer"]),
        (me.SortKey.POINTS, True, ["Closer", "certified", "Attendee"]),
    ],
)
def test_sort_by_name_or_points(
    catalogue: FakeContainer, sort: me.SortKey, descending: bool, names: list[str]
) -> None:
    assert [v.achievement.name for v in mine(catalogue, sort=sort, descending=descending)] == names


def test_points_order_is_not_name_order(c: FakeContainer) -> None:
    for name, points in [("Alpha", 30), ("Beta", 10), ("Gamma", 20)]:
        achievement(c, name=name, type="event", event_type="x.y", levels=[{"points": points}])

    by_points = mine(c, sort=me.SortKey.POINTS)

    assert [v.achievement.name for v in by_points] == ["Beta", "Gamma", "Alpha"]


def test_hidden_are_other_audiences_and_disabled_ones_not_earned(c: FakeContainer) -> None:
    c.users.put_user(TENANT, UserProfile(user_id="alice", groups=("support",)))
    achievement(c, name="EMEA only", type="event", event_type="x.y", audience={"groups": ["emea"]})
    kept = achievement(c, name="Kept", type="event", event_type="kept.done")
    dropped = achievement(c, name="Dropped", type="event", event_type="never.done")
    ingest_and_evaluate(c, [activity("k-1", "2026-11-24T09:00:00Z", type="kept.done")])

    for a in (kept, dropped):
        wired(admin.edit_achievement, c, TENANT, a.achievement_id, {"enabled": False})

    assert [(v.achievement.name, v.earned) for v in mine(c)] == [("Kept", True)]


def test_award_views_carry_the_definition_and_the_certificate_link(c: FakeContainer) -> None:
    metric(c)
    closer(c)
    event_achievement(c, "Speaker", "webinar.hosted", certificate=True)
    ingest_and_evaluate(c, sales(5, "2026-11-24T08:00:00Z"))
    ingest_and_evaluate(c, [activity("w-1", "2026-11-24T09:00:00Z", type="webinar.hosted")])

    def views() -> dict[str, me.AwardView]:
        page = me.my_awards(
            TENANT,
            "alice",
            awards=c.awards,
            config=c.config,
            documents=c.documents,
            clock=c.clock,
        )
        return {v.achievement.name if v.achievement else "": v for v in page.items}

    speaker = views()["Speaker"].award
    key = c.documents.put_certificate(TENANT, speaker, b"%PDF")
    c.awards.record_certificate(TENANT, speaker, key)

    shown = views()

    assert set(shown) == {"Closer", "Speaker"}
    assert shown["Speaker"].certificate_url == c.documents.url(key)
    assert shown["Closer"].certificate_url is None


def test_the_page_reads_summaries_never_the_awards(
    catalogue: FakeContainer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def every_award(tenant_id: str, user_id: str) -> None:
        raise AssertionError("the page must not read the user's awards")

    monkeypatch.setattr(catalogue.awards, "user_awards", every_award)

    assert [v.times_earned for v in mine(catalogue)] == [1, 0, 1]
