"""A tenant defines at most MAX_ACHIEVEMENTS achievements and MAX_METRICS metrics: the next
create is a 422 naming the field and the number, and nothing is stored."""

from __future__ import annotations

import json

import pytest

from accolade.domain.errors import LimitExceededError
from accolade.domain.limits import MAX_ACHIEVEMENTS, MAX_METRICS
from accolade.services import admin
from accolade_local.handlers import LambdaContext, load_handler
from tests.fakes import FakeContainer
from tests.http_events import http_event
from tests.unit.builders import ADMIN, OTHER_TENANT, TENANT, achievement, metric

api = load_handler("api")
TASK = {"name": "Task", "type": "event", "event_type": "task.done"}


def test_the_achievement_after_the_last_allowed_is_refused(c: FakeContainer) -> None:
    for _ in range(MAX_ACHIEVEMENTS):
        achievement(c, **TASK)

    with pytest.raises(LimitExceededError) as refused:
        achievement(c, **TASK)

    assert refused.value.field == "body"
    assert f"at most {MAX_ACHIEVEMENTS} achievements" in refused.value.message
    assert len(c.config.get_config(TENANT).achievements) == MAX_ACHIEVEMENTS
    assert achievement(c, OTHER_TENANT, **TASK).name == "Task"  # the cap is per tenant


def test_at_the_metric_cap_replacing_works_and_adding_does_not(c: FakeContainer) -> None:
    for n in range(MAX_METRICS):
        metric(c, f"m-{n}", event_type=f"task.kind{n}")

    replaced = metric(c, "m-0", event_type="sale.won")
    with pytest.raises(LimitExceededError) as refused:
        metric(c, "one-more")

    assert refused.value.field == "metric_id"
    assert f"at most {MAX_METRICS} metrics" in refused.value.message
    assert admin.get_metric(TENANT, "m-0", config=c.config) == replaced
    assert c.config.get_metric(TENANT, "one-more") is None


def test_over_http_the_cap_is_a_422_naming_the_field(fakes: FakeContainer) -> None:
    for n in range(MAX_METRICS):
        metric(fakes, f"m-{n}", event_type=f"task.kind{n}")

    response = api.lambda_handler(
        http_event(
            "PUT",
            "/v1/admin/metrics/one-more",
            body={"event_type": "sale.closed", "aggregate": "count"},
            claims=ADMIN,
        ),
        LambdaContext(),
    )

    body = json.loads(response["body"])
    assert response["statusCode"] == 422
    assert body["error"]["code"] == "limit_exceeded"
    assert body["error"]["message"].startswith(f"metric_id: a tenant defines at most {MAX_METRICS}")
    assert body["error"]["details"][0]["field"] == "metric_id"
