"""The audit log with fakes: stamps, entries read off stream records, the record_audit handler
and GET /v1/admin/audit."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from accolade.adapters.dynamo.audit import entry_from_record
from accolade.domain import acting
from accolade.domain.audit import MAX_IMAGES_BYTES, AuditEntry, entry_of
from accolade_local.handlers import LambdaContext, load_handler
from accolade_local.tokens import to_apigw_claims
from tests.fakes import FakeContainer
from tests.http_events import call, http_event
from tests.unit.builders import ADMIN, TENANT

api = load_handler("api")
recorder = load_handler("record_audit")
SAMPLE = Path(__file__).resolve().parents[2] / "events" / "record_audit" / "settings_changed.json"
AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def sample() -> dict[str, Any]:
    batch: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return batch


def acting_as_admin(*entities: str, at: datetime = AT) -> acting.Acting:
    return acting.Acting(
        actor_id="root",
        roles=("admin",),
        action="thing.put",
        route="PUT /v1/admin/things/{thing_id}",
        targets={"thing_id": "t-1"},
        entities=frozenset(entities),
        at=at,
    )


def entry(n: int, *, actor: str = "root", action: str = "settings.put") -> AuditEntry:
    stamp = acting.Stamp(
        f"action-{n}", 1, AT + timedelta(seconds=n), actor, ("admin",), action, "R", {}
    )
    return entry_of(stamp, "settings", None, {"doc": {"n": n}})


def test_an_action_stamps_only_the_kinds_it_declares_each_write_numbered() -> None:
    with acting.acting_as(acting_as_admin("award")) as action:
        first, other, second = (acting.stamp_for(k) for k in ("award", "ledger", "award"))

    assert other is None and first is not None and second is not None
    assert (first.write, second.write) == (1, 2)
    assert first.action_id == second.action_id == action.action_id
    assert acting.Stamp.from_json(first.to_json()) == first
    assert acting.stamp_for("award") is None


def test_entry_ids_sort_by_time_whatever_the_microseconds() -> None:
    whole = acting_as_admin("x", at=AT).stamp("x")
    later = acting_as_admin("x", at=AT + timedelta(microseconds=1)).stamp("x")

    assert whole is not None and later is not None
    assert whole.entry_id < later.entry_id
    assert len(whole.entry_id.split("#")[0]) == len(later.entry_id.split("#")[0])


def test_an_entry_names_what_changed_and_every_id_it_touches() -> None:
    stamp = acting_as_admin("achievement").stamp("achievement")
    assert stamp is not None
    before = {"doc": {"achievement_id": "a-1", "name": "Old"}, "version": 1}
    after = {"doc": {"achievement_id": "a-1", "name": "New"}, "version": 2, "user_id": "u-1"}

    made = entry_of(stamp, "achievement", before, after)

    assert made.changed == ["doc", "user_id", "version"]
    assert made.target_ids == ["a-1", "t-1", "u-1"]
    assert (made.before, made.after, made.images_omitted) == (before, after, False)


def test_images_too_large_to_keep_are_left_out_but_what_changed_is_kept() -> None:
    stamp = acting_as_admin("achievement").stamp("achievement")
    assert stamp is not None
    big = {"doc": {"description": "x" * MAX_IMAGES_BYTES}}

    made = entry_of(stamp, "achievement", {"doc": {}}, big)

    assert (made.before, made.after, made.images_omitted) == (None, None, True)
    assert made.changed == ["doc"]


def test_a_stamped_record_is_an_entry_with_the_item_before_and_after() -> None:
    (record,) = sample()["Records"]

    found = entry_from_record(record)

    assert found is not None
    tenant_id, made = found
    assert tenant_id == "demo"
    assert (made.action, made.entity, made.actor.user_id) == ("settings.put", "settings", "root")
    assert made.before is not None and made.after is not None
    assert made.before["doc"]["timezone"] == "UTC"
    assert made.after["doc"]["timezone"] == "Europe/Berlin"
    assert "PK" not in made.after and "audit" not in made.after
    assert made.changed == ["doc"]


def test_a_record_that_keeps_the_old_stamp_or_has_none_is_no_entry() -> None:
    (record,) = sample()["Records"]
    same = copy.deepcopy(record)
    same["dynamodb"]["NewImage"]["audit"] = same["dynamodb"]["OldImage"]["audit"]
    unstamped = copy.deepcopy(record)
    del unstamped["dynamodb"]["NewImage"]["audit"]
    removed = copy.deepcopy(record)
    del removed["dynamodb"]["NewImage"]
    removed["eventName"] = "REMOVE"

    assert [entry_from_record(r) for r in (same, unstamped, removed)] == [None, None, None]


def test_the_sample_record_delivered_twice_makes_one_entry(fakes: FakeContainer) -> None:
    twice = sample()
    twice["Records"] *= 2

    first = recorder.lambda_handler(sample(), LambdaContext())
    second = recorder.lambda_handler(twice, LambdaContext())

    assert first == second == {"batchItemFailures": []}
    assert len(fakes.audit_log.entries["demo"]) == 1


def test_the_log_is_newest_first_and_pages_with_cursors_bound_to_filters(
    fakes: FakeContainer,
) -> None:
    for n in range(5):
        fakes.audit_log.record(TENANT, entry(n, actor="root" if n % 2 else "ada"))

    def get(**query: str) -> tuple[int, Any]:
        return call(api, http_event("GET", "/v1/admin/audit", claims=ADMIN, query=query))

    first = get(limit="2")
    second = get(limit="2", cursor=first[1]["next_cursor"])
    third = get(limit="2", cursor=second[1]["next_cursor"])
    by_ada = get(actor="ada")
    cursor_for_another_filter = get(limit="2", actor="ada", cursor=first[1]["next_cursor"])

    pages = [first[1]["items"], second[1]["items"], third[1]["items"]]
    assert [[e["after"]["doc"]["n"] for e in page] for page in pages] == [[4, 3], [2, 1], [0]]
    assert third[1]["next_cursor"] is None
    assert [e["after"]["doc"]["n"] for e in by_ada[1]["items"]] == [4, 2, 0]
    assert cursor_for_another_filter[0] == 400


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"action": "DROP TABLE"}, "action"),
        ({"actor": "a" * 129}, "actor"),
        ({"target": "x y"}, "target"),
    ],
)
def test_bad_filters_are_422_naming_the_field(
    fakes: FakeContainer, query: dict[str, str], field: str
) -> None:
    status, body = call(api, http_event("GET", "/v1/admin/audit", claims=ADMIN, query=query))

    assert status == 422
    assert body["error"]["message"].startswith(field)


def test_the_log_is_for_admins_only(fakes: FakeContainer) -> None:
    fakes.audit_log.record(TENANT, entry(1))
    manager = {"sub": "mia", "tenant_id": TENANT, "iat": 1, "roles": ["achievements_manager"]}
    event = http_event(
        "GET", "/v1/admin/audit", claims=to_apigw_claims(manager), token_claims=manager
    )

    status, body = call(api, event)

    assert status == 403
    assert body["error"]["code"] == "forbidden"
