"""Courses with the in-memory fakes: automatic awarding by delivery mode from learners' course
events in any order, invoice gating, optional sessions and absences, learning paths, and the
manual pass/fail results of a course event."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import permutations
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accolade.domain.courses import (
    CourseAchievement,
    CourseEvent,
    CourseTemplate,
    Delivery,
    LearningPath,
    ManualResult,
    Outcome,
    Session,
)
from accolade.domain.errors import InvalidInputError, NotFoundError
from accolade.domain.models import ActivityEvent, AwardKey, AwardStatus, Issuer, IssuerKind
from accolade.ports import PageRequest
from accolade.services import courses, credentials
from accolade.services.courses import ResultRow
from accolade.services.ingest import record_events
from tests.fakes import FakeClock, FakeContainer
from tests.unit.builders import TENANT, achievement, activity, evaluate, ingest_and_evaluate, wired

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def course_achievement(c: FakeContainer, name: str, **extra: Any) -> str:
    return achievement(c, name=name, type="course_completion", **extra).achievement_id


def template(
    c: FakeContainer, template_id: str = "cpr", *, awarding: str | None = None, **fields: Any
) -> CourseTemplate:
    """A course template; ``awarding`` names the one achievement its completion awards."""
    if awarding is not None:
        fields["achievements"] = [CourseAchievement(achievement_id=awarding)]
    found = CourseTemplate(
        template_id=template_id,
        name=fields.pop("name", "CPR"),
        code=fields.pop("code", "CPR"),
        delivery=fields.pop("delivery", Delivery.SELF_PACED),
        updated_at=NOW,
        **fields,
    )
    return wired(courses.put_template, c, TENANT, found)


def course_event(
    c: FakeContainer, course_event_id: str = "cpr-1", template_id: str = "cpr", **fields: Any
) -> CourseEvent:
    found = CourseEvent(
        course_event_id=course_event_id,
        template_id=template_id,
        name=fields.pop("name", "CPR, November"),
        starts_at=NOW,
        updated_at=NOW,
        **fields,
    )
    return wired(courses.put_course_event, c, TENANT, found)


def learner_event(
    event_id: str,
    type: str,
    user_id: str = "alice",
    course_event_id: str = "cpr-1",
    **attributes: Any,
) -> ActivityEvent:
    return activity(
        event_id,
        "2026-11-24T09:00:00Z",
        type=type,
        user_id=user_id,
        attributes={"course_event_id": course_event_id, **attributes},
    )


def registered(i: str = "r", **kw: Any) -> ActivityEvent:
    return learner_event(f"{i}-reg", "course.registered", **kw)


def progress(i: str, completion: float, passed: bool = False, **kw: Any) -> ActivityEvent:
    return learner_event(
        f"{i}-prog", "elearning.progress", completion=completion, passed=passed, **kw
    )


def attended(session_id: str, **kw: Any) -> ActivityEvent:
    return learner_event(f"att-{session_id}", "session.attended", session_id=session_id, **kw)


def paid(**kw: Any) -> ActivityEvent:
    return learner_event("paid", "invoice.paid", **kw)


def assessed(passed: bool, i: str = "a", **kw: Any) -> ActivityEvent:
    return learner_event(f"{i}-assess", "assessment.result", passed=passed, **kw)


def holdings(c: FakeContainer, user_id: str = "alice") -> list[tuple[str, str, AwardStatus]]:
    return sorted(
        (a.achievement_id, a.period_key, a.status) for a in c.awards.user_awards(TENANT, user_id)
    )


def state(c: FakeContainer) -> tuple[list[tuple[str, str, AwardStatus]], int]:
    """Alice's awards (as ``holdings``) and her points."""
    return holdings(c), c.awards.wallet(TENANT, "alice").points


def theory_and_practical(c: FakeContainer) -> tuple[str, str]:
    """A classroom course of one session: Theory (10 points) for completing it, Practical (40
    points) for passing it."""
    done = course_achievement(c, "Theory", levels=[{"points": 10}])
    passed = course_achievement(c, "Practical", levels=[{"points": 40}])
    template(
        c,
        delivery=Delivery.CLASSROOM,
        achievements=[
            CourseAchievement(achievement_id=done),
            CourseAchievement(achievement_id=passed, rule="pass"),
        ],
    )
    course_event(c, sessions=[Session(session_id="s1")])
    return done, passed


