"""Sync, dry run and explain on DynamoDB Local: a sync grants what evaluation would have granted
and nothing twice (also racing the evaluator), a dry run writes and publishes nothing, and
explain agrees with what evaluation did, for every reason."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from accolade.adapters.dynamo.awards import DynamoAwardRepository
from accolade.bootstrap import inject
from accolade.domain.diagnosis import Reason
from accolade.domain.errors import NotFoundError
from accolade.domain.models import Award, AwardStatus, UserProfile
from accolade.services import admin, awards, diagnose
from tests.fakes import FakeClock
from tests.http_events import threshold_achievement
from tests.integration.helpers import http_event, invoke, json_body, with_path
from tests.integration.loop import Loop, running_sum, sales
from tests.integration.test_deliver_messages import feed_messages

MONDAY = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # W2026-W45, in the past: ingest takes it
WEDNESDAY = FakeClock(datetime(2026, 11, 4, 12, 0, tzinfo=UTC))
WEEK = "W2026-W45"


def _in(loop: Loop, service: Callable[..., Any], *args: Any, **options: Any) -> Any:
    """A service with the loop's DynamoDB ports, at Wednesday of the events' week."""
    return inject(service, loop.container)(loop.tenant_id, *args, clock=WEDNESDAY, **options)


def _other(loop: Loop) -> Loop:
    return dataclasses.replace(loop, tenant_id=f"t-{uuid.uuid4().hex[:12]}")


def _facts(found: list[Award]) -> list[tuple[str, str, int, int, int]]:
    return sorted((a.user_id, a.period_key, a.level, a.points, a.coins) for a in found)


def _enable(loop: Loop, achievement_id: str, enabled: bool) -> None:
    _in(loop, admin.edit_achievement, achievement_id, {"enabled": enabled})


def test_a_sync_after_enabling_mid_week_grants_what_evaluation_would_have(loop: Loop) -> None:
    late, early = loop, _other(loop)
    closer = late.configure_closer()
    _enable(late, closer, False)
    late.post(sales(12, MONDAY))
    late.evaluate_until_done(late.event_records(12))
    nothing_while_disabled = late.awards()
    _enable(late, closer, True)
    early.configure_closer()
    early.post(sales(12, MONDAY))
    early.evaluate_until_done(early.event_records(12))

    synced = _in(late, diagnose.sync_user, "user-1")
    again = _in(late, diagnose.sync_user, "user-1")

    assert nothing_while_disabled == []
    assert (
        _facts(synced)
        == _facts(early.awards())
        == [
            ("user-1", WEEK, 1, 50, 0),
            ("user-1", WEEK, 2, 100, 0),
        ]
    )
    assert again == []
    assert _facts(late.awards()) == _facts(early.awards())
    assert late.wallet() == early.wallet()
    assert running_sum(late.ledger())


def test_syncs_racing_the_evaluator_grant_each_level_once(
    loop: Loop, monkeypatch: pytest.MonkeyPatch
) -> None:
    closer = loop.configure_closer()
    _enable(loop, closer, False)
    loop.post(sales(12, MONDAY))
    records = loop.event_records(12)
    loop.evaluate_until_done(records)  # counted while disabled: nothing granted
    _enable(loop, closer, True)
    writers = 4  # two syncs and two redeliveries of the batch, all reading before any writes
    all_read = threading.Barrier(writers, timeout=10)
    read_holdings = DynamoAwardRepository.holdings

    def holdings(self: DynamoAwardRepository, tenant_id: str, wanted: Any) -> Any:
        found = read_holdings(self, tenant_id, wanted)
        with contextlib.suppress(threading.BrokenBarrierError):
            all_read.wait()
        return found

    monkeypatch.setattr(DynamoAwardRepository, "holdings", holdings)
    errors: list[BaseException] = []
    granted: list[Award] = []

    def sync() -> None:
        try:
            granted.extend(_in(loop, diagnose.sync_user, "user-1"))
        except BaseException as exc:
            errors.append(exc)

    def redeliver() -> None:
        try:
            loop.evaluate_until_done(records, load_handler_fresh())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=t) for t in (sync, sync, redeliver, redeliver)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert [(a.period_key, a.level) for a in sorted(loop.awards(), key=lambda a: a.level)] == [
        (WEEK, 1),
        (WEEK, 2),
    ]
    assert loop.wallet().points == 150
    assert [e.points for e in loop.ledger()] == [50, 100]
    assert running_sum(loop.ledger())
    assert len(granted) <= 2


def load_handler_fresh() -> Any:
    from accolade_local.handlers import load_handler

    return load_handler("evaluate_events")


def _scan(dynamodb_client: Any, table_name: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in dynamodb_client.get_paginator("scan").paginate(
        TableName=table_name, ConsistentRead=True
    ):
        items += page["Items"]
    return sorted(items, key=lambda item: (item["PK"]["S"], item["SK"]["S"]))


def test_a_dry_run_writes_nothing_and_publishes_nothing(
    loop: Loop,
    dynamodb_client: Any,
    table_name: str,
    sqs_client: Any,
    feed_queue_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(loop.container, "clock", WEDNESDAY)  # the API's too: the same container
    start = MONDAY
    closer = loop.configure_closer()
    _enable(loop, closer, False)
    loop.post(sales(7, start) + sales(11, start, user_id="user-2", prefix="two"))
    loop.evaluate_until_done(loop.event_records(18))
    feed_messages(sqs_client, feed_queue_url, loop.tenant_id)  # whatever came before
    definition = json_body(http_event("api/post_achievement.json", loop.tenant_id))
    simulate = with_path(
        http_event("api/post_achievement.json", loop.tenant_id),
        "POST",
        "/v1/admin/achievements/simulate",
    )
    asks = [
        {"achievement_id": closer, "user_ids": ["user-1", "user-2", "user-3"]},
        {"definition": definition, "events": sales(3, start, prefix="sample")},
        {"definition": definition, "user_ids": ["user-2"]},
    ]
    before = _scan(dynamodb_client, table_name)

    answers = []
    for ask in asks:
        request = dict(simulate, body=json.dumps(ask))
        response = invoke(loop.api, request)
        assert response["statusCode"] == 200, response
        answers.append(json_body(response)["would_grant"])

    assert _scan(dynamodb_client, table_name) == before
    assert feed_messages(sqs_client, feed_queue_url, loop.tenant_id) == []
    assert [[(w["user_id"], w["level"], w["points"]) for w in a] for a in answers] == [
        [("user-1", 1, 50), ("user-2", 1, 50), ("user-2", 2, 100)],
        [("user-1", 1, 50), ("user-1", 2, 100)],  # 7 stored + 3 samples reach II
        [("user-2", 1, 50), ("user-2", 2, 100)],
    ]
    assert all(w["period_key"] == WEEK for a in answers for w in a)


# -- explain agrees with evaluation, reason by reason ------------------------------------------

THRESHOLD = threshold_achievement("Five a week", "week", threshold=5, points=10)


@dataclasses.dataclass(frozen=True)
class Situation:
    reason: Reason
    definition: dict[str, Any]
    sales: int = 6
    groups: tuple[str, ...] = ()
    enable_after: bool = False  # created disabled, enabled once the sales are evaluated
    revoke: bool = False
    rival_first: bool = False  # user-2 reaches the threshold before user-1


SITUATIONS = [
    Situation(Reason.GRANTED, THRESHOLD),
    Situation(Reason.NOT_YET_REACHED, THRESHOLD, sales=4),
    Situation(Reason.DISABLED, THRESHOLD | {"enabled": False}),
    Situation(
        Reason.OUTSIDE_EFFECTIVE_DATES, THRESHOLD | {"effective_from": "2026-11-05T00:00:00Z"}
    ),
    Situation(
        Reason.NOT_IN_AUDIENCE,
        THRESHOLD | {"audience": {"groups": ["partners"]}},
        groups=("staff",),
    ),
    Situation(
        Reason.ALREADY_HELD, THRESHOLD | {"category": "record", "period": "week"}, rival_first=True
    ),
    Situation(Reason.REVOKED, THRESHOLD, revoke=True),
    Situation(Reason.DUE, THRESHOLD | {"enabled": False}, enable_after=True),
    Situation(
        Reason.NOT_APPLICABLE, {"name": "Hand-given", "type": "manual", "levels": [{"points": 5}]}
    ),
    Situation(
        Reason.GRANTED,
        {"name": "Signed", "type": "event", "event_type": "sale", "levels": [{"points": 1}]},
        sales=1,
    ),
]


@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda s: s.reason.value)
def test_explain_agrees_with_what_evaluation_did(loop: Loop, situation: Situation) -> None:
    loop.configure_closer()
    created = _in(loop, admin.create_achievement, situation.definition)
    achievement_id = created.achievement_id
    loop.container.users.put_user(
        loop.tenant_id, UserProfile(user_id="user-1", groups=situation.groups)
    )
    posted = 0
    if situation.rival_first:
        loop.post(sales(situation.sales, MONDAY, user_id="user-2", prefix="rival"))
        posted += situation.sales
        loop.evaluate_until_done(loop.event_records(posted)[-situation.sales :])
    loop.post(sales(situation.sales, MONDAY.replace(hour=12)))
    posted += situation.sales
    loop.evaluate_until_done(loop.event_records(posted)[-situation.sales :])
    if situation.revoke:
        (held,) = [a for a in loop.awards() if a.achievement_id == achievement_id]
        _in(loop, awards.revoke_award, held.award_id, "granted in error")
    if situation.enable_after:
        _enable(loop, achievement_id, True)

    explained = _in(loop, diagnose.explain, "user-1", achievement_id)

    actual = [
        a
        for a in loop.awards()
        if a.achievement_id == achievement_id and a.status is AwardStatus.ACTIVE
    ]
    assert explained.reason is situation.reason
    assert explained.granted is bool(actual)
    assert explained.definition_version == (2 if situation.enable_after else 1)
    if situation.reason is not Reason.NOT_APPLICABLE:
        assert explained.value == situation.sales
        assert len(explained.events) == situation.sales
        assert all(e.user_id == "user-1" and e.type == "sale" for e in explained.events)


def test_explain_and_sync_know_a_user_by_their_events_without_a_profile(loop: Loop) -> None:
    closer = loop.configure_closer()
    loop.post(sales(5, MONDAY, user_id="user-9"))
    loop.evaluate_until_done(loop.event_records(5))

    explained = _in(loop, diagnose.explain, "user-9", closer)

    assert (explained.granted, explained.reason, explained.period_key) == (
        True,
        Reason.GRANTED,
        WEEK,
    )
    assert [e.event_id for e in explained.events] == [f"sale-{n:03d}" for n in range(4, -1, -1)]
    assert _in(loop, diagnose.sync_known_user, "user-9") == []
    with pytest.raises(NotFoundError):
        _in(loop, diagnose.explain, "user-8", closer)
    with pytest.raises(NotFoundError):
        _in(loop, diagnose.sync_known_user, "user-8")
