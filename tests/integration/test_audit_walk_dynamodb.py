"""The audit log against DynamoDB Local: every admin route of the OpenAPI document that changes
something leaves an entry with before and after (the walker), exactly once, and only for what
landed. Entries come from the table's stream through the record_audit function, as Lambda runs
it (its template filter applied)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accolade import bootstrap
from accolade.adapters.dynamo.audit import EXAMINED_PER_PAGE, DynamoAuditLog, audit_item
from accolade.adapters.dynamo.models import AuditItem
from accolade.domain.acting import Stamp
from accolade.domain.audit import AuditQuery, entry_of
from accolade.entrypoints.http.access import ROUTES, UNLISTED, WRITES_NOTHING, route_key
from accolade.entrypoints.streams import BatchFailed
from accolade_local.handlers import load_handler
from accolade_local.streams import match_any
from accolade_local.template import LocalNames, Template
from tests.audit_samples import PREPARE, SAMPLES, Walk, body_of
from tests.http_events import call, claims, http_event
from tests.integration.helpers import StreamTail, batch, failed_sequences, invoke

ADMIN_ID = "root"
CHANGING = sorted(
    route_key(method, path)
    for path, operations in load_handler("api").openapi_document()["paths"].items()
    for method in operations
    if path.startswith("/v1/admin") and method != "get"
    if route_key(method, path) not in WRITES_NOTHING
)


@dataclass
class Audited:
    """The api and record_audit functions over the test table, for one tenant."""

    tenant_id: str
    stream: StreamTail
    pattern: list[dict[str, Any]]
    api: Any = field(default_factory=lambda: load_handler("api"))
    recorder: Any = field(default_factory=lambda: load_handler("record_audit"))
    delivered: set[str] = field(default_factory=set)

    def send(self, method: str, path: str, body: Any = None, user: str = ADMIN_ID) -> Any:
        who = claims(self.tenant_id, user, admin=True)
        return call(self.api, http_event(method, path, body=body, claims=who))

    def stamped_records(self) -> list[dict[str, Any]]:
        """The tenant's records the record_audit mapping's filter lets through."""
        return [r for r in self.stream.of_tenant(self.tenant_id) if match_any(self.pattern, r)]

    def deliver(self, records: list[dict[str, Any]]) -> set[str]:
        """Invoke record_audit as the mapping would; the sequence numbers it reports failed."""
        if not records:
            return set()
        failed = failed_sequences(invoke(self.recorder, batch(records)))
        self.delivered |= {r["dynamodb"]["SequenceNumber"] for r in records} - failed
        return failed

    def deliver_new(self) -> None:
        fresh = [
            r
            for r in self.stamped_records()
            if r["dynamodb"]["SequenceNumber"] not in self.delivered
        ]
        assert self.deliver(fresh) == set()

    def entries(self, **query: str) -> list[dict[str, Any]]:
        """The whole log (newest first), paged through GET /v1/admin/audit."""
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params = query | ({"cursor": cursor} if cursor else {})
            who = claims(self.tenant_id, ADMIN_ID, admin=True)
            status, page = call(
                self.api, http_event("GET", "/v1/admin/audit", claims=who, query=params)
            )
            assert status == 200, page
            found += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return found

    def wait_for(self, check: Callable[[list[dict[str, Any]]], bool], **query: str) -> Any:
        """The entries matching ``query`` once ``check`` holds, delivering records as they come."""
        deadline = time.monotonic() + 15
        while True:
            self.deliver_new()
            found = self.entries(**query)
            if check(found) or time.monotonic() > deadline:
                return found
            time.sleep(0.1)


@pytest.fixture
def audited(
    accolade: Any,
    stream: StreamTail,
    stream_filters: dict[str, Any],
    tenant_id: str,
    template: Template,
    provisioned: LocalNames,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Audited]:
    """The api function as the template configures it (its badges bucket and issuer key)."""
    api_env = template.functions(provisioned)["ApiFunction"].env
    for name in ("BADGES_BUCKET_NAME", "ISSUER_KMS_KEY"):
        monkeypatch.setenv(name, api_env[name])
    bootstrap.reset()
    yield Audited(tenant_id, stream, stream_filters["RecordAuditFunction"])
    bootstrap.reset()


def test_every_admin_route_that_changes_something_leaves_an_entry_with_before_and_after(
    audited: Audited,
) -> None:
    no_sample = [key for key in CHANGING if key not in SAMPLES]
    undeclared = [key for key in CHANGING if ROUTES.get(key, UNLISTED).audit is None]
    assert not no_sample, f"add a sample request to tests/audit_samples.SAMPLES for {no_sample}"
    assert not undeclared, f"declare Audit(action, kinds) in access.ROUTES for {undeclared}"
    walk = Walk(audited.tenant_id)

    for key in (k for k in SAMPLES if k in CHANGING):
        method = key.split(" ", 1)[0]
        if key in PREPARE:
            PREPARE[key](walk)
        path, body = SAMPLES[key](walk)
        status, answer = audited.send(method, path, body)
        assert 200 <= status < 300, (key, status, answer)
        walk.answers[key] = answer
        found = audited.wait_for(bool, action=ROUTES[key].audit.action)  # type: ignore[union-attr]

        assert found, f"{key}: no audit entry"
        entry = found[0]
        assert (entry["route"], entry["actor"]) == (key, {"user_id": ADMIN_ID, "roles": ["admin"]})
        assert entry["before"] is not None or entry["after"] is not None, key
        assert entry["changed"], key


def test_an_edit_is_logged_with_the_definition_before_and_after(audited: Audited) -> None:
    created = audited.send("POST", "/v1/admin/achievements", body_of("post_achievement_course"))
    achievement_id = created[1]["id"]
    audited.send("PATCH", f"/v1/admin/achievements/{achievement_id}", {"name": "BLS"})

    found = audited.wait_for(lambda es: len(es) == 2, target=achievement_id)

    edit, create = found
    assert (edit["action"], create["action"]) == ("achievement.edit", "achievement.create")
    assert create["before"] is None and create["after"]["doc"]["name"] == "Basic Life Support"
    assert edit["before"]["doc"]["name"] == "Basic Life Support"
    assert edit["after"]["doc"]["name"] == "BLS"
    assert (edit["before"]["version"], edit["after"]["version"]) == (1, 2)
    assert edit["targets"] == {"achievement_id": achievement_id}
    assert edit["at"] >= create["at"]


def test_settings_are_logged_with_what_they_were(audited: Audited) -> None:
    audited.send("PUT", "/v1/admin/settings", {"timezone": "Europe/Berlin"})
    audited.send("PUT", "/v1/admin/settings", {"timezone": "Asia/Tokyo"})

    second, first = audited.wait_for(lambda es: len(es) == 2, action="settings.put")

    assert first["before"] is None
    assert second["before"]["doc"]["timezone"] == "Europe/Berlin"
    assert second["after"]["doc"]["timezone"] == "Asia/Tokyo"
    assert "doc" in second["changed"]


def test_a_redelivered_batch_and_a_later_write_outside_an_admin_action_add_no_entry(
    audited: Audited, accolade: Any
) -> None:
    audited.send("PUT", "/v1/admin/users/user-1", body_of("put_user"))
    logged = audited.wait_for(bool)
    # The user features an award: a write of the same item, by no admin, keeps its stamp.
    accolade.users.set_featured(audited.tenant_id, "user-1", "some-award")
    featured = audited.stream.records(
        audited.tenant_id, entity="user", count=2, event_names=("INSERT", "MODIFY")
    )[-1]

    assert audited.deliver(audited.stamped_records()) == set()  # everything, again
    assert audited.deliver([featured]) == set()

    assert len(logged) == 1
    assert audited.entries() == logged


def test_a_change_that_did_not_land_has_no_entry(audited: Audited) -> None:
    created = audited.send("POST", "/v1/admin/achievements", {"name": "K", "type": "manual"})
    given = audited.send(
        "POST", f"/v1/admin/achievements/{created[1]['id']}/awards", {"user_id": "u"}
    )
    revoke = f"/v1/admin/awards/{given[1]['award_id']}/revoke"

    answers = [audited.send("POST", revoke, {"reason": "twice"})[0] for _ in range(2)]
    lowered = audited.send("PUT", "/v1/admin/sequences/s", body_of("put_sequence") | {"start": 1})
    refused = call(
        audited.api,
        http_event(
            "PUT",
            "/v1/admin/settings",
            body={"timezone": "UTC"},
            claims=claims(audited.tenant_id, "mia", roles="achievements_manager"),
        ),
    )
    found = audited.wait_for(lambda es: len(es) >= 4)
    time.sleep(0.5)
    audited.deliver_new()

    assert (answers, lowered[0], refused[0]) == ([200, 409], 200, 403)
    assert [e["action"] for e in audited.entries()] == [
        "sequence.put",
        "award.revoke",
        "award.give",
        "achievement.create",
    ]
    assert found


def test_an_entry_whose_put_failed_is_put_once_when_the_record_comes_again(
    audited: Audited, monkeypatch: pytest.MonkeyPatch
) -> None:
    audited.send("PUT", "/v1/admin/metrics/sales", body_of("put_metric"))
    deadline = time.monotonic() + 15
    while not audited.stamped_records() and time.monotonic() < deadline:
        time.sleep(0.05)
    records = audited.stamped_records()
    real = DynamoAuditLog.record

    def crash(self: DynamoAuditLog, tenant_id: str, entry: Any) -> bool:
        raise ConnectionError("the process died before the entry was put")

    monkeypatch.setattr(DynamoAuditLog, "record", crash)
    with pytest.raises(BatchFailed):  # Lambda retries the whole batch
        audited.deliver(records)
    monkeypatch.setattr(DynamoAuditLog, "record", real)
    again = audited.deliver(records)
    once_more = audited.deliver(records)

    assert (again, once_more) == (set(), set())
    assert [e["action"] for e in audited.entries()] == ["metric.put"]


def test_the_log_pages_newest_first_with_cursors_bound_to_the_filter(audited: Audited) -> None:
    for zone in ("UTC", "Europe/Paris", "Asia/Tokyo"):
        audited.send("PUT", "/v1/admin/settings", {"timezone": zone})
    audited.send("PUT", "/v1/admin/users/user-1", body_of("put_user"))
    everything = audited.wait_for(lambda es: len(es) == 4)
    who = claims(audited.tenant_id, ADMIN_ID, admin=True)

    first = call(
        audited.api,
        http_event(
            "GET", "/v1/admin/audit", claims=who, query={"limit": "2", "action": "settings.put"}
        ),
    )
    cursor = first[1]["next_cursor"]
    second = call(
        audited.api,
        http_event(
            "GET",
            "/v1/admin/audit",
            claims=who,
            query={"limit": "2", "action": "settings.put", "cursor": cursor},
        ),
    )
    other_filter = call(
        audited.api,
        http_event("GET", "/v1/admin/audit", claims=who, query={"limit": "2", "cursor": cursor}),
    )

    zones = [e["after"]["doc"]["timezone"] for e in first[1]["items"] + second[1]["items"]]
    assert zones == ["Asia/Tokyo", "Europe/Paris", "UTC"]
    assert second[1]["next_cursor"] is None
    assert other_filter[0] == 400
    assert [e["entry_id"] for e in everything] == sorted(
        (e["entry_id"] for e in everything), reverse=True
    )
    assert everything[0]["action"] == "user.put"


def test_a_filter_that_matches_little_reads_a_bounded_page_and_a_cursor_goes_on(
    accolade: Any, tenant_id: str
) -> None:
    log = DynamoAuditLog()
    start = datetime(2026, 11, 24, tzinfo=UTC)
    with AuditItem.batch_write() as writing:
        for n in range(EXAMINED_PER_PAGE + 20):
            actor = "ada" if n == 3 else "root"
            stamp = Stamp(f"a{n}", 1, start + timedelta(seconds=n), actor, (), "x.put", "R", {})
            writing.save(audit_item(tenant_id, entry_of(stamp, "settings", None, {"n": n})))

    first = log.entries_page(tenant_id, AuditQuery(limit=10, actor="ada"))
    second = log.entries_page(tenant_id, AuditQuery(limit=10, actor="ada", after=first.next))

    assert first.items == [] and first.next is not None  # 500 newest examined, none is ada's
    assert [(e.actor.user_id, e.after) for e in second.items] == [("ada", {"n": 3})]
    assert second.next is None