def each_alone(c: FakeContainer, events: list[ActivityEvent]) -> None:
    """Each event in its own stream batch, as events that arrive apart are evaluated."""
    for event in events:
        ingest_and_evaluate(c, [event])


@pytest.fixture
def c() -> FakeContainer:
    return FakeContainer(clock=FakeClock(NOW))


# --- delivery modes -------------------------------------------------------------------------


def test_self_paced_awards_when_completion_reaches_the_threshold_and_the_learner_passed(
    c: FakeContainer,
) -> None:
    bls = course_achievement(c, "Basic Life Support", validity={"amount": 5, "unit": "year"})
    template(c, awarding=bls, completion_threshold=80)
    course_event(c)

    each_alone(c, [registered(), progress("1", 79.9, passed=True), progress("2", 60)])
    assert holdings(c) == []
    each_alone(c, [progress("3", 80)])

    (award,) = c.awards.user_awards(TENANT, "alice")
    assert (award.achievement_id, award.period_key) == (bls, "C:cpr-1")
    assert award.issued_by == "course_event:cpr-1"
    assert award.valid_until == datetime(2031, 11, 24, 10, 0, tzinfo=UTC)


def test_blended_needs_both_online_completion_and_attendance(c: FakeContainer) -> None:
    cert = course_achievement(c, "First Aid")
    template(c, delivery=Delivery.BLENDED, awarding=cert, completion_threshold=100)
    course_event(c, sessions=[Session(session_id="day-1"), Session(session_id="day-2")])

    each_alone(c, [progress("1", 100, passed=True)])
    assert holdings(c) == []  # online done, no attendance
    each_alone(c, [attended("day-1")])
    assert holdings(c) == []  # day 2 is required and missed
    each_alone(c, [attended("day-2")])

    assert holdings(c) == [(cert, "C:cpr-1", AwardStatus.ACTIVE)]


def test_blended_attendance_alone_does_not_award(c: FakeContainer) -> None:
    cert = course_achievement(c, "First Aid")
    template(c, delivery=Delivery.BLENDED, awarding=cert)
    course_event(c, sessions=[Session(session_id="day-1")])

    each_alone(c, [attended("day-1"), progress("1", 100)])  # completed, but not passed

    assert holdings(c) == []


def test_classroom_honours_optional_sessions_and_allowed_absences(c: FakeContainer) -> None:
    cert = course_achievement(c, "Manager seminar")
    template(c, delivery=Delivery.CLASSROOM, awarding=cert, allowed_absences=1)
    sessions = [
        Session(session_id="s1"),
        Session(session_id="s2"),
        Session(session_id="s3"),
        Session(session_id="social", optional=True),
    ]
    course_event(c, sessions=sessions)
    course_event(c, "cpr-2", sessions=sessions)

    # One required session missed (allowed), the optional one skipped: complete.
    each_alone(c, [attended("s1"), attended("s2")])
    # Two required missed on the second event: the optional one does not make up for it.
    each_alone(
        c,
        [
            attended("s1", course_event_id="cpr-2", user_id="ben"),
            attended("social", course_event_id="cpr-2", user_id="ben"),
        ],
    )

    assert holdings(c) == [(cert, "C:cpr-1", AwardStatus.ACTIVE)]
    assert holdings(c, "ben") == []


def test_an_unknown_session_counts_for_nothing(c: FakeContainer) -> None:
    cert = course_achievement(c, "Seminar")
    template(c, delivery=Delivery.CLASSROOM, awarding=cert)
    course_event(c, sessions=[Session(session_id="s1")])

    each_alone(c, [attended("s9")])

    assert holdings(c) == []
    (enrollment,) = c.courses.enrollments(TENANT, "cpr-1", ["alice"]).values()
    assert enrollment.attended == frozenset()


# --- invoice gating and order ---------------------------------------------------------------


def gated(c: FakeContainer) -> str:
    cert = course_achievement(c, "CPR")
    template(c, delivery=Delivery.CLASSROOM, awarding=cert, invoice_required=True)
    course_event(c, sessions=[Session(session_id="s1")])
    return cert


def test_invoice_gated_awarding_waits_for_the_payment_arriving_last(c: FakeContainer) -> None:
    cert = gated(c)

    each_alone(c, [registered(), attended("s1")])
    assert holdings(c) == []
    each_alone(c, [paid()])

    assert holdings(c) == [(cert, "C:cpr-1", AwardStatus.ACTIVE)]


