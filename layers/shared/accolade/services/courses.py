"""Courses: the catalog admins write (templates, course events, learning paths), automatic
awarding from learners' course events, and the manual pass/fail results of a course event.

A learner's progress in a course event is one enrolment item in the learner's partition, whose
every update is a union or a maximum (``domain/courses.py``): the stream hands a user's events to
one evaluator in order, but even out of order, twice, or from two evaluators at once the
enrolment ends the same. What it earns is decided from the whole enrolment each time, and the
awards are unique by key (user, achievement, ``C:{course_event}``), so an award comes exactly
once whichever event completes the course, the payment first or last.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from accolade.domain.courses import (
    CourseEvent,
    CourseRules,
    CourseTemplate,
    Enrollment,
    LearningPath,
    ManualResult,
    Outcome,
    Progress,
    automatic_awards,
    course_done,
    course_event_of,
    course_event_of_period,
    course_period,
    path_period,
)
from accolade.domain.errors import ConflictError, InvalidInputError, or_not_found
from accolade.domain.models import (
    Achievement,
    AchievementType,
    ActivityEvent,
    Award,
    AwardKey,
    AwardStatus,
    Issuer,
)
from accolade.domain.periods import zone
from accolade.domain.rules import AwardIntent
from accolade.observability import logger
from accolade.ports import (
    AwardRepository,
    AwardsToGrant,
    Clock,
    ConfigRepository,
    CourseRepository,
    Page,
    PageRequest,
    TenantConfig,
)

# --- the catalog ----------------------------------------------------------------------------


class CatalogPorts(NamedTuple):
    """Where the catalog is kept (``courses``) and the achievements it issues (``config``).
    ``bootstrap.inject`` builds one."""

    courses: CourseRepository
    config: ConfigRepository


def put_template(
    tenant_id: str, template: CourseTemplate, *, ports: CatalogPorts
) -> CourseTemplate:
    """Create or replace a course template; its achievements must be course completions."""
    ids = [a.achievement_id for a in template.achievements]
    _check_achievements(tenant_id, ids, ports.config, ".achievement_id")
    ports.courses.put_template(tenant_id, template)
    return template


def get_template(tenant_id: str, template_id: str, *, courses: CourseRepository) -> CourseTemplate:
    found = courses.get_template(tenant_id, template_id)
    return or_not_found(found, f"course template {template_id}")


def put_course_event(
    tenant_id: str, course_event: CourseEvent, *, ports: CatalogPorts
) -> CourseEvent:
    """Create or replace a course event of an existing template; the achievements it sets
    replace the template's for this event."""
    _check_templates(tenant_id, {"template_id": course_event.template_id}, ports.courses)
    ids = [a.achievement_id for a in course_event.achievements or ()]
    _check_achievements(tenant_id, ids, ports.config, ".achievement_id")
    ports.courses.put_course_event(tenant_id, course_event)
    return course_event


def get_course_event(
    tenant_id: str, course_event_id: str, *, courses: CourseRepository
) -> CourseEvent:
    found = courses.get_course_event(tenant_id, course_event_id)
    return or_not_found(found, f"course event {course_event_id}")


def put_path(tenant_id: str, path: LearningPath, *, ports: CatalogPorts) -> LearningPath:
    """Create or replace a learning path of existing templates."""
    named = {f"courses[{i}]": t for i, t in enumerate(path.courses)}
    _check_templates(tenant_id, named, ports.courses)
    _check_achievements(tenant_id, path.achievements, ports.config)
    ports.courses.put_path(tenant_id, path)
    return path


def get_path(tenant_id: str, path_id: str, *, courses: CourseRepository) -> LearningPath:
    return or_not_found(courses.get_path(tenant_id, path_id), f"learning path {path_id}")


def _check_templates(tenant_id: str, named: Mapping[str, str], courses: CourseRepository) -> None:
    """Each template id, by the field of the body that names it, is a course template."""
    found = courses.templates(tenant_id, named.values())
    for where, template_id in named.items():
        if template_id not in found:
            raise InvalidInputError(where, f"no course template {template_id!r}: create it first")


