"""Evaluation's configuration is read once per sandbox and checked with one GetItem of the
tenant's configuration revision per batch; every definition write moves the revision."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest

from accolade.adapters.dynamo import models
from accolade.domain.models import Achievement, AchievementType, Metric, TenantSettings
from tests.integration.helpers import hooked

AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("aws_env")


@contextmanager
def operations() -> Iterator[list[str]]:
    sent: list[str] = []

    def record(model: Any, **_: Any) -> None:
        sent.append(model.name)

    client = models.Item._get_connection().connection.client
    with hooked(client, "before-call.dynamodb", record):
        yield sent


def attendee() -> Achievement:
    return Achievement(
        achievement_id="attendee",
        name="Attendee",
        type=AchievementType.EVENT,
        event_type="webinar.joined",
        created_at=AT,
        updated_at=AT,
    )


def test_an_unchanged_configuration_costs_one_getitem(accolade: Any, tenant_id: str) -> None:
    accolade.config.create_achievement(tenant_id, attendee())
    first = accolade.config.get_config(tenant_id)

    with operations() as sent:
        again = accolade.config.get_config(tenant_id)

    assert again == first
    assert sent == ["GetItem"]


def test_every_definition_write_is_seen_by_the_next_read(accolade: Any, tenant_id: str) -> None:
    config = accolade.config
    config.create_achievement(tenant_id, attendee())
    assert [a.achievement_id for a in config.get_config(tenant_id).achievements] == ["attendee"]

    stored = config.get_achievement(tenant_id, "attendee")
    disabled = stored.model_copy(update={"enabled": False, "version": stored.version + 1})
    config.replace_achievement(tenant_id, disabled, expected_version=stored.version)
    assert [a.enabled for a in config.get_config(tenant_id).achievements] == [False]

    config.put_settings(tenant_id, TenantSettings(timezone="Europe/Paris"))
    assert config.get_config(tenant_id).settings.timezone == "Europe/Paris"

    metric = Metric.model_validate(
        {"metric_id": "deals", "event_type": "deal.won", "aggregate": "count"}
    )
    config.put_metric(tenant_id, metric, expected_revision=0)
    assert [m.metric_id for m in config.get_config(tenant_id).metrics] == ["deals"]
