"""Courses on DynamoDB: the catalog as documents, and enrolments whose progress only grows
(``ports.CourseRepository``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from pydantic import BaseModel
from pynamodb.exceptions import DoesNotExist, UpdateError

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.common import MAX_ATTEMPTS, conditional_failed
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


def _put(item_class: type[DocumentItem], tenant_id: str, pk: str, sk: str, doc: BaseModel) -> None:
    item_class(pk, sk, tenant_id=tenant_id, doc=doc.model_dump(mode="json")).save()


def _get(item_class: type[DocumentItem], model: type[D], pk: str, sk: str) -> D | None:
    try:
        return model.model_validate(item_class.get(pk, sk, consistent_read=True).doc)
    except DoesNotExist:
        return None


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
        pk = keys.course_template_pk(tenant_id, template.template_id)
        _put(CourseTemplateItem, tenant_id, pk, keys.COURSE_TEMPLATE, template)

    def get_template(self, tenant_id: str, template_id: str) -> courses.CourseTemplate | None:
        pk = keys.course_template_pk(tenant_id, template_id)
        return _get(CourseTemplateItem, courses.CourseTemplate, pk, keys.COURSE_TEMPLATE)

    def templates(
        self, tenant_id: str, template_ids: Iterable[str]
    ) -> dict[str, courses.CourseTemplate]:
        wanted = [
            (keys.course_template_pk(tenant_id, t), keys.COURSE_TEMPLATE)
            for t in sorted(set(template_ids))
        ]
        found = (
            courses.CourseTemplate.model_validate(item.doc)
            for item in CourseTemplateItem.batch_get(wanted, consistent_read=True)
        )
        return {template.template_id: template for template in found}

    def put_course_event(self, tenant_id: str, course_event: courses.CourseEvent) -> None:
        pk = keys.course_event_pk(tenant_id, course_event.course_event_id)
        _put(CourseEventItem, tenant_id, pk, keys.COURSE_EVENT, course_event)

    def get_course_event(self, tenant_id: str, course_event_id: str) -> courses.CourseEvent | None:
        pk = keys.course_event_pk(tenant_id, course_event_id)
        return _get(CourseEventItem, courses.CourseEvent, pk, keys.COURSE_EVENT)

    def course_events(
        self, tenant_id: str, course_event_ids: Iterable[str]
    ) -> dict[str, courses.CourseEvent]:
        wanted = [
            (keys.course_event_pk(tenant_id, c), keys.COURSE_EVENT)
            for c in sorted(set(course_event_ids))
        ]
        found = (
            courses.CourseEvent.model_validate(item.doc)
            for item in CourseEventItem.batch_get(wanted, consistent_read=True)
        )
        return {course_event.course_event_id: course_event for course_event in found}

    def put_path(self, tenant_id: str, path: courses.LearningPath) -> None:
        pk, sk = keys.paths_pk(tenant_id), keys.path_sk(path.path_id)
        _put(LearningPathItem, tenant_id, pk, sk, path)

    def get_path(self, tenant_id: str, path_id: str) -> courses.LearningPath | None:
        pk, sk = keys.paths_pk(tenant_id), keys.path_sk(path_id)
        return _get(LearningPathItem, courses.LearningPath, pk, sk)

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
            try:
                item.update(
                    actions=[
                        *_identity(tenant_id, user_id, course_event_id),
                        EnrollmentItem.results.set(merged),
                        EnrollmentItem.version.set(now.version + 1),
                    ],
                    condition=EnrollmentItem.version == now.version
                    if now.version
                    else EnrollmentItem.version.does_not_exist(),
                )
            except UpdateError as exc:
                if not conditional_failed(exc):
                    raise
                if attempt:
                    backoff(attempt)
                found = self.enrollments(tenant_id, course_event_id, [user_id])
                now = found.get(user_id, now)
                continue
            return _enrollment(item)
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