def _check_achievements(
    tenant_id: str, ids: Sequence[str], config: ConfigRepository, suffix: str = ""
) -> None:
    """Each id (``achievements[i]{suffix}`` in the body) names a course_completion achievement."""
    if not ids:
        return
    known = {a.achievement_id: a for a in config.get_config(tenant_id).achievements}
    for index, achievement_id in enumerate(ids):
        found = known.get(achievement_id)
        where = f"achievements[{index}]{suffix}"
        if found is None:
            raise InvalidInputError(where, f"no achievement {achievement_id!r}")
        if found.type is not AchievementType.COURSE_COMPLETION:
            raise InvalidInputError(
                where, f"achievement {achievement_id!r} is not a course_completion achievement"
            )


# --- automatic awarding -----------------------------------------------------------------------


@dataclass
class CourseOutcome:
    granted: list[Award] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)  # event ids to redeliver


Pending = list[tuple[AwardIntent, Issuer]]


def award_courses(
    tenant_id: str,
    events: Sequence[ActivityEvent],
    tenant: TenantConfig,
    *,
    courses: CourseRepository,
    awards: AwardRepository,
    clock: Clock,
) -> CourseOutcome:
    """Add the batch's course events to their learners' enrolments and grant what the
    enrolments earn: the course event's achievements and the learning paths they complete."""
    outcome = CourseOutcome()
    about = {e.event_id: ce for e in events if (ce := course_event_of(e)) is not None}
    if not about:
        return outcome  # most batches: nothing read, nothing written
    try:
        catalog = courses.course_events(tenant_id, set(about.values()))
        templates = courses.templates(tenant_id, {c.template_id for c in catalog.values()})
    except Exception:
        logger.exception("reading course events failed; their events will be redelivered")
        outcome.failed |= set(about)
        return outcome
    progress: dict[tuple[str, str], Progress] = {}
    for event in events:
        course_event = catalog.get(about.get(event.event_id, ""))
        if course_event is None or course_event.template_id not in templates:
            continue  # a course event never defined: nothing to award (define it first)
        key = (event.user_id, course_event.course_event_id)
        progress.setdefault(key, Progress()).add(event, course_event)
    live = _live(tenant)
    pending: Pending = []
    paths: list[LearningPath] | None = None
    events_of: dict[str, list[str]] = defaultdict(list)
    failing: set[AwardKey] = set()  # awards admins' fails say must not be active
    for (user_id, course_event_id), added in sorted(progress.items()):
        course_event = catalog[course_event_id]
        template = templates[course_event.template_id]
        rules = course_event.rules(template)
        events_of[user_id] += added.event_ids
        try:
            enrollment = courses.record_progress(tenant_id, user_id, course_event_id, added)
            failing |= _failed_keys(enrollment)
            earned = automatic_awards(rules, course_event.sessions, enrollment)
            pending += _course_intents(
                user_id, course_event, template, earned, live, added.event_ids[-1]
            )
            if course_done(rules, course_event.sessions, enrollment):
                done = courses.complete_courses(tenant_id, template.template_id, [user_id])
                completed = done[user_id]
                paths = courses.paths(tenant_id) if paths is None else paths
                pending += _path_intents(user_id, completed, paths, live, added.event_ids[-1])
        except Exception:
            logger.exception("recording course progress failed; its events will be redelivered")
            outcome.failed |= set(added.event_ids)
    _settle(tenant_id, pending, failing, events_of, tenant, outcome, courses, awards, clock)
    return outcome


def _settle(
    tenant_id: str,
    pending: Pending,
    failing: set[AwardKey],
    events_of: Mapping[str, list[str]],
    tenant: TenantConfig,
    outcome: CourseOutcome,
    courses: CourseRepository,
    awards: AwardRepository,
    clock: Clock,
) -> None:
    """Grant what the enrolments earn, then revoke what admins failed; the events of a learner
    whose part did not finish are redelivered."""
    granted: list[Award] = []
    if pending:
        try:
            granted, unwritten = issue(tenant_id, pending, tenant, awards=awards, clock=clock)
        except Exception:
            logger.exception("granting course awards failed; their events will be redelivered")
            unwritten = {intent.key.user_id for intent, _ in pending}
        outcome.granted += granted
        for user_id in unwritten:
            outcome.failed |= set(events_of[user_id])
    try:
        failing |= _failed_since(tenant_id, granted, courses)
        _revoke(tenant_id, failing, awards=awards, clock=clock)
    except Exception:
        logger.exception("revoking the awards of failed results failed; events redelivered")
        outcome.failed |= {e for key in failing for e in events_of[key.user_id]}