def test_invoice_gated_awarding_with_the_payment_arriving_first(c: FakeContainer) -> None:
    cert = gated(c)

    each_alone(c, [paid()])
    assert holdings(c) == []
    each_alone(c, [attended("s1")])

    assert holdings(c) == [(cert, "C:cpr-1", AwardStatus.ACTIVE)]


BLENDED_GATED_EVENTS = [
    registered(),
    progress("1", 50, passed=True),
    progress("2", 90),
    attended("day-1"),
    attended("day-2"),
    paid(),
    assessed(True),
]


def blended_gated(c: FakeContainer) -> tuple[str, str]:
    done = course_achievement(c, "Completed")
    passed = course_achievement(c, "Assessed pass")
    template(
        c,
        delivery=Delivery.BLENDED,
        achievements=[
            CourseAchievement(achievement_id=done),
            CourseAchievement(achievement_id=passed, rule="pass"),
        ],
        completion_threshold=90,
        invoice_required=True,
    )
    course_event(c, sessions=[Session(session_id="day-1"), Session(session_id="day-2")])
    return done, passed


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    order=st.permutations(BLENDED_GATED_EVENTS),
    split=st.integers(1, 7),
    again=st.lists(st.sampled_from(BLENDED_GATED_EVENTS), max_size=4),
)
def test_events_in_every_order_give_the_same_single_awards(
    order: list[ActivityEvent], split: int, again: list[ActivityEvent]
) -> None:
    c = FakeContainer()
    done, passed = blended_gated(c)

    ingest_and_evaluate(c, order[:split])  # one batch, then each of the rest on its own
    each_alone(c, order[split:])
    evaluate(c, again)  # some redelivered, in another batch
    evaluate(c, order)  # the whole shard redelivered

    assert holdings(c) == sorted(
        [(done, "C:cpr-1", AwardStatus.ACTIVE), (passed, "C:cpr-1", AwardStatus.ACTIVE)]
    )
    assert c.awards.wallet(TENANT, "alice").entries == 0  # no points: nothing else counted


def test_every_order_of_the_three_gating_events_awards_once(c: FakeContainer) -> None:
    for index, order in enumerate(permutations([attended("s1"), paid(), registered()])):
        c = FakeContainer()
        cert = gated(c)
        each_alone(c, list(order))
        assert holdings(c) == [(cert, "C:cpr-1", AwardStatus.ACTIVE)], index


def test_redelivered_and_duplicate_events_grant_once(c: FakeContainer) -> None:
    cert = course_achievement(c, "CPR", levels=[{"points": 30}])
    template(c, delivery=Delivery.CLASSROOM, awarding=cert)
    course_event(c, sessions=[Session(session_id="s1")])
    events = [registered(), attended("s1")]

    ingest_and_evaluate(c, events)
    ingest_and_evaluate(c, events)  # the same ids sent again
    ingest_and_evaluate(c, [learner_event("again", "session.attended", session_id="s1")])

    assert state(c) == ([(cert, "C:cpr-1", AwardStatus.ACTIVE)], 30)


def test_a_pass_achievement_needs_a_passed_assessment_after_completion(c: FakeContainer) -> None:
    done, passed = theory_and_practical(c)

    each_alone(c, [assessed(False), attended("s1")])
    assert holdings(c) == [(done, "C:cpr-1", AwardStatus.ACTIVE)]
    each_alone(c, [assessed(True, i="b")])

    assert holdings(c) == sorted(
        [(done, "C:cpr-1", AwardStatus.ACTIVE), (passed, "C:cpr-1", AwardStatus.ACTIVE)]
    )


def test_an_event_overrides_its_templates_achievements_and_rules(c: FakeContainer) -> None:
    inherited = course_achievement(c, "Inherited")
    own = course_achievement(c, "Own")
    template(c, awarding=inherited, custom={"year": "26"})
    course_event(c)  # inherits
    course_event(
        c,
        "cpr-2",
        delivery=Delivery.CLASSROOM,
        sessions=[Session(session_id="s1")],
        achievements=[CourseAchievement(achievement_id=own)],
        custom={"site": "Leeds"},
    )

    each_alone(c, [progress("1", 100, passed=True), attended("s1", course_event_id="cpr-2")])

    assert holdings(c) == sorted(
        [(inherited, "C:cpr-1", AwardStatus.ACTIVE), (own, "C:cpr-2", AwardStatus.ACTIVE)]
    )
    event = c.courses.get_course_event(TENANT, "cpr-2")
    assert event is not None
    tpl = c.courses.get_template(TENANT, "cpr")
    assert tpl is not None
    assert event.issuer(tpl) == Issuer(
        kind=IssuerKind.COURSE_EVENT, id="cpr-2", code="CPR", custom={"year": "26", "site": "Leeds"}
    )


