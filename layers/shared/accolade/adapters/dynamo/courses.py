"""Courses on DynamoDB: the catalog as documents, and enrolments whose progress only grows
(``ports.CourseRepository``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Generic, NamedTuple, TypeVar

from pydantic import BaseModel
from pynamodb.exceptions import DoesNotExist

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.common import MAX_ATTEMPTS, update_on_version
from accolade.adapters.dynamo.models import (
    CompletedCoursesItem,
    CourseEventItem,
    CourseTemplateItem,
    DocumentItem,
    EnrollmentItem,
    LearningPathItem,
)
from accolade.adapters.dynamo.transact import backoff
from accolade.domain import courses
from accolade.domain.errors import InvalidCursorError
from accolade.ports import LearnerResults, Page

D = TypeVar("D", bound=BaseModel)
K = TypeVar("K")
R = TypeVar("R")
# Writes of a bulk request (500 learners' results) in flight at once: each is one item's
# conditional UpdateItem, which no batch API takes; one after another they outlast the API's 30 s.
PARALLEL_WRITES = 16
USER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$")


class _Documents(NamedTuple, Generic[D]):
    """One kind of catalog document, stored whole: its item class, its model, where an id's
    item is, and a document's id."""

    item_class: type[DocumentItem]
    model: type[D]
    key: Callable[[str, str], tuple[str, str]]  # (tenant, id) -> (PK, SK)
    id_of: Callable[[D], str]

    def put(self, tenant_id: str, doc: D) -> None:
        pk, sk = self.key(tenant_id, self.id_of(doc))
        self.item_class(pk, sk, tenant_id=tenant_id, doc=doc.model_dump(mode="json")).save()

    def get(self, tenant_id: str, doc_id: str) -> D | None:
        try:
            item = self.item_class.get(*self.key(tenant_id, doc_id), consistent_read=True)
        except DoesNotExist:
            return None
        return self.model.model_validate(item.doc)

    def get_many(self, tenant_id: str, doc_ids: Iterable[str]) -> dict[str, D]:
        wanted = [self.key(tenant_id, doc_id) for doc_id in sorted(set(doc_ids))]
        items = self.item_class.batch_get(wanted, consistent_read=True)
        return {self.id_of(doc): doc for doc in (self.model.model_validate(i.doc) for i in items)}


_TEMPLATES = _Documents(
    CourseTemplateItem,
    courses.CourseTemplate,
    lambda tenant_id, template_id: (
        keys.course_template_pk(tenant_id, template_id),
        keys.COURSE_TEMPLATE,
    ),
    lambda template: template.template_id,
)
_COURSE_EVENTS = _Documents(
    CourseEventItem,
    courses.CourseEvent,
    lambda tenant_id, course_event_id: (
        keys.course_event_pk(tenant_id, course_event_id),
        keys.COURSE_EVENT,
    ),
    lambda course_event: course_event.course_event_id,
)
_PATHS = _Documents(
    LearningPathItem,
    courses.LearningPath,
    lambda tenant_id, path_id: (keys.paths_pk(tenant_id), keys.path_sk(path_id)),
    lambda path: path.path_id,
)


def _each(write: Callable[[K], R], keys_: Iterable[K]) -> dict[K, R]:
    """``write`` for each key, several at once (botocore clients are thread-safe); the first
    error raised is raised after every write has finished."""
    wanted = list(keys_)
    if len(wanted) <= 1:
        return {key: write(key) for key in wanted}
    with ThreadPoolExecutor(max_workers=min(PARALLEL_WRITES, len(wanted))) as pool:
        futures = {key: pool.submit(write, key) for key in wanted}
    return {key: future.result() for key, future in futures.items()}


def _enrollment(item: EnrollmentItem) -> courses.Enrollment:
    return courses.Enrollment(
        user_id=item.user_id,
        course_event_id=item.course_event_id,
        registered=bool(item.registered),
        completion=int(max(item.completions or {0})),
        elearning_passed=bool(item.elearning_passed),
        assessment_passed=bool(item.assessment_passed),
        attended=frozenset(item.attended or ()),
        invoice_paid=bool(item.invoice_paid),
        results={
            a: courses.ManualResult.model_validate(r) for a, r in (item.results or {}).items()
        },
        version=int(item.version or 0),
    )


def _identity(tenant_id: str, user_id: str, course_event_id: str) -> list[Any]:
    """The actions that make an update create a whole enrolment when there is none yet."""
    return [
        EnrollmentItem.entity.set(EnrollmentItem),
        EnrollmentItem.tenant_id.set(tenant_id),
        EnrollmentItem.user_id.set(user_id),
        EnrollmentItem.course_event_id.set(course_event_id),
        EnrollmentItem.GSI1PK.set(keys.course_learners_pk(tenant_id, course_event_id)),
        EnrollmentItem.GSI1SK.set(user_id),
    ]


def _enrollment_item(tenant_id: str, user_id: str, course_event_id: str) -> EnrollmentItem:
    return EnrollmentItem(keys.user_pk(tenant_id, user_id), keys.enrollment_sk(course_event_id))