def _failed_keys(enrollment: Enrollment) -> set[AwardKey]:
    """The award keys of this enrolment's achievements an admin failed (at the result's round)."""
    return {
        AwardKey(enrollment.user_id, a, course_period(enrollment.course_event_id, r.round), 1)
        for a, r in enrollment.results.items()
        if r.outcome is Outcome.FAIL
    }


def _failed_since(
    tenant_id: str, granted: Sequence[Award], courses: CourseRepository
) -> set[AwardKey]:
    """The awards just granted whose learner an admin failed meanwhile.

    The evaluator writes the award, then reads the results; an admin's fail writes the result,
    then reads the award: whichever comes second sees the other's write, so a fail racing the
    automatic award never leaves it active (both revoking is a ConflictError for one of them).
    """
    learners: dict[str, set[str]] = defaultdict(set)
    for award in granted:
        course_event_id = course_event_of_period(award.period_key)
        if course_event_id is not None:
            learners[course_event_id].add(award.user_id)
    failing: set[AwardKey] = set()
    for course_event_id, user_ids in learners.items():
        for enrollment in courses.enrollments(tenant_id, course_event_id, user_ids).values():
            failing |= _failed_keys(enrollment)
    return failing & {award.key for award in granted}


def _revoke(
    tenant_id: str, keys: Iterable[AwardKey], *, awards: AwardRepository, clock: Clock
) -> list[Award]:
    """Revoke the active awards of these keys (ledger reversal, announced); the awards revoked.
    One revoked meanwhile (a racing request, or the evaluator) stays revoked once."""
    wanted = sorted(keys)
    current = awards.get_awards(tenant_id, wanted) if wanted else {}
    revoked = []
    for key in wanted:
        award = current.get(key)
        if award is None or award.status is AwardStatus.REVOKED:
            continue
        course_event_id = course_event_of_period(key.period_key)
        reason = f"course event {course_event_id}: result changed to fail"
        with contextlib.suppress(ConflictError):
            revoked.append(awards.revoke(tenant_id, award, reason=reason, at=clock.now()))
    return revoked


def _live(tenant: TenantConfig) -> dict[str, Achievement]:
    return {
        a.achievement_id: a
        for a in tenant.achievements
        if a.enabled and a.type is AchievementType.COURSE_COMPLETION
    }


def _course_intents(
    user_id: str,
    course_event: CourseEvent,
    template: CourseTemplate,
    achievement_ids: Iterable[str],
    live: Mapping[str, Achievement],
    event_id: str | None,
    rounds: Mapping[str, int] | None = None,
) -> Pending:
    issuer = course_event.issuer(template)
    pending: Pending = []
    for achievement_id in achievement_ids:
        achievement = live.get(achievement_id)
        if achievement is None:
            continue  # disabled (or no longer a course completion): grants nothing
        period = course_period(course_event.course_event_id, (rounds or {}).get(achievement_id, 0))
        key = AwardKey(user_id, achievement_id, period, 1)
        pending.append((AwardIntent(key, achievement, event_id), issuer))
    return pending


def _path_intents(
    user_id: str,
    completed: frozenset[str],
    paths: Iterable[LearningPath],
    live: Mapping[str, Achievement],
    event_id: str | None,
) -> Pending:
    pending: Pending = []
    for path in paths:
        if not path.completed_by(completed):
            continue
        for achievement_id in path.achievements:
            achievement = live.get(achievement_id)
            if achievement is not None:
                key = AwardKey(user_id, achievement_id, path_period(path.path_id), 1)
                pending.append((AwardIntent(key, achievement, event_id), path.issuer))
    return pending