def test_a_disabled_achievement_and_an_undefined_course_event_grant_nothing(
    c: FakeContainer,
) -> None:
    off = course_achievement(c, "Off", enabled=False)
    template(c, awarding=off)
    course_event(c)

    each_alone(c, [progress("1", 100, passed=True), progress("2", 100, True, course_event_id="x")])

    assert holdings(c) == []
    assert c.courses.enrollments(TENANT, "x", ["alice"]) == {}


# --- learning paths -------------------------------------------------------------------------


def path_setup(c: FakeContainer) -> str:
    for template_id in ("basics", "advanced"):
        cert = course_achievement(c, f"{template_id} done")
        template(c, template_id, code=template_id.upper(), awarding=cert)
        course_event(c, f"{template_id}-1", template_id)
        course_event(c, f"{template_id}-2", template_id)
    diploma = course_achievement(c, "Diploma")
    found = LearningPath(
        path_id="nursing",
        name="Nursing",
        code="NUR",
        courses=("basics", "advanced"),
        achievements=(diploma,),
        updated_at=NOW,
    )
    wired(courses.put_path, c, TENANT, found)
    return diploma


@pytest.mark.parametrize("first", ["basics-2", "advanced-1"])
def test_a_learning_path_completes_in_any_order(c: FakeContainer, first: str) -> None:
    diploma = path_setup(c)
    second = "advanced-1" if first == "basics-2" else "basics-2"

    each_alone(c, [progress("1", 100, True, course_event_id=first)])
    assert [h for h in holdings(c) if h[0] == diploma] == []
    each_alone(c, [progress("2", 100, True, course_event_id=second)])
    each_alone(c, [progress("3", 100, True, course_event_id="basics-1")])  # a second of one

    diplomas = [a for a in c.awards.user_awards(TENANT, "alice") if a.achievement_id == diploma]
    assert [(a.period_key, a.issued_by) for a in diplomas] == [
        ("L:nursing", "learning_path:nursing")
    ]


def test_a_path_names_existing_templates_and_course_achievements(c: FakeContainer) -> None:
    diploma = path_setup(c)
    other = achievement(c, name="Closer", type="manual").achievement_id
    bad = {"courses": ("basics", "nope"), "achievements": (diploma,)}
    wrong_type = {"courses": ("basics",), "achievements": (diploma, other)}

    for body, field in ((bad, "courses[1]"), (wrong_type, "achievements[1]")):
        path = LearningPath(path_id="p", name="P", updated_at=NOW, **body)
        with pytest.raises(InvalidInputError) as raised:
            wired(courses.put_path, c, TENANT, path)
        assert raised.value.field == field
    assert c.courses.get_path(TENANT, "p") is None


def test_an_event_needs_an_existing_template_and_course_achievements(c: FakeContainer) -> None:
    with pytest.raises(InvalidInputError) as raised:
        course_event(c, template_id="none")
    assert raised.value.field == "template_id"
    with pytest.raises(InvalidInputError) as raised:
        template(c, awarding="ghost")
    assert raised.value.field == "achievements[0].achievement_id"
    with pytest.raises(NotFoundError):
        wired(courses.get_course_event, c, TENANT, "cpr-1")


# --- manual results -------------------------------------------------------------------------


def set_results(c: FakeContainer, *rows: ResultRow) -> courses.ResultsOutcome:
    return wired(courses.set_results, c, TENANT, "cpr-1", list(rows), set_by="admin-1")


def test_a_manual_pass_grants_the_pass_achievements_once(c: FakeContainer) -> None:
    _, passed = theory_and_practical(c)

    first = set_results(c, ResultRow("alice", Outcome.PASS))
    again = set_results(c, ResultRow("alice", Outcome.PASS))

    assert [a.achievement_id for a in first.granted] == [passed]
    assert again.granted == [] and again.recorded == 1
    assert state(c) == ([(passed, "C:cpr-1", AwardStatus.ACTIVE)], 40)