class DynamoCourseRepository:
    def put_template(self, tenant_id: str, template: courses.CourseTemplate) -> None:
        _TEMPLATES.put(tenant_id, template)

    def get_template(self, tenant_id: str, template_id: str) -> courses.CourseTemplate | None:
        return _TEMPLATES.get(tenant_id, template_id)

    def templates(
        self, tenant_id: str, template_ids: Iterable[str]
    ) -> dict[str, courses.CourseTemplate]:
        return _TEMPLATES.get_many(tenant_id, template_ids)

    def put_course_event(self, tenant_id: str, course_event: courses.CourseEvent) -> None:
        _COURSE_EVENTS.put(tenant_id, course_event)

    def get_course_event(self, tenant_id: str, course_event_id: str) -> courses.CourseEvent | None:
        return _COURSE_EVENTS.get(tenant_id, course_event_id)

    def course_events(
        self, tenant_id: str, course_event_ids: Iterable[str]
    ) -> dict[str, courses.CourseEvent]:
        return _COURSE_EVENTS.get_many(tenant_id, course_event_ids)

    def put_path(self, tenant_id: str, path: courses.LearningPath) -> None:
        _PATHS.put(tenant_id, path)

    def get_path(self, tenant_id: str, path_id: str) -> courses.LearningPath | None:
        return _PATHS.get(tenant_id, path_id)

    def paths(self, tenant_id: str) -> list[courses.LearningPath]:
        items = LearningPathItem.query(
            keys.paths_pk(tenant_id),
            LearningPathItem.SK.startswith(keys.PATH_PREFIX),
            consistent_read=True,
        )
        return [courses.LearningPath.model_validate(item.doc) for item in items]

    def record_progress(
        self, tenant_id: str, user_id: str, course_event_id: str, progress: courses.Progress
    ) -> courses.Enrollment:
        # One UpdateItem of unions and flags that only turn true, returning the whole item: a
        # redelivered or reordered event, or a second evaluator, writes nothing new.
        actions = _identity(tenant_id, user_id, course_event_id)
        if progress.registered:
            actions.append(EnrollmentItem.registered.set(True))
        if progress.completions:
            actions.append(EnrollmentItem.completions.add(progress.completions))
        if progress.elearning_passed:
            actions.append(EnrollmentItem.elearning_passed.set(True))
        if progress.assessment_passed:
            actions.append(EnrollmentItem.assessment_passed.set(True))
        if progress.attended:
            actions.append(EnrollmentItem.attended.add(progress.attended))
        if progress.invoice_paid:
            actions.append(EnrollmentItem.invoice_paid.set(True))
        item = _enrollment_item(tenant_id, user_id, course_event_id)
        item.update(actions=actions)
        return _enrollment(item)

    def enrollments(
        self, tenant_id: str, course_event_id: str, user_ids: Iterable[str]
    ) -> dict[str, courses.Enrollment]:
        wanted = [
            (keys.user_pk(tenant_id, u), keys.enrollment_sk(course_event_id))
            for u in sorted(set(user_ids))
        ]
        found = EnrollmentItem.batch_get(wanted, consistent_read=True)
        return {item.user_id: _enrollment(item) for item in found}

    def record_results(
        self, tenant_id: str, course_event_id: str, results: LearnerResults
    ) -> dict[str, courses.Enrollment]:
        read = self.enrollments(tenant_id, course_event_id, results)

        def write(user_id: str) -> courses.Enrollment:
            now = read.get(user_id) or courses.Enrollment(
                user_id=user_id, course_event_id=course_event_id
            )
            return self._write_results(tenant_id, now, results[user_id])

        return _each(write, sorted(results))

    def _write_results(
        self, tenant_id: str, now: courses.Enrollment, results: Mapping[str, courses.ManualResult]
    ) -> courses.Enrollment:
        """Merge ``results`` into the enrolment's, on the version read (read again when the
        evaluator or another admin wrote in between: progress writes leave ``version`` alone)."""
        user_id, course_event_id = now.user_id, now.course_event_id
        for attempt in range(MAX_ATTEMPTS):
            merged = {a: r.model_dump(mode="json") for a, r in now.results.items()}
            merged |= {a: r.model_dump(mode="json") for a, r in results.items()}
            item = _enrollment_item(tenant_id, user_id, course_event_id)
            actions = [
                *_identity(tenant_id, user_id, course_event_id),
                EnrollmentItem.results.set(merged),
            ]
            if update_on_version(item, EnrollmentItem.version, now.version, actions):
                return _enrollment(item)
            if attempt:
                backoff(attempt)
            now = self.enrollments(tenant_id, course_event_id, [user_id]).get(user_id, now)
        raise RuntimeError(f"enrolment {user_id}/{course_event_id}: too many racing writes")

    def enrollments_page(
        self, tenant_id: str, course_event_id: str, *, limit: int, after: str | None
    ) -> Page[courses.Enrollment]:
        learners_pk = keys.course_learners_pk(tenant_id, course_event_id)
        start = None
        if after is not None:
            if not USER_ID.match(after):
                raise InvalidCursorError("does not belong to this list")
            start = {
                "PK": {"S": keys.user_pk(tenant_id, after)},
                "SK": {"S": keys.enrollment_sk(course_event_id)},
                "GSI1PK": {"S": learners_pk},
                "GSI1SK": {"S": after},
            }
        items = list(
            EnrollmentItem.learners.query(
                learners_pk, limit=limit + 1, page_size=limit + 1, last_evaluated_key=start
            )
        )
        following = items[limit - 1].user_id if len(items) > limit else None
        return Page([_enrollment(item) for item in items[:limit]], following)

    def complete_courses(
        self, tenant_id: str, template_id: str, user_ids: Iterable[str]
    ) -> dict[str, frozenset[str]]:
        def add(user_id: str) -> frozenset[str]:
            item = CompletedCoursesItem(keys.user_pk(tenant_id, user_id), keys.COMPLETED_COURSES)
            item.update(
                actions=[
                    CompletedCoursesItem.entity.set(CompletedCoursesItem),
                    CompletedCoursesItem.tenant_id.set(tenant_id),
                    CompletedCoursesItem.user_id.set(user_id),
                    CompletedCoursesItem.templates.add({template_id}),
                ]
            )
            return frozenset(item.templates or ())

        return _each(add, sorted(set(user_ids)))