def issue(
    tenant_id: str,
    pending: Pending,
    tenant: TenantConfig,
    *,
    awards: AwardRepository,
    clock: Clock,
) -> tuple[list[Award], set[str]]:
    """Grant the course and path awards not held yet, through the grant path every award takes
    (points, ledger, summaries; announced from the stream): the awards written, and the users
    whose awards could not be. The one place course awards are written, with their issuer."""
    wanted = {intent.key: (intent, issuer) for intent, issuer in pending}
    holdings = awards.holdings(tenant_id, list(wanted))
    settings = tenant.settings
    tz, now = zone(settings.timezone), clock.now()
    per_user: dict[str, list[Award]] = defaultdict(list)
    issuers: dict[str, Issuer] = {}
    for key, (intent, issuer) in sorted(wanted.items()):
        if key not in holdings.held:
            award = intent.to_award(now, coins_enabled=settings.features.coins, tz=tz)
            per_user[key.user_id].append(award.model_copy(update={"issued_by": issuer.ref}))
            issuers[issuer.ref] = issuer
    if not per_user:
        return [], set()
    to_grant = AwardsToGrant(per_user, holdings, issuers)
    try:
        together = awards.grant_together(tenant_id, to_grant)
    except Exception:  # whether it committed is unknown: grant user by user (free keys only)
        logger.exception("granting course awards together failed; granting user by user")
        together = to_grant.none_written()
    granted, failed = list(together.granted), set()
    for user_id in sorted(together.unwritten):
        # One grant per issuer: its code and custom fields number the awards of its sequence.
        by_issuer: dict[str, list[Award]] = defaultdict(list)
        for award in per_user[user_id]:
            by_issuer[award.issued_by or ""].append(award)
        try:
            for ref, batch in sorted(by_issuer.items()):
                granted += awards.grant(tenant_id, user_id, batch, issuer=issuers[ref])
        except Exception:
            logger.exception("granting a course award failed")
            failed.add(user_id)
    return granted, failed


# --- manual results ---------------------------------------------------------------------------


class ResultRow(NamedTuple):
    """One row of a results request: a learner's pass or fail for one achievement of the
    course event, or (no achievement) for each of its pass achievements."""

    user_id: str
    outcome: Outcome
    achievement_id: str | None = None


@dataclass
class ResultsOutcome:
    recorded: int = 0
    granted: list[Award] = field(default_factory=list)
    revoked: list[Award] = field(default_factory=list)


def set_results(
    tenant_id: str,
    course_event_id: str,
    rows: Sequence[ResultRow],
    *,
    set_by: str,
    courses: CourseRepository,
    config: ConfigRepository,
    awards: AwardRepository,
    clock: Clock,
) -> ResultsOutcome:
    """Record admins' pass and fail results for learners of a course event, in bulk.

    A pass grants the achievement (once, however often it is sent); a fail records the outcome
    and revokes the award of that achievement for this course event if one is active (a pass
    changed to a fail, or an automatic award overruled); a pass after such a revoke issues a new
    award. Sending the same results again changes nothing more.
    """
    course_event, template = _course_event(tenant_id, course_event_id, courses)
    rules = course_event.rules(template)
    wanted = _wanted(rows, rules)
    now = clock.now()
    before = courses.enrollments(tenant_id, course_event_id, wanted)
    prior = {
        (user_id, achievement_id): _round(before.get(user_id), achievement_id)
        for user_id, outcomes in wanted.items()
        for achievement_id in outcomes
    }
    held = awards.get_awards(
        tenant_id,
        [AwardKey(u, a, course_period(course_event_id, r), 1) for (u, a), r in prior.items()],
    )

    def held_at(user_id: str, achievement_id: str) -> Award | None:
        round_ = prior[(user_id, achievement_id)]
        return held.get(
            AwardKey(user_id, achievement_id, course_period(course_event_id, round_), 1)
        )

    results: dict[str, dict[str, ManualResult]] = defaultdict(dict)
    for user_id, outcomes in wanted.items():
        for achievement_id, given in outcomes.items():
            round_ = prior[(user_id, achievement_id)]
            award = held_at(user_id, achievement_id)
            if given is Outcome.PASS and award and award.status is AwardStatus.REVOKED:
                round_ += 1  # the award a fail revoked stays revoked: a pass issues a new one
            results[user_id][achievement_id] = ManualResult(
                outcome=given, round=round_, set_by=set_by, set_at=now
            )
    after = courses.record_results(tenant_id, course_event_id, results)
    outcome = ResultsOutcome(recorded=sum(len(r) for r in results.values()))
    tenant = config.get_config(tenant_id)
    live = _live(tenant)
    pending: Pending = []
    finished = []
    for user_id, by_achievement in sorted(results.items()):
        passed = [a for a, r in by_achievement.items() if r.outcome is Outcome.PASS]
        rounds = {a: r.round for a, r in by_achievement.items()}
        pending += _course_intents(user_id, course_event, template, passed, live, None, rounds)
        if passed and course_done(rules, course_event.sessions, after[user_id]):
            finished.append(user_id)
    if finished:
        completed = courses.complete_courses(tenant_id, template.template_id, finished)
        paths = courses.paths(tenant_id)
        for user_id in finished:
            pending += _path_intents(user_id, completed[user_id], paths, live, None)
    if pending:
        outcome.granted, unwritten = issue(tenant_id, pending, tenant, awards=awards, clock=clock)
        if unwritten:
            raise RuntimeError(f"{len(unwritten)} learners' awards not written; send them again")
    # Read after the results are written (see _failed_since): an automatic award granted
    # since is seen here, and revoked.
    failing = {key for u in results for key in _failed_keys(after[u])}
    outcome.revoked = _revoke(tenant_id, failing, awards=awards, clock=clock)
    return outcome


