"""Admin: achievement definitions are versioned, typed for good, and validated field by field."""

from __future__ import annotations

from typing import Any

import pytest

from accolade.domain.errors import ConflictError, InvalidInputError, NotFoundError, field_path
from accolade.domain.models import AchievementType
from accolade.services import admin, me
from tests.fakes import FakeContainer
from tests.unit.builders import (
    OTHER_TENANT,
    TENANT,
    closer,
    ingest_and_evaluate,
    metric,
    my_achievements,
    sales,
    wired,
)


def edit(c: FakeContainer, achievement_id: str, **changes: Any) -> Any:
    return wired(admin.edit_achievement, c, TENANT, achievement_id, changes)


def views(c: FakeContainer, user_id: str = "alice") -> dict[str, me.AchievementView]:
    found = my_achievements(c, user_id)
    return {view.achievement.achievement_id: view for view in found.items}


def test_create_then_get_returns_version_one(c: FakeContainer) -> None:
    metric(c)

    created = closer(c, badge="closer.svg")

    assert created.version == 1
    assert created.created_at == created.updated_at == c.clock.now()
    assert admin.get_achievement(TENANT, created.achievement_id, config=c.config) == created
    with pytest.raises(NotFoundError):
        admin.get_achievement(OTHER_TENANT, created.achievement_id, config=c.config)


def test_each_edit_is_a_new_version(c: FakeContainer) -> None:
    metric(c)
    created = closer(c)

    second = edit(c, created.achievement_id, description="Close deals")
    third = edit(c, created.achievement_id, enabled=False)

    assert (second.version, third.version) == (2, 3)
    assert third.description == "Close deals" and not third.enabled
    assert admin.get_achievement(TENANT, created.achievement_id, config=c.config) == third
    assert third.created_at == created.created_at


def test_an_edit_on_a_stale_version_is_a_conflict(c: FakeContainer) -> None:
    metric(c)
    created = closer(c)
    edit(c, created.achievement_id, name="Closer!")

    with pytest.raises(ConflictError):
        c.config.replace_achievement(
            TENANT, created.model_copy(update={"version": 2}), expected_version=1
        )


def test_the_type_never_changes(c: FakeContainer) -> None:
    metric(c)
    created = closer(c)

    with pytest.raises(InvalidInputError) as raised:
        edit(c, created.achievement_id, type="event", event_type="email.sent")

    assert raised.value.field == "type"
    stored = admin.get_achievement(TENANT, created.achievement_id, config=c.config)
    assert (stored.type, stored.version) == (AchievementType.METRIC_THRESHOLD, 1)


def test_restating_the_same_type_is_allowed(c: FakeContainer) -> None:
    metric(c)
    created = closer(c)

    assert edit(c, created.achievement_id, type="metric_threshold", name="Closer").version == 2


def test_new_thresholds_apply_to_future_awards_only(c: FakeContainer) -> None:
    metric(c)
    family = closer(c)
    ingest_and_evaluate(c, sales(5, "2026-11-24T08:00:00Z"))

    edit(
        c,
        family.achievement_id,
        levels=[
            {"threshold": 3, "points": 70},
            {"threshold": 6, "points": 500},
            {"threshold": 9, "points": 900},
        ],
    )
    ingest_and_evaluate(c, sales(1, "2026-11-24T09:00:00Z", prefix="sixth"))

    levels = {a.level: a for a in c.awards.user_awards(TENANT, "alice")}
    assert sorted(levels) == [1, 2]
    assert (levels[1].points, levels[1].achievement_version) == (50, 1)
    assert (levels[2].points, levels[2].achievement_version) == (500, 2)
    assert c.awards.wallet(TENANT, "alice").points == 550


def test_a_new_name_shows_on_awards_already_earned(c: FakeContainer) -> None:
    metric(c)
    family = closer(c)
    ingest_and_evaluate(c, sales(5, "2026-11-24T08:00:00Z"))

    edit(c, family.achievement_id, name="Deal Maker", badge="deal-maker.svg")

    view = views(c)[family.achievement_id]
    assert view.earned
    assert (view.achievement.name, view.achievement.badge) == ("Deal Maker", "deal-maker.svg")


def test_the_metric_must_exist(c: FakeContainer) -> None:
    with pytest.raises(InvalidInputError) as raised:
        closer(c, metric="calls")
    assert raised.value.field == "metric"
    assert admin.list_page(TENANT, read=c.config.achievements_page).items == []

    metric(c)
    created = closer(c)
    with pytest.raises(InvalidInputError) as on_edit:
        edit(c, created.achievement_id, metric="calls")
    assert on_edit.value.field == "metric"
    assert admin.get_achievement(TENANT, created.achievement_id, config=c.config).version == 1


def test_a_metric_of_another_tenant_does_not_count(c: FakeContainer) -> None:
    metric(c, tenant_id=OTHER_TENANT)

    with pytest.raises(InvalidInputError) as raised:
        closer(c)

    assert raised.value.field == "metric"


@pytest.mark.parametrize(
    ("definition", "field"),
    [
        ({"type": "metric_threshold", "time_range": "week"}, "metric"),
        ({"type": "metric_threshold", "metric": "sales"}, "time_range"),
        (
            {
                "type": "metric_threshold",
                "metric": "sales",
                "time_range": "week",
                "levels": [{"threshold": 10}, {"threshold": 5}],
            },
            "levels",
        ),
        (
            {
                "type": "metric_threshold",
                "metric": "sales",
                "time_range": "week",
                "levels": [{"threshold": 1}] * 4,
            },
            "levels",
        ),
        ({"type": "event"}, "event_type"),
        ({"type": "event", "event_type": "a.b", "levels": [{"threshold": 2}]}, "levels"),
        (
            {
                "type": "event",
                "event_type": "a.b",
                "effective_from": "2026-12-01T00:00:00Z",
                "effective_to": "2026-11-01T00:00:00Z",
            },
            "effective_to",
        ),
        ({"type": "course_completion", "category": "record", "period": "week"}, "category"),
        ({"type": "event", "event_type": "a.b", "colour": "red"}, "colour"),
        ({"type": "event", "event_type": "a.b", "levels": [{"points": -1}]}, "levels[0].points"),
    ],
)
def test_a_definition_that_does_not_fit_its_type_names_the_field(
    c: FakeContainer, definition: dict[str, Any], field: str
) -> None:
    metric(c)

    with pytest.raises(InvalidInputError) as raised:
        wired(admin.create_achievement, c, TENANT, {"name": "Broken", **definition})

    assert raised.value.field == field
    assert raised.value.details == [{"field": field, "message": raised.value.details[0]["message"]}]
    assert admin.list_page(TENANT, read=c.config.achievements_page).items == []


def test_an_edit_that_breaks_the_type_names_the_field_and_stores_nothing(
    c: FakeContainer,
) -> None:
    metric(c)
    created = closer(c)

    with pytest.raises(InvalidInputError) as raised:
        edit(c, created.achievement_id, time_range=None)

    assert raised.value.field == "time_range"
    assert admin.get_achievement(TENANT, created.achievement_id, config=c.config) == created


def test_a_pydantic_error_location_reads_as_a_field_path() -> None:
    assert field_path(("events", 3, "occurred_at")) == "events[3].occurred_at"
    assert field_path(("levels", 0, "threshold", "int")) == "levels[0].threshold"
    assert field_path(()) == ""
