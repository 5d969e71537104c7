"""Courses, pure: templates, course events and learning paths, a learner's progress in a course
event, and what that progress earns.

A learner's progress in one course event (an enrolment) only ever grows: the highest completion
seen, "passed" once passed, the sessions attended, "paid" once paid. Every change is a union or a
maximum, so the events that make it can arrive in any order, twice, or from two evaluators at
once, and the enrolment ends the same; what it earns is decided from the whole enrolment, never
from the one event that came last (``services/courses.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, TypeVar

from pydantic import Field, model_validator

from accolade.domain.course_events import (
    ASSESSMENT_RESULT,
    COURSE_EVENT_ATTRIBUTE,
    COURSE_EVENT_TYPES,
    COURSE_REGISTERED,
    ELEARNING_PROGRESS,
    INVOICE_PAID,
    SESSION_ATTENDED,
)
from accolade.domain.models import ActivityEvent, Issuer, IssuerKind, Model

V = TypeVar("V")

COURSE_PERIOD_PREFIX = "C:"  # an award's period key: the course event that issued it
PATH_PERIOD_PREFIX = "L:"  # the learning path that issued it

# Bounds that keep every catalog item and enrolment far below DynamoDB's 400 KB.
MAX_COURSE_ACHIEVEMENTS = 20
MAX_SESSIONS = 100
MAX_CUSTOM_FIELDS = 20
MAX_PATH_COURSES = 50
MAX_PATH_ACHIEVEMENTS = 20
MAX_RESULTS = 500


class Delivery(StrEnum):
    SELF_PACED = "self_paced"
    CLASSROOM = "classroom"
    BLENDED = "blended"


class AwardRule(StrEnum):
    COMPLETION = "completion"  # granted when the course is complete
    PASS = "pass"  # granted on a pass: an assessment passed after completion, or a manual pass


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"


class CourseAchievement(Model):
    achievement_id: str
    rule: AwardRule = AwardRule.COMPLETION


def _unique(values: Iterable[str], name: str) -> None:
    seen = list(values)
    if len(seen) != len(set(seen)):
        raise ValueError(f"{name}: each may appear once")


Threshold = Annotated[int, Field(ge=0, le=100)]
Absences = Annotated[int, Field(ge=0, le=MAX_SESSIONS)]


class CourseRules(Model):
    """How a course event awards: what a template sets, and an event may override."""

    delivery: Delivery
    achievements: tuple[CourseAchievement, ...] = ()
    completion_threshold: Threshold = 100
    allowed_absences: Absences = 0
    invoice_required: bool = False
    custom: dict[str, str] = Field(default_factory=dict)

    def pass_achievements(self) -> list[str]:
        return [a.achievement_id for a in self.achievements if a.rule is AwardRule.PASS]

    def rule_of(self, achievement_id: str) -> AwardRule | None:
        return next((a.rule for a in self.achievements if a.achievement_id == achievement_id), None)


class CourseTemplate(CourseRules):
    template_id: str
    name: str
    code: str = ""
    updated_at: datetime

    @model_validator(mode="after")
    def _distinct(self) -> CourseTemplate:
        _unique((a.achievement_id for a in self.achievements), "achievements")
        return self


class Session(Model):
    session_id: str
    optional: bool = False


class CourseEvent(Model):
    """One delivery of a template; the template's fields it sets override the template's."""

    course_event_id: str
    template_id: str
    name: str
    starts_at: datetime
    sessions: tuple[Session, ...] = ()
    delivery: Delivery | None = None
    achievements: tuple[CourseAchievement, ...] | None = None
    completion_threshold: Threshold | None = None
    allowed_absences: Absences | None = None
    invoice_required: bool | None = None
    custom: dict[str, str] | None = None
    updated_at: datetime

    @model_validator(mode="after")
    def _distinct(self) -> CourseEvent:
        _unique((s.session_id for s in self.sessions), "sessions")
        _unique((a.achievement_id for a in self.achievements or ()), "achievements")
        return self

    def rules(self, template: CourseTemplate) -> CourseRules:
        """The template's rules with this event's overrides; custom fields merge (the event's
        win)."""
        return CourseRules(
            delivery=self.delivery or template.delivery,
            achievements=template.achievements if self.achievements is None else self.achievements,
            completion_threshold=_either(self.completion_threshold, template.completion_threshold),
            allowed_absences=_either(self.allowed_absences, template.allowed_absences),
            invoice_required=_either(self.invoice_required, template.invoice_required),
            custom=template.custom | (self.custom or {}),
        )

    def issuer(self, template: CourseTemplate) -> Issuer:
        """What an award of this event names in ``issued_by``, with the sequence merge fields."""
        return Issuer(
            kind=IssuerKind.COURSE_EVENT,
            id=self.course_event_id,
            code=template.code,
            custom=self.rules(template).custom,
        )

    @property
    def session_ids(self) -> frozenset[str]:
        return frozenset(s.session_id for s in self.sessions)


def _either(override: V | None, inherited: V) -> V:
    return inherited if override is None else override


class LearningPath(Model):
    path_id: str
    name: str
    code: str = ""
    courses: tuple[str, ...]  # template ids
    achievements: tuple[str, ...]
    updated_at: datetime

    @model_validator(mode="after")
    def _distinct(self) -> LearningPath:
        _unique(self.courses, "courses")
        _unique(self.achievements, "achievements")
        return self

    @property
    def issuer(self) -> Issuer:
        return Issuer(kind=IssuerKind.LEARNING_PATH, id=self.path_id, code=self.code)

    def completed_by(self, templates: Iterable[str]) -> bool:
        """Every course of the path is among the learner's completed templates."""
        return bool(self.courses) and set(self.courses) <= set(templates)