def test_pass_then_fail_revokes_what_the_pass_granted_and_a_new_pass_grants_again(
    c: FakeContainer,
) -> None:
    _, passed = theory_and_practical(c)

    set_results(c, ResultRow("alice", Outcome.PASS))
    failed = set_results(c, ResultRow("alice", Outcome.FAIL, passed))
    set_results(c, ResultRow("alice", Outcome.FAIL, passed))  # sent again: nothing more
    assert [a.status for a in failed.revoked] == [AwardStatus.REVOKED]
    assert state(c) == ([(passed, "C:cpr-1", AwardStatus.REVOKED)], 0)

    set_results(c, ResultRow("alice", Outcome.PASS, passed))

    assert state(c) == (
        [
            (passed, "C:cpr-1", AwardStatus.REVOKED),
            (passed, "C:cpr-1#R1", AwardStatus.ACTIVE),
        ],
        40,
    )


def test_a_manual_fail_overrules_automatic_awarding(c: FakeContainer) -> None:
    done, _ = theory_and_practical(c)
    each_alone(c, [attended("s1")])
    assert holdings(c) == [(done, "C:cpr-1", AwardStatus.ACTIVE)]

    set_results(c, ResultRow("alice", Outcome.FAIL, done))
    each_alone(c, [learner_event("late", "session.attended", session_id="s1")])

    assert holdings(c) == [(done, "C:cpr-1", AwardStatus.REVOKED)]


def test_a_results_row_names_its_field_and_nothing_is_stored(c: FakeContainer) -> None:
    theory_and_practical(c)
    cases = [
        ([ResultRow("a", Outcome.PASS), ResultRow("b", Outcome.PASS, "ghost")], "results[1]"),
        ([ResultRow("a", Outcome.PASS), ResultRow("a", Outcome.FAIL)], "results[1]"),
    ]
    for rows, field in cases:
        with pytest.raises(InvalidInputError) as raised:
            set_results(c, *rows)
        assert raised.value.field.startswith(field)
    assert c.courses.enrollments(TENANT, "cpr-1", ["a", "b"]) == {}


def test_results_list_each_learners_status_per_achievement(c: FakeContainer) -> None:
    done, passed = theory_and_practical(c)
    each_alone(c, [attended("s1"), registered(user_id="ben")])
    set_results(c, ResultRow("ben", Outcome.FAIL))

    page = wired(courses.results_page, c, TENANT, "cpr-1", page=PageRequest(1))
    rest = wired(courses.results_page, c, TENANT, "cpr-1", page=PageRequest(1, page.next))

    (alice,) = page.items
    (ben,) = rest.items
    assert rest.next is None
    assert alice.complete and [
        (s.achievement_id, s.outcome, s.status) for s in alice.achievements
    ] == [
        (done, None, AwardStatus.ACTIVE),
        (passed, None, None),
    ]
    assert alice.achievements[0].award_id == AwardKey("alice", done, "C:cpr-1", 1).award_id
    assert ben.registered and not ben.complete
    assert [(s.outcome, s.status) for s in ben.achievements] == [(None, None), (Outcome.FAIL, None)]


# --- course events at ingestion -------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (activity("e", "2026-11-24T09:00:00Z", type="invoice.paid"), "course_event_id"),
        (progress("p", 101), "completion"),
        (learner_event("p", "elearning.progress", completion="all"), "completion"),
        (learner_event("s", "session.attended"), "session_id"),
        (learner_event("a", "assessment.result"), "passed"),
        (learner_event("a", "assessment.result", passed="yes"), "passed"),
    ],
)
def test_a_course_event_missing_what_it_needs_is_refused_naming_the_attribute(
    c: FakeContainer, event: ActivityEvent, field: str
) -> None:
    fine = registered()

    with pytest.raises(InvalidInputError) as raised:
        record_events(TENANT, [fine, event], store=c.events, clock=c.clock)

    assert raised.value.field == f"events[1].attributes.{field}"
    assert c.events.stored(TENANT) == []


# --- crashes between steps ------------------------------------------------------------------


def test_a_grant_that_fails_after_the_progress_was_recorded_is_made_by_the_redelivery(
    c: FakeContainer,
) -> None:
    cert = gated(c)
    each_alone(c, [attended("s1")])
    payment = paid()
    c.events.add_new(TENANT, [payment])

    c.awards.fail_grants = 1
    crashed = evaluate(c, [payment])
    assert crashed.failed == {(TENANT, payment.event_id)} and holdings(c) == []
    redelivered = evaluate(c, [payment])
    evaluate(c, [payment])  # and once more

    assert redelivered.failed == set()
    assert holdings(c) == [(cert, "C:cpr-1", AwardStatus.ACTIVE)]


