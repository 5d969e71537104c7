"""Courses on DynamoDB Local: the enrolment's unions and maxima under redelivery and racing
evaluators, the invoice paid last, a bulk pass of 500 learners in one request, a pass changed to
a fail, and a learning path completed in any order, through the api, ingest and evaluate
functions."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from accolade.domain.courses import ManualResult, Outcome, Progress
from accolade.domain.models import AwardStatus
from tests.integration.helpers import http_event, invoke, json_body, with_path
from tests.integration.loop import Loop

pytestmark = pytest.mark.usefixtures("aws_env")

COURSE_EVENT = "cpr-2026-11"
SAMPLE_ACHIEVEMENT = "basic-life-support"


def api(loop: Loop, sample: str, body: Any = None, path: str | None = None) -> Any:
    """A sample request of events/api for the loop's tenant (its body or path replaced)."""
    event = http_event(sample, loop.tenant_id, body=body)
    if path is not None:
        event = with_path(event, event["requestContext"]["http"]["method"], path)
    return invoke(loop.api, event)


def accepted(
    loop: Loop, sample: str, body: Any = None, path: str | None = None, status: int = 200
) -> Any:
    """The answer to a sample request that must succeed with ``status``."""
    answer = api(loop, sample, body, path)
    assert answer["statusCode"] == status, answer
    return answer


def configure(loop: Loop, **template: Any) -> str:
    """The samples' Basic Life Support, CPR template and its November event."""
    created = accepted(loop, "api/post_achievement_course.json", status=201)
    achievement_id = str(json_body(created)["id"])
    body = json.loads(http_event("api/put_course_template.json", loop.tenant_id)["body"])
    body["achievements"] = [{"achievement_id": achievement_id, "rule": "completion"}]
    accepted(loop, "api/put_course_template.json", body={**body, **template})
    accepted(loop, "api/put_course_event.json")
    return achievement_id


def course_events(*types: str, user_id: str = "user-1") -> list[dict[str, Any]]:
    sample = json.loads(http_event("ingest_events/post_course_events.json", "demo")["body"])
    return [
        {**event, "user_id": user_id, "id": f"{event['id']}-{user_id}"}
        for event in sample["events"]
        if not types or event["type"] in types
    ]


def course_awards(loop: Loop, achievement_id: str, user_id: str = "user-1") -> list[Any]:
    return sorted(
        (a.period_key, a.status, a.issued_by)
        for a in loop.awards(user_id)
        if a.achievement_id == achievement_id
    )


def test_the_sample_learner_is_awarded_once_the_invoice_is_paid_last(loop: Loop) -> None:
    achievement_id = configure(loop)
    everything_but_payment = [e for e in course_events() if e["type"] != "invoice.paid"]
    loop.post(everything_but_payment)
    loop.evaluate_until_done(loop.event_records(5))
    assert course_awards(loop, achievement_id) == []

    loop.post(course_events("invoice.paid"))
    records = loop.event_records(6)
    loop.evaluate_until_done(records[-1:])
    loop.evaluate_until_done(records)  # the whole shard redelivered

    (award,) = [a for a in loop.awards() if a.achievement_id == achievement_id]
    assert (award.period_key, award.issued_by) == (
        f"C:{COURSE_EVENT}",
        f"course_event:{COURSE_EVENT}",
    )
    assert award.valid_until is not None
    assert award.valid_until.year == award.awarded_at.year + 5
    assert loop.wallet().points == 20 and loop.wallet().entries == 1


def test_racing_evaluators_of_the_same_records_award_once(
    loop: Loop, monkeypatch: pytest.MonkeyPatch
) -> None:
    achievement_id = configure(loop)
    loop.post(course_events())
    records = loop.event_records(6)

    errors = loop.race([records, records, records], monkeypatch)

    assert errors == []
    assert course_awards(loop, achievement_id) == [
        (f"C:{COURSE_EVENT}", AwardStatus.ACTIVE, f"course_event:{COURSE_EVENT}")
    ]
    assert loop.wallet().points == 20 and loop.wallet().entries == 1


