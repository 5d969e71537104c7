"""The course samples of events/ drive the api, ingest and evaluate handlers over the fakes:
the catalog routes, the sample learner's blended course paid last, the results routes, and
422s that name the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from accolade_local.handlers import LambdaContext, load_handler
from tests.fakes import FakeContainer
from tests.unit.builders import evaluate

EVENTS = Path(__file__).resolve().parents[2] / "events"
DEMO = "demo"
SAMPLE_ACHIEVEMENT = "basic-life-support"

api = load_handler("api")
ingest = load_handler("ingest_events")

pytestmark = pytest.mark.usefixtures("fakes")


def request(name: str, body: Any = None, path: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    if body is not None:
        event["body"] = json.dumps(body)
    if path is not None:
        event["rawPath"] = event["requestContext"]["http"]["path"] = path
        event["pathParameters"] = {"proxy": path.removeprefix("/v1/")}
    response: dict[str, Any] = (ingest if name.startswith("ingest") else api).lambda_handler(
        event, LambdaContext()
    )
    return response


def sample_body(name: str) -> Any:
    return json.loads(json.loads((EVENTS / name).read_text())["body"])


def body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def configure() -> str:
    created = request("api/post_achievement_course.json")
    assert created["statusCode"] == 201, created
    achievement_id = str(body(created)["id"])
    template = sample_body("api/put_course_template.json")
    template["achievements"][0]["achievement_id"] = achievement_id
    assert request("api/put_course_template.json", template)["statusCode"] == 200
    assert request("api/put_course_event.json")["statusCode"] == 200
    path = sample_body("api/put_learning_path.json") | {"achievements": [achievement_id]}
    assert request("api/put_learning_path.json", path)["statusCode"] == 200
    return achievement_id


def test_the_catalog_samples_are_stored_and_read_back(fakes: FakeContainer) -> None:
    achievement_id = configure()

    got = [
        body(request("api/get_course_results.json", path=path))
        for path in (
            "/v1/admin/course-templates/cpr",
            "/v1/admin/course-events/cpr-2026-11",
            "/v1/admin/learning-paths/first-responder",
        )
    ]

    assert got[0]["achievements"] == [{"achievement_id": achievement_id, "rule": "completion"}]
    assert (got[0]["delivery"], got[0]["invoice_required"]) == ("blended", True)
    assert got[1]["template_id"] == "cpr" and got[1]["achievements"] is None
    assert [s["optional"] for s in got[1]["sessions"]] == [False, False, True]
    assert got[2]["courses"] == ["cpr"]
    missing = request("api/get_course_results.json", path="/v1/admin/course-events/none")
    assert missing["statusCode"] == 404


def test_the_sample_learner_completes_the_blended_course_and_its_path(
    fakes: FakeContainer,
) -> None:
    achievement_id = configure()

    posted = request("ingest_events/post_course_events.json")
    evaluate(fakes, fakes.events.stored(DEMO), DEMO)
    results = body(request("api/get_course_results.json"))

    assert posted["statusCode"] == 202
    awards = sorted((a.period_key, a.issued_by) for a in fakes.awards.user_awards(DEMO, "user-1"))
    assert awards == [
        ("C:cpr-2026-11", "course_event:cpr-2026-11"),
        ("L:first-responder", "learning_path:first-responder"),
    ]
    (learner,) = results["items"]
    assert learner["user_id"] == "user-1" and learner["complete"] is True
    assert learner["attended"] == ["day-1", "day-2"] and learner["completion"] == 85
    assert learner["achievements"] == [
        {
            "achievement_id": achievement_id,
            "rule": "completion",
            "outcome": None,
            "status": "active",
            "award_id": learner["achievements"][0]["award_id"],
        }
    ]


def test_the_sample_results_pass_one_learner_and_fail_another(fakes: FakeContainer) -> None:
    achievement_id = configure()
    rows = sample_body("api/put_course_results.json")
    for row in rows["results"]:
        row["achievement_id"] = achievement_id

    answered = request("api/put_course_results.json", rows)

    assert answered["statusCode"] == 200, answered
    # user-1's pass completes the course, and with it the learning path of that one course.
    assert (body(answered)["recorded"], len(body(answered)["granted"])) == (2, 2)
    listed = body(request("api/get_course_results.json"))["items"]
    assert [(i["user_id"], i["achievements"][0]["outcome"]) for i in listed] == [
        ("user-1", "pass"),
        ("user-2", "fail"),
    ]


@pytest.mark.parametrize(
    ("name", "change", "field"),
    [
        ("api/put_course_template.json", {"delivery": "online"}, "delivery"),
        ("api/put_course_template.json", {"completion_threshold": 101}, "completion_threshold"),
        ("api/put_course_template.json", {"code": "CPR 2026"}, "code"),
        (
            "api/put_course_template.json",
            {"achievements": [{"achievement_id": "ghost"}]},
            "achievements[0].achievement_id",
        ),
        (
            "api/put_course_template.json",
            {"custom": {f"f{n}": "x" for n in range(21)}},
            "custom",
        ),
        ("api/put_course_event.json", {"template_id": "ghost"}, "template_id"),
        (
            "api/put_course_event.json",
            {"sessions": [{"session_id": "a"}, {"session_id": "a"}]},
            "sessions",
        ),
        (
            "api/put_course_event.json",
            {"sessions": [{"session_id": f"s{n}"} for n in range(101)]},
            "sessions",
        ),
        ("api/put_learning_path.json", {"courses": []}, "courses"),
        ("api/put_learning_path.json", {"courses": ["cpr", "ghost"]}, "courses[1]"),
        ("api/put_course_results.json", {"results": []}, "results"),
        (
            "api/put_course_results.json",
            {"results": [{"user_id": "u", "outcome": "maybe"}]},
            "results[0].outcome",
        ),
    ],
)
def test_bad_catalog_and_results_bodies_are_422_naming_the_field(
    fakes: FakeContainer, name: str, change: dict[str, Any], field: str
) -> None:
    configure()
    before = (
        fakes.courses.get_template(DEMO, "cpr"),
        fakes.courses.get_course_event(DEMO, "cpr-2026-11"),
        fakes.courses.get_path(DEMO, "first-responder"),
    )

    answered = request(name, sample_body(name) | change)

    assert answered["statusCode"] == 422, answered
    assert body(answered)["error"]["details"][0]["field"].startswith(field), body(answered)
    assert before == (
        fakes.courses.get_template(DEMO, "cpr"),
        fakes.courses.get_course_event(DEMO, "cpr-2026-11"),
        fakes.courses.get_path(DEMO, "first-responder"),
    )
    assert fakes.courses.enrollments(DEMO, "cpr-2026-11", ["user-1", "user-2", "u"]) == {}