class ManualResult(Model):
    """An admin's pass or fail for one achievement of a course event. ``round`` counts the
    awards a pass has issued and a fail revoked: a pass after that takes a fresh award key."""

    outcome: Outcome
    round: int = 0
    set_by: str
    set_at: datetime


class Enrollment(Model):
    """A learner's progress in a course event, and the admins' results for it."""

    user_id: str
    course_event_id: str
    registered: bool = False
    completion: int = 0  # the highest completion seen, in whole percent (floored)
    elearning_passed: bool = False
    assessment_passed: bool = False
    attended: frozenset[str] = frozenset()
    invoice_paid: bool = False
    results: Mapping[str, ManualResult] = Field(default_factory=dict)  # by achievement id
    version: int = 0  # grows with each write of ``results``


@dataclass
class Progress:
    """What a batch's events add to one enrolment: each part a union or a maximum."""

    registered: bool = False
    completions: set[int] = field(default_factory=set)
    elearning_passed: bool = False
    assessment_passed: bool = False
    attended: set[str] = field(default_factory=set)
    invoice_paid: bool = False
    event_ids: list[str] = field(default_factory=list)

    def add(self, event: ActivityEvent, course_event: CourseEvent) -> None:
        self.event_ids.append(event.event_id)
        attributes = event.attributes
        if event.type == COURSE_REGISTERED:
            self.registered = True
        elif event.type == ELEARNING_PROGRESS:
            completion = _percent(attributes.get("completion"))
            if completion is not None:
                self.completions.add(completion)
            self.elearning_passed |= attributes.get("passed") is True
        elif event.type == SESSION_ATTENDED:
            session_id = attributes.get("session_id")
            # Only the event's own sessions: an enrolment stays as small as its event.
            if isinstance(session_id, str) and session_id in course_event.session_ids:
                self.attended.add(session_id)
        elif event.type == INVOICE_PAID:
            self.invoice_paid = True
        elif event.type == ASSESSMENT_RESULT:
            self.assessment_passed |= attributes.get("passed") is True


def _percent(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    # Floored to whole percent: against a whole-percent threshold nothing changes, and an
    # enrolment keeps at most 101 distinct values.
    return max(0, min(100, int(Decimal(str(value)))))


def course_event_of(event: ActivityEvent) -> str | None:
    """The course event an event is about, when it is one of the course event types."""
    value = event.attributes.get(COURSE_EVENT_ATTRIBUTE)
    if event.type not in COURSE_EVENT_TYPES or not isinstance(value, str) or not value:
        return None
    return value


def online_done(rules: CourseRules, enrollment: Enrollment) -> bool:
    """Self-paced: completion reached the threshold and the learner passed."""
    return enrollment.completion >= rules.completion_threshold and enrollment.elearning_passed


def attendance_done(
    rules: CourseRules, sessions: Iterable[Session], enrollment: Enrollment
) -> bool:
    """Classroom: attended at least one session, and missed no more required (not optional)
    sessions than the allowed absences."""
    required = {s.session_id for s in sessions if not s.optional}
    missed = len(required - enrollment.attended)
    return bool(enrollment.attended) and missed <= rules.allowed_absences


def complete(rules: CourseRules, sessions: Iterable[Session], enrollment: Enrollment) -> bool:
    """Whether the learner completed the course event by its delivery mode (and, where the
    invoice is required, paid it)."""
    if rules.invoice_required and not enrollment.invoice_paid:
        return False
    if rules.delivery is Delivery.SELF_PACED:
        return online_done(rules, enrollment)
    if rules.delivery is Delivery.CLASSROOM:
        return attendance_done(rules, sessions, enrollment)
    return online_done(rules, enrollment) and attendance_done(rules, sessions, enrollment)


def automatic_awards(
    rules: CourseRules, sessions: Iterable[Session], enrollment: Enrollment
) -> list[str]:
    """The achievements the enrolment earns by itself: completion ones once complete, pass
    ones once complete and the assessment passed. An achievement an admin set a result for is
    the admin's to decide."""
    if not complete(rules, sessions, enrollment):
        return []
    return [
        a.achievement_id
        for a in rules.achievements
        if a.achievement_id not in enrollment.results
        and (a.rule is AwardRule.COMPLETION or enrollment.assessment_passed)
    ]


def course_done(rules: CourseRules, sessions: Iterable[Session], enrollment: Enrollment) -> bool:
    """Whether the learner earned the completion of this event, for learning paths: a manual
    pass of one of its completion achievements, or complete with no manual fail of them."""
    completion_ids = {
        a.achievement_id for a in rules.achievements if a.rule is AwardRule.COMPLETION
    }
    outcomes = [r.outcome for a, r in enrollment.results.items() if a in completion_ids]
    if Outcome.PASS in outcomes:
        return True
    return complete(rules, sessions, enrollment) and Outcome.FAIL not in outcomes


def course_period(course_event_id: str, round: int = 0) -> str:
    """An award's period key for a course event; a pass after a revoked one takes the next."""
    base = f"{COURSE_PERIOD_PREFIX}{course_event_id}"
    return base if round == 0 else f"{base}#R{round}"


def course_event_of_period(period_key: str) -> str | None:
    """The course event of an award's period key (``C:{id}`` or ``C:{id}#R{n}``); None for
    another kind of key."""
    if not period_key.startswith(COURSE_PERIOD_PREFIX):
        return None
    return period_key[len(COURSE_PERIOD_PREFIX) :].partition("#R")[0]


def path_period(path_id: str) -> str:
    return f"{PATH_PERIOD_PREFIX}{path_id}"