def _wanted(rows: Sequence[ResultRow], rules: CourseRules) -> dict[str, dict[str, Outcome]]:
    wanted: dict[str, dict[str, Outcome]] = defaultdict(dict)
    for index, row in enumerate(rows):
        if row.achievement_id is not None:
            if rules.rule_of(row.achievement_id) is None:
                raise InvalidInputError(
                    f"results[{index}].achievement_id",
                    f"{row.achievement_id!r} is not an achievement of this course event",
                )
            ids = [row.achievement_id]
        else:
            ids = rules.pass_achievements()
            if not ids:
                raise InvalidInputError(
                    f"results[{index}].achievement_id",
                    "this course event has no pass achievement: name the achievement",
                )
        for achievement_id in ids:
            if achievement_id in wanted[row.user_id]:
                raise InvalidInputError(
                    f"results[{index}]",
                    f"a second result for {row.user_id!r} and {achievement_id!r}",
                )
            wanted[row.user_id][achievement_id] = row.outcome
    return dict(wanted)


def _round(enrollment: Enrollment | None, achievement_id: str) -> int:
    result = enrollment.results.get(achievement_id) if enrollment else None
    return result.round if result else 0


def _course_event(
    tenant_id: str, course_event_id: str, courses: CourseRepository
) -> tuple[CourseEvent, CourseTemplate]:
    course_event = get_course_event(tenant_id, course_event_id, courses=courses)
    # Templates are never deleted: a course event's template is always found.
    return course_event, get_template(tenant_id, course_event.template_id, courses=courses)


@dataclass(frozen=True)
class AchievementStatus:
    """One achievement of a course event, for one learner: the admins' result (pass, fail or
    null: none) and the award of it as shown now (active, expired, revoked; null: not awarded)."""

    achievement_id: str
    rule: str
    outcome: Outcome | None
    status: AwardStatus | None
    award_id: str | None


@dataclass(frozen=True)
class LearnerResults:
    user_id: str
    registered: bool
    completion: int
    attended: list[str]
    invoice_paid: bool
    complete: bool
    achievements: list[AchievementStatus]


def results_page(
    tenant_id: str,
    course_event_id: str,
    *,
    page: PageRequest,
    courses: CourseRepository,
    awards: AwardRepository,
    clock: Clock,
) -> Page[LearnerResults]:
    """The course event's learners by user id, each with their status per achievement."""
    course_event, template = _course_event(tenant_id, course_event_id, courses)
    rules = course_event.rules(template)
    found = courses.enrollments_page(tenant_id, course_event_id, limit=page.limit, after=page.after)
    keys = {
        (e.user_id, a.achievement_id): AwardKey(
            e.user_id,
            a.achievement_id,
            course_period(course_event_id, _round(e, a.achievement_id)),
            1,
        )
        for e in found.items
        for a in rules.achievements
    }
    held = awards.get_awards(tenant_id, keys.values()) if keys else {}
    now = clock.now()
    views = []
    for enrollment in found.items:
        statuses = []
        for course_achievement in rules.achievements:
            achievement_id = course_achievement.achievement_id
            award = held.get(keys[(enrollment.user_id, achievement_id)])
            result = enrollment.results.get(achievement_id)
            statuses.append(
                AchievementStatus(
                    achievement_id=achievement_id,
                    rule=course_achievement.rule.value,
                    outcome=result.outcome if result else None,
                    status=award.status_at(now) if award else None,
                    award_id=award.award_id if award else None,
                )
            )
        views.append(
            LearnerResults(
                user_id=enrollment.user_id,
                registered=enrollment.registered,
                completion=enrollment.completion,
                attended=sorted(enrollment.attended),
                invoice_paid=enrollment.invoice_paid,
                complete=course_done(rules, course_event.sessions, enrollment),
                achievements=statuses,
            )
        )
    return Page(views, found.next)