def test_a_path_grant_that_fails_after_the_course_was_recorded_complete_is_made_again(
    c: FakeContainer,
) -> None:
    diploma = path_setup(c)
    each_alone(c, [progress("1", 100, True, course_event_id="basics-1")])
    last = progress("2", 100, True, course_event_id="advanced-1")
    c.events.add_new(TENANT, [last])

    c.awards.fail_grants = 1
    assert evaluate(c, [last]).failed == {(TENANT, last.event_id)}
    evaluate(c, [last])

    assert [h for h in holdings(c) if h[0] == diploma] == [
        (diploma, "L:nursing", AwardStatus.ACTIVE)
    ]


def test_a_fail_set_while_the_evaluator_grants_never_leaves_the_award_active(
    c: FakeContainer, monkeypatch: pytest.MonkeyPatch
) -> None:
    done, _ = theory_and_practical(c)
    read_holdings = c.awards.holdings

    def admin_fails_meanwhile(tenant_id: str, keys: Any) -> Any:
        found = read_holdings(tenant_id, keys)  # the evaluator read: not held, no result yet
        set_results(c, ResultRow("alice", Outcome.FAIL, done))  # finds no award to revoke
        return found

    monkeypatch.setattr(c.awards, "holdings", admin_fails_meanwhile)
    each_alone(c, [attended("s1")])

    assert state(c) == ([(done, "C:cpr-1", AwardStatus.REVOKED)], 0)


def test_an_award_left_active_by_a_crash_after_a_fail_is_revoked_by_the_redelivery(
    c: FakeContainer,
) -> None:
    done, _ = theory_and_practical(c)
    first = attended("s1")
    ingest_and_evaluate(c, [first])
    # The admin's fail was written, and the request died before it revoked anything.
    fail = ManualResult(outcome=Outcome.FAIL, set_by="admin-1", set_at=NOW)
    c.courses.record_results(TENANT, "cpr-1", {"alice": {done: fail}})
    assert holdings(c) == [(done, "C:cpr-1", AwardStatus.ACTIVE)]

    evaluate(c, [first])

    assert holdings(c) == [(done, "C:cpr-1", AwardStatus.REVOKED)]


def test_course_awards_are_numbered_with_the_course_code_and_path_awards_with_the_path_format(
    c: FakeContainer,
) -> None:
    wired(
        credentials.put_sequence,
        c,
        TENANT,
        {
            "sequence_id": "certs",
            "name": "Certificates",
            "start": 5,
            "padding": 3,
            "event_format": "{{course_code}}-{{custom.site}}-{{sequence_number}}",
            "path_format": "{{path_code}}-{{sequence_number}}",
        },
    )
    bls = course_achievement(c, "Basic Life Support", sequence_id="certs")
    track = course_achievement(c, "Rescuer track", sequence_id="certs")
    template(c, awarding=bls, custom={"site": "OSL"})
    course_event(c)
    wired(
        courses.put_path,
        c,
        TENANT,
        LearningPath(
            path_id="rescuer",
            name="Rescuer",
            code="RSC",
            courses=("cpr",),
            achievements=(track,),
            updated_at=NOW,
        ),
    )

    each_alone(c, [registered(), progress("1", 100, passed=True)])

    numbered = {a.achievement_id: a for a in c.awards.user_awards(TENANT, "alice")}
    assert (numbered[bls].identifier, numbered[bls].issued_by) == (
        "CPR-OSL-005",
        "course_event:cpr-1",
    )
    assert (numbered[track].identifier, numbered[track].issued_by) == (
        "RSC-006",
        "learning_path:rescuer",
    )


def test_completing_the_course_again_renews_the_credential(c: FakeContainer) -> None:
    bls = course_achievement(c, "Basic Life Support", validity={"amount": 5, "unit": "year"})
    template(c, awarding=bls, completion_threshold=80)
    course_event(c)
    course_event(c, "cpr-2")

    each_alone(c, [progress("1", 100, passed=True)])
    each_alone(c, [progress("2", 100, passed=True, course_event_id="cpr-2")])

    first, again = sorted(c.awards.user_awards(TENANT, "alice"), key=lambda a: a.period_key)
    assert (first.period_key, again.period_key) == ("C:cpr-1", "C:cpr-2")
    assert (first.supersedes, again.supersedes) == (None, first.award_id)
    assert again.issued_by == "course_event:cpr-2"
