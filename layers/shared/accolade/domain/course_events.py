"""The activity events a learning platform sends about courses, and what each must carry: checked
at ingestion, so the evaluator never meets a malformed one (``domain/courses.py`` is what they
do to a learner's enrolment).

Apart from the course models so that ingestion, which only checks them, loads no course model:
a pydantic model's class costs a cold start about a millisecond.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accolade.domain.models import ActivityEvent

COURSE_REGISTERED = "course.registered"
ELEARNING_PROGRESS = "elearning.progress"
SESSION_ATTENDED = "session.attended"
INVOICE_PAID = "invoice.paid"
ASSESSMENT_RESULT = "assessment.result"
COURSE_EVENT_TYPES = frozenset(
    {COURSE_REGISTERED, ELEARNING_PROGRESS, SESSION_ATTENDED, INVOICE_PAID, ASSESSMENT_RESULT}
)
COURSE_EVENT_ATTRIBUTE = "course_event_id"


def course_event_problem(event: ActivityEvent) -> tuple[str, str] | None:
    """What is wrong with a course event's attributes, as (attribute, message); None when it is
    fine or not a course event. Checked at ingestion, so the evaluator never meets one."""
    if event.type not in COURSE_EVENT_TYPES:
        return None
    attributes = event.attributes
    if not isinstance(attributes.get(COURSE_EVENT_ATTRIBUTE), str):
        return COURSE_EVENT_ATTRIBUTE, "required for this event type: the course event's id"
    if event.type == ELEARNING_PROGRESS:
        completion = attributes.get("completion")
        if completion is not None and (
            isinstance(completion, bool)
            or not isinstance(completion, int | float)
            or not 0 <= completion <= 100
        ):
            return "completion", "must be a number from 0 to 100"
    if event.type == SESSION_ATTENDED and not isinstance(attributes.get("session_id"), str):
        return "session_id", "required for session.attended: the session's id"
    if event.type in (ELEARNING_PROGRESS, ASSESSMENT_RESULT) and not isinstance(
        attributes.get("passed", False), bool
    ):
        return "passed", "must be true or false"
    if event.type == ASSESSMENT_RESULT and "passed" not in attributes:
        return "passed", "required for assessment.result"
    return None