def test_an_enrolment_is_the_same_whatever_order_and_however_often_progress_lands(
    accolade: Any, tenant_id: str
) -> None:
    courses = accolade.courses
    parts = [
        Progress(registered=True),
        Progress(completions={40, 85}, elearning_passed=True),
        Progress(completions={60}),
        Progress(attended={"day-1"}),
        Progress(attended={"day-2", "day-1"}, invoice_paid=True),
    ]
    start = threading.Barrier(len(parts) * 2)

    def add(part: Progress, user_id: str) -> None:
        start.wait()
        courses.record_progress(tenant_id, user_id, COURSE_EVENT, part)

    threads = [
        threading.Thread(target=add, args=(part, user))
        for part in parts
        for user in ("racing", "racing")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for part in reversed(parts):
        courses.record_progress(tenant_id, "reversed", COURSE_EVENT, part)

    found = courses.enrollments(tenant_id, COURSE_EVENT, ["racing", "reversed"])
    for user_id in ("racing", "reversed"):
        enrollment = found[user_id]
        assert enrollment.registered and enrollment.elearning_passed and enrollment.invoice_paid
        assert enrollment.completion == 85
        assert enrollment.attended == {"day-1", "day-2"}
        assert not enrollment.assessment_passed


def test_results_written_while_progress_lands_keep_both(accolade: Any, tenant_id: str) -> None:
    courses = accolade.courses
    at = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    start = threading.Barrier(8)

    def result(achievement_id: str) -> None:
        start.wait()
        outcome = ManualResult(outcome=Outcome.PASS, set_by="admin-1", set_at=at)
        courses.record_results(tenant_id, COURSE_EVENT, {"ana": {achievement_id: outcome}})

    def progress(session_id: str) -> None:
        start.wait()
        courses.record_progress(tenant_id, "ana", COURSE_EVENT, Progress(attended={session_id}))

    threads = [threading.Thread(target=result, args=(f"a{n}",)) for n in range(4)]
    threads += [threading.Thread(target=progress, args=(f"s{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    (enrollment,) = courses.enrollments(tenant_id, COURSE_EVENT, ["ana"]).values()
    assert set(enrollment.results) == {"a0", "a1", "a2", "a3"}
    assert enrollment.attended == {"s0", "s1", "s2", "s3"}
    assert enrollment.version == 4


def numbered(loop: Loop, achievement_id: str) -> None:
    """The sample sequence (CPR-{{year}}-{{sequence_number}} from 5) numbers the achievement."""
    assert api(loop, "api/put_sequence.json")["statusCode"] == 200
    patch = http_event("api/put_sequence.json", loop.tenant_id, body={"sequence_id": "cpr"})
    patch = with_path(patch, "PATCH", f"/v1/admin/achievements/{achievement_id}")
    assert invoke(loop.api, patch)["statusCode"] == 200


def test_a_bulk_pass_of_500_learners_in_one_request(loop: Loop) -> None:
    """Numbered from a sequence, as certificates are: 500 consecutive identifiers."""
    achievement_id = configure(loop)
    numbered(loop, achievement_id)
    rows = [
        {"user_id": f"learner-{n:03d}", "achievement_id": achievement_id, "outcome": "pass"}
        for n in range(500)
    ]

    started = time.perf_counter()
    answered = api(loop, "api/put_course_results.json", body={"results": rows})
    elapsed = time.perf_counter() - started
    again = api(loop, "api/put_course_results.json", body={"results": rows})

    assert answered["statusCode"] == 200, answered
    assert (json_body(answered)["recorded"], len(json_body(answered)["granted"])) == (500, 500)
    assert json_body(again)["granted"] == [] and json_body(again)["recorded"] == 500
    assert course_awards(loop, achievement_id, "learner-499") == [
        (f"C:{COURSE_EVENT}", AwardStatus.ACTIVE, f"course_event:{COURSE_EVENT}")
    ]
    listed: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = f"limit=100&cursor={cursor}" if cursor else "limit=100"
        event = http_event("api/get_course_results.json", loop.tenant_id)
        event["rawQueryString"] = query
        event["queryStringParameters"] = dict(p.split("=", 1) for p in query.split("&"))
        page = json_body(invoke(loop.api, event))
        listed += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(listed) == 500
    assert {item["achievements"][0]["status"] for item in listed} == {"active"}
    identifiers = [a.identifier for n in range(500) for a in loop.awards(f"learner-{n:03d}")]
    assert sorted(int(str(i).rsplit("-", 1)[1]) for i in identifiers) == list(range(5, 505))
    print(f"bulk pass of 500 learners, numbered: {elapsed:.2f} s")


def test_a_pass_changed_to_a_fail_revokes_the_award_and_its_points(loop: Loop) -> None:
    achievement_id = configure(loop)
    passed = [{"user_id": "user-1", "achievement_id": achievement_id, "outcome": "pass"}]
    failed = [{**passed[0], "outcome": "fail"}]

    api(loop, "api/put_course_results.json", body={"results": passed})
    answered = api(loop, "api/put_course_results.json", body={"results": failed})
    again = api(loop, "api/put_course_results.json", body={"results": failed})

    assert len(json_body(answered)["revoked"]) == 1 and json_body(again)["revoked"] == []
    assert course_awards(loop, achievement_id) == [
        (f"C:{COURSE_EVENT}", AwardStatus.REVOKED, f"course_event:{COURSE_EVENT}")
    ]
    assert (loop.wallet().points, [e.points for e in loop.ledger()]) == (0, [20, -20])


def test_a_results_row_that_is_wrong_is_422_naming_it_and_nothing_is_stored(loop: Loop) -> None:
    achievement_id = configure(loop)
    rows = [
        {"user_id": "user-1", "achievement_id": achievement_id, "outcome": "pass"},
        {"user_id": "user-2", "achievement_id": "not-on-this-event", "outcome": "pass"},
    ]
    too_many = [{"user_id": f"u{n}", "outcome": "pass"} for n in range(501)]

    wrong = api(loop, "api/put_course_results.json", body={"results": rows})
    bulky = api(loop, "api/put_course_results.json", body={"results": too_many})
    unknown = api(
        loop,
        "api/put_course_results.json",
        body={"results": rows[:1]},
        path="/v1/admin/course-events/nope/results",
    )

    assert wrong["statusCode"] == 422 and "results[1].achievement_id" in wrong["body"]
    assert bulky["statusCode"] == 422 and "results" in bulky["body"]
    assert unknown["statusCode"] == 404
    assert loop.container.courses.enrollments(loop.tenant_id, COURSE_EVENT, ["user-1"]) == {}
    assert loop.awards() == []


def test_a_learning_path_completes_whichever_course_comes_first(loop: Loop) -> None:
    achievement_id = configure(loop)
    for template_id in ("first-aid", "aed"):
        body = {"name": template_id, "code": template_id.upper(), "delivery": "classroom"}
        accepted(
            loop, "api/put_course_template.json", body, f"/v1/admin/course-templates/{template_id}"
        )
        event = {
            "template_id": template_id,
            "name": template_id,
            "starts_at": "2026-11-24T09:00:00Z",
            "sessions": [{"session_id": "s1"}],
        }
        accepted(
            loop, "api/put_course_event.json", event, f"/v1/admin/course-events/{template_id}-1"
        )
    path = {
        "name": "Responder",
        "code": "FR",
        "courses": ["aed", "first-aid"],
        "achievements": [achievement_id],
    }
    accepted(loop, "api/put_learning_path.json", body=path)

    attended = [
        {
            "id": f"att-{template_id}",
            "type": "session.attended",
            "user_id": "user-1",
            "occurred_at": f"2026-11-2{n}T10:00:00Z",
            "attributes": {"course_event_id": f"{template_id}-1", "session_id": "s1"},
        }
        for n, template_id in enumerate(("aed", "first-aid"), 4)
    ]
    loop.post(attended[:1])
    loop.evaluate_until_done(loop.event_records(1))
    assert course_awards(loop, achievement_id) == []
    loop.post(attended[1:])
    loop.evaluate_until_done(loop.event_records(2))
    loop.evaluate_until_done(loop.event_records(2))

    assert course_awards(loop, achievement_id) == [
        ("L:first-responder", AwardStatus.ACTIVE, "learning_path:first-responder")
    ]
