"""Ports: the small interfaces services depend on. Each has a DynamoDB/SNS adapter and a fake.

Immutable values are ``typing.NamedTuple``, not frozen dataclasses: creating a frozen dataclass
costs 0.65 ms on Python 3.11 and 0.94 ms on 3.13 (six methods, each compiled with ``exec``), a
NamedTuple 0.09 ms, and each handler's first call paid 25-46 ms for Accolade's dataclasses
(issue 9). A NamedTuple compares equal to any tuple of the same values and serializes as a list:
values that are compared across classes or dumped as mappings stay dataclasses, and mutable
accumulators (``ApplyOutcome``, ``BatchGrant``) are plain classes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from typing import (
    TYPE_CHECKING,
    Any,
    Generic,
    NamedTuple,
    Protocol,
    TypeAlias,
    TypedDict,
    TypeVar,
    Unpack,
)

from accolade.domain.limits import MAX_ACHIEVEMENTS, MAX_GOALS_PER_USER, PAGE_SIZE_DEFAULT

if TYPE_CHECKING:
    # Named in signatures only: a handler loads the domain modules its own path uses, not every
    # one a port mentions (issue 9, first invocation).
    from accolade.domain import audit, courses
    from accolade.domain.badges import CustomBadge
    from accolade.domain.certificates import CertificateContent
    from accolade.domain.closing import TenantCloses
    from accolade.domain.exports import Export, ExportFilters
    from accolade.domain.models import (
        Achievement,
        AchievementSummary,
        ActivityEvent,
        Award,
        AwardKey,
        AwardStatus,
        CounterKey,
        Goal,
        Issuer,
        LedgerEntry,
        Message,
        MessageType,
        Metric,
        Slot,
        TenantSettings,
        UserProfile,
        Wallet,
    )
    from accolade.domain.openbadges import CredentialRecord
    from accolade.domain.projects import FirstActivity, Project
    from accolade.domain.rules import AchievementIndex, Standing
    from accolade.domain.sequences import Numbering

T = TypeVar("T")


class Page(NamedTuple, Generic[T]):
    """One page of a list, and where the next one starts (None on the last page).

    A position is opaque outside the adapter that made it (a sort key, or an offset into a
    computed list); the HTTP layer binds it to the caller and the list before handing it out.
    A position that is not one of the list's raises InvalidCursorError, before any read.
    """

    items: list[T]
    next: str | None = None


class PageRequest(NamedTuple):
    """The page a caller asks a list for: at most ``limit`` items, starting after the position
    ``after`` (a previous page's ``next``; None: the first page)."""

    limit: int = PAGE_SIZE_DEFAULT
    after: str | None = None


FIRST_PAGE = PageRequest()


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class TenantConfig:
    """Everything evaluation needs to know about a tenant, read in one query."""

    settings: TenantSettings
    metrics: tuple[Metric, ...] = ()
    achievements: tuple[Achievement, ...] = ()
    # Grows with every metric write: rules over all metrics are checked against one revision.
    metrics_revision: int = 0

    @cached_property
    def index(self) -> AchievementIndex:
        """The achievements by the event type that moves them, built once per configuration
        (which evaluation keeps across invocations while it is unchanged)."""
        from accolade.domain.rules import AchievementIndex  # the evaluator's alone: loaded there

        return AchievementIndex.build(self.achievements, self.metrics)


class PeriodTopTenant(NamedTuple):
    """A tenant with period-winner achievements, and the settings that say when its periods close."""

    tenant_id: str
    settings: TenantSettings
    achievements: tuple[Achievement, ...]


class ConfigRepository(Protocol):
    def get_config(self, tenant_id: str) -> TenantConfig: ...
    def put_settings(self, tenant_id: str, settings: TenantSettings) -> None: ...
    def put_metric(self, tenant_id: str, metric: Metric, *, expected_revision: int) -> None:
        """Store the metric if no other metric write came since ``expected_revision``;
        ConflictError otherwise."""
        ...

    def get_metric(self, tenant_id: str, metric_id: str) -> Metric | None: ...
    def metrics_page(self, tenant_id: str, *, limit: int, after: str | None) -> Page[Metric]:
        """The tenant's metrics by id."""
        ...

    def create_achievement(
        self, tenant_id: str, achievement: Achievement, *, cap: int = MAX_ACHIEVEMENTS
    ) -> bool:
        """Create; False (nothing stored) when the tenant already has ``cap`` achievements.

        The count and the create commit together, so racing creators never pass the cap.
        """
        ...

    def get_achievement(self, tenant_id: str, achievement_id: str) -> Achievement | None: ...
    def achievements_page(
        self, tenant_id: str, *, limit: int, after: str | None
    ) -> Page[Achievement]:
        """The tenant's achievements by id."""
        ...

    def period_top_tenants(self) -> list[PeriodTopTenant]:
        """Every tenant with a period-winner achievement, across tenants, with its settings:
        one listing, no read per tenant."""
        ...

    def replace_achievement(
        self, tenant_id: str, achievement: Achievement, *, expected_version: int
    ) -> None:
        """Store a new version; ConflictError when another edit got there first."""
        ...


class UserRepository(Protocol):
    def put_user(self, tenant_id: str, user: UserProfile) -> None:
        """Store the profile an admin sets; the featured award stays as the user set it."""
        ...

    def set_featured(self, tenant_id: str, user_id: str, award_id: str | None) -> None:
        """Feature one of the user's awards next to their name (None: none)."""
        ...

    def get_users(self, tenant_id: str, user_ids: Iterable[str]) -> dict[str, UserProfile]: ...


class EventRepository(Protocol):
    def add_new(self, tenant_id: str, events: Sequence[ActivityEvent]) -> set[str]:
        """Store the events whose id is new; return the ids already stored with the same payload.

        All or nothing: when an id is stored with another payload, raise ConflictError and store
        none of the batch.
        """
        ...


class EventDeltas(NamedTuple):
    """One event's counter changes, and its position in its user's stream.

    The stream hands a user's events over in the order they were stored, each at a position
    that only grows, and never an event before those stored ahead of it were evaluated; a counter
    keeps the position of the last event it counted, so an event at or below it is counted.
    """

    event_id: str
    position: int
    deltas: Mapping[CounterKey, Decimal]
    # The counters whose (metric, period) is ranked: only these are written to the Leaderboard.
    ranked: frozenset[CounterKey] = frozenset()


class ApplyOutcome:
    """What an apply of counter changes did."""

    def __init__(self) -> None:
        # Events with a counter that could not be written (throttled, raced too often): retry them.
        self.failed: set[str] = set()
        # Every moved counter's total after this apply (also where an earlier delivery counted
        # the events), so the evaluator reads none of them again.
        self.values: dict[CounterKey, Decimal] = {}


class ProgressRepository(Protocol):
    def apply(self, tenant_id: str, changes: Sequence[EventDeltas], at: datetime) -> ApplyOutcome:
        """Count each event once per counter: only the events past the counter's applied
        position move it, and the counter's new total and position are written together."""
        ...

    def counters(self, tenant_id: str, keys: Iterable[CounterKey]) -> dict[CounterKey, Decimal]: ...


class Holdings(NamedTuple):
    """Which of the asked award keys are held, and, as read with them (one request), the
    wallets of their users and their summaries of the achievements asked: a grant credits a
    wallet and counts a summary from this reading, on the condition that it is still current."""

    held: set[AwardKey]
    wallets: Mapping[str, Wallet]
    # (user, achievement) -> the summary and its version (0: none stored yet).
    summaries: Mapping[tuple[str, str], tuple[AchievementSummary, int]]


class UserAwardsQuery(NamedTuple):
    """A page of a user's awards, revoked ones too, by (achievement, period, level): only those
    shown with ``status`` at ``now`` when given, after a position."""

    user_id: str
    status: AwardStatus | None
    now: datetime
    limit: int
    after: str | None = None


class HoldersQuery(NamedTuple):
    """A page of an achievement's awards: ``status`` as shown at ``now`` (expired is an active
    award whose validity has passed), after a position."""

    achievement_id: str
    status: AwardStatus | None
    now: datetime
    limit: int
    after: str | None = None


class AwardsToGrant(NamedTuple):
    """Several users' awards to grant together, the holdings read with their keys (each write is
    conditional on them still being current), and the issuers the awards' ``issued_by`` name."""

    by_user: Mapping[str, Sequence[Award]]
    holdings: Holdings
    issuers: Mapping[str, Issuer] | None = None

    def none_written(self) -> BatchGrant:
        """The outcome of a grant that wrote none of it: every user to grant one by one."""
        return BatchGrant(unwritten=set(self.by_user))


class GrantTerms(TypedDict, total=False):
    """The keyword options of ``AwardRepository.grant`` (its docstring says what each does)."""

    slot: Slot | None
    issuer: Issuer | None


class BatchGrant:
    """What a grant of several users' awards wrote."""

    def __init__(self, unwritten: set[str] | None = None) -> None:
        self.granted: list[Award] = []
        # Users none of whose awards were written (a race, a throttle): grant them one by one.
        self.unwritten: set[str] = unwritten or set()


class AwardRepository(Protocol):
    def holdings(self, tenant_id: str, keys: Iterable[AwardKey]) -> Holdings: ...

    def grant_together(self, tenant_id: str, batch: AwardsToGrant) -> BatchGrant:
        """Write several users' awards, ledger entries, wallets and summaries in as few
        transactions as they fit, each conditional on ``batch.holdings`` still being current.
        A transaction that does not commit writes nothing: its users come back unwritten.
        Awards numbered from a sequence take consecutive numbers, merged with the fields of the
        issuer ``batch.issuers`` holds under their ``issued_by``."""
        ...

    def grant(
        self, tenant_id: str, user_id: str, awards: Sequence[Award], **terms: Unpack[GrantTerms]
    ) -> list[Award]:
        """Write the awards whose key is free, crediting the wallet (read now) with a ledger
        entry each. Returns the awards this call wrote; awards another writer already holds are
        skipped. ``slot`` is what only one grant may ever take, whoever the user: when taken,
        nothing is written. ``issuer`` (a course event, a learning path) goes into each award's
        ``issued_by`` and gives its sequence format's merge fields. An award with a
        ``sequence_id`` takes the sequence's next number in the same transaction (its
        ``identifier``): numbers are gap-free and never taken twice."""
        ...

    def award_by_identifier(self, tenant_id: str, identifier: str) -> Award | None:
        """The award that holds ``identifier``; None when none does."""
        ...

    def request_certificate(self, tenant_id: str, award: Award, at: datetime) -> bool:
        """Mark the award's certificate pending again (to be rendered anew); False when the
        award is revoked or has no certificate."""
        ...

    def user_awards(self, tenant_id: str, user_id: str) -> list[Award]:
        """Every award of the user."""
        ...

    def get_award(self, tenant_id: str, key: AwardKey) -> Award | None: ...

    def get_awards(self, tenant_id: str, keys: Iterable[AwardKey]) -> dict[AwardKey, Award]:
        """The awards of these keys that exist (one BatchGetItem per 100)."""
        ...

    def summaries_of(
        self, tenant_id: str, pairs: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], AchievementSummary]:
        """The summaries of these (user, achievement) pairs that exist."""
        ...

    def revoke(
        self, tenant_id: str, award: Award, *, reason: str, at: datetime, slot: Slot | None = None
    ) -> Award:
        """Mark the award revoked (and its certificate, if any), take its points and coins back
        with a ledger entry, count it out of the user's summary and free ``slot`` (a record's or
        membership's period) in one transaction. ConflictError when it is revoked already (also by a racing revoke)."""
        ...

    def holders_page(self, tenant_id: str, query: HoldersQuery) -> Page[Award]:
        """An achievement's awards, newest first, as ``query`` asks."""
        ...

    def awards_page(
        self, tenant_id: str, user_id: str, *, limit: int, after: str | None
    ) -> Page[Award]:
        """The user's awards that are not revoked, by (achievement, period, level)."""
        ...

    def record_certificate(self, tenant_id: str, award: Award, key: str) -> bool:
        """Mark a pending certificate issued at ``key``; False when it was already issued."""
        ...

    def set_valid_until(self, tenant_id: str, award: Award, valid_until: datetime | None) -> Award:
        """Change an active award's expiry, with what follows from it (the user's summary, the
        expiry index entry) in one transaction; ConflictError when it is revoked."""
        ...

    def user_awards_page(self, tenant_id: str, query: UserAwardsQuery) -> Page[Award]: ...

    def expiring_tenants(self) -> list[str]:
        """Every tenant that may have awards with an expiry (one listing, across tenants)."""
        ...

    def expiring(self, tenant_id: str, after: datetime, until: datetime) -> list[Award]:
        """The tenant's active awards whose ``valid_until`` is in (after, until] and whose
        holder has not been told yet for that date (nor been renewed), soonest first."""
        ...

    def record_expiry_notice(self, tenant_id: str, award: Award, message: Message) -> bool:
        """Store the holder's notice and mark the award told, together; False (nothing stored)
        when it was told already for this expiry, or its expiry changed or it was revoked."""
        ...

    def wallet(self, tenant_id: str, user_id: str) -> Wallet: ...
    def ledger(
        self, tenant_id: str, user_id: str, *, limit: int, after: str | None = None
    ) -> Page[LedgerEntry]:
        """The user's ledger in sequence order."""
        ...


class ProjectRepository(Protocol):
    """Projects and the first activity of each achievement in them (``domain/projects.py``).

    Both writes return the project as it is right after them (one item, written atomically):
    a claim made before the registration is in what the registration returns, and a claim made
    after it sees the registration; so whichever comes second settles the award.
    """

    def register(self, tenant_id: str, project_id: str, created_at: datetime) -> Project:
        """Record the project's creation; the first registration's time stays."""
        ...

    def projects(self, tenant_id: str, project_ids: Iterable[str]) -> dict[str, Project]:
        """The projects as stored now (strongly consistent); one never written is absent."""
        ...

    def claim(
        self, tenant_id: str, project: Project, achievement_id: str, first: FirstActivity
    ) -> Project:
        """Record ``first`` as the achievement's first activity in the project unless one is
        recorded already (``project`` is the project as read: when it changed meanwhile, it is
        read again). Returns the project after: its first activity is this one or an earlier
        claim's."""
        ...


class GoalRepository(Protocol):
    def goals_of(self, tenant_id: str, user_ids: Iterable[str]) -> dict[str, list[Goal]]:
        """The goals of each of these users who has any, by goal id (one read per 100 users)."""
        ...

    def put_goal(self, tenant_id: str, goal: Goal, *, cap: int = MAX_GOALS_PER_USER) -> bool:
        """Create or replace the user's goal; False (nothing stored) when it is new and the
        user already has ``cap`` goals. Racing writers never pass the cap or lose a goal."""
        ...

    def delete_goal(self, tenant_id: str, user_id: str, goal_id: str) -> bool:
        """Remove the goal; False when the user has no such goal."""
        ...


class AnnouncementLeasedError(Exception):
    """Another deliverer holds the lease on this announcement; retry once the lease has run out."""

    def __init__(self, message: str, *, until: datetime | None = None) -> None:
        super().__init__(message)
        self.until = until


class InboxQuery(NamedTuple):
    """Which page of an inbox: at most ``limit`` messages after ``after`` (the sort key of the
    last message of the previous page), only messages of ``message_type`` and, when ``unread``
    is given, only unread (True) or read (False) ones."""

    limit: int
    after: str | None = None
    message_type: MessageType | None = None
    unread: bool | None = None


class InboxRepository(Protocol):
    def add(self, tenant_id: str, message: Message) -> bool:
        """Store the message once; False when a message with that id is already there."""
        ...

    def claim_announcement(self, tenant_id: str, message: Message, lease_until: datetime) -> bool:
        """Take the right to announce; False when already announced.

        Raises AnnouncementLeasedError while another deliverer's lease runs: that deliverer may
        have died before publishing, so the stream record must be retried, not acknowledged.
        """
        ...

    def mark_announced(self, tenant_id: str, message: Message, at: datetime) -> None: ...
    def release_announcement(self, tenant_id: str, message: Message) -> None: ...
    def messages(self, tenant_id: str, user_id: str, query: InboxQuery) -> Page[Message]:
        """A page of the user's inbox, newest first (by ``created_at``, then message id)."""
        ...

    def mark_read(
        self, tenant_id: str, user_id: str, message_id: str, at: datetime
    ) -> Message | None:
        """Mark the user's message read (once: marking it again keeps the first time); None
        when the user has no message of that id."""
        ...


class Notifier(Protocol):
    def publish(
        self, subject: str, payload: Mapping[str, Any], attributes: Mapping[str, str]
    ) -> None: ...


class LeaderboardRepository(Protocol):
    def standings(
        self, tenant_id: str, metric_id: str, period_key: str, limit: int
    ) -> list[Standing]:
        """The top of a (metric, period) leaderboard, highest score first."""
        ...


class WinnersQueue(Protocol):
    def send(self, work: Sequence[TenantCloses]) -> None:
        """Hand each tenant's closes to its own invocation (at least once)."""
        ...


class SequenceRepository(Protocol):
    def get_sequence(self, tenant_id: str, sequence_id: str) -> Numbering | None: ...

    def put_sequence(
        self, tenant_id: str, numbering: Numbering, *, expected: Numbering | None
    ) -> None:
        """Store the numbering if the stored one is still ``expected`` (None: none stored);
        ConflictError otherwise (an award took a number, or another edit came first)."""
        ...


class CertificateRenderer(Protocol):
    def render(self, content: CertificateContent) -> bytes:
        """The certificate as PDF bytes."""
        ...


class DocumentStore(Protocol):
    def put_certificate(self, tenant_id: str, award: Award, pdf: bytes) -> str:
        """Store the award's certificate under a key fixed by the award; returns the key."""
        ...

    def url(self, key: str, expires_in: int = 3600) -> str: ...


# Manual results by user id, then achievement id.
LearnerResults: TypeAlias = "Mapping[str, Mapping[str, courses.ManualResult]]"


class CourseRepository(Protocol):
    """Course templates, course events, learning paths, and learners' enrolments in course events
    (``domain/courses.py``)."""

    def put_template(self, tenant_id: str, template: courses.CourseTemplate) -> None: ...
    def get_template(self, tenant_id: str, template_id: str) -> courses.CourseTemplate | None: ...
    def templates(
        self, tenant_id: str, template_ids: Iterable[str]
    ) -> dict[str, courses.CourseTemplate]:
        """The templates of these ids that exist (strongly consistent)."""
        ...

    def put_course_event(self, tenant_id: str, course_event: courses.CourseEvent) -> None: ...
    def get_course_event(
        self, tenant_id: str, course_event_id: str
    ) -> courses.CourseEvent | None: ...
    def course_events(
        self, tenant_id: str, course_event_ids: Iterable[str]
    ) -> dict[str, courses.CourseEvent]:
        """The course events of these ids that exist (strongly consistent)."""
        ...

    def put_path(self, tenant_id: str, path: courses.LearningPath) -> None: ...
    def get_path(self, tenant_id: str, path_id: str) -> courses.LearningPath | None: ...
    def paths(self, tenant_id: str) -> list[courses.LearningPath]:
        """Every learning path of the tenant."""
        ...

    def record_progress(
        self, tenant_id: str, user_id: str, course_event_id: str, progress: courses.Progress
    ) -> courses.Enrollment:
        """Add ``progress`` to the learner's enrolment (unions and maxima only, so the same
        progress added twice, or in any order, leaves the same enrolment); the whole enrolment
        after."""
        ...

    def enrollments(
        self, tenant_id: str, course_event_id: str, user_ids: Iterable[str]
    ) -> dict[str, courses.Enrollment]:
        """The enrolments of these learners in the course event that exist (strongly consistent)."""
        ...

    def record_results(
        self, tenant_id: str, course_event_id: str, results: LearnerResults
    ) -> dict[str, courses.Enrollment]:
        """Set each learner's results (by user id, then achievement id), leaving their progress
        and other results as they are; the enrolments after."""
        ...

    def enrollments_page(
        self, tenant_id: str, course_event_id: str, *, limit: int, after: str | None
    ) -> Page[courses.Enrollment]:
        """The course event's enrolments by user id."""
        ...

    def complete_courses(
        self, tenant_id: str, template_id: str, user_ids: Iterable[str]
    ) -> dict[str, frozenset[str]]:
        """Record that these learners completed a course of ``template_id`` (a set union, so
        again is nothing new); each learner's completed templates, this one included."""
        ...


class EventWindow(NamedTuple):
    """Events of ``event_type`` that occurred in [start, end), at most ``limit`` of them."""

    event_type: str
    start: datetime
    end: datetime
    limit: int


class Diagnostics(Protocol):
    """What sync, dry run and explain read that evaluation does not (``services/diagnose.py``)."""

    def newest_events(
        self, tenant_id: str, user_id: str, window: EventWindow
    ) -> list[ActivityEvent]:
        """The user's newest events in ``window``, newest first (one bounded query)."""
        ...

    def has_events(self, tenant_id: str, user_id: str) -> bool:
        """Whether the user sent any event (one read of at most one item)."""
        ...

    def slot_holders(self, tenant_id: str, slots: Iterable[Slot]) -> dict[Slot, str]:
        """The award id holding each of these slots (records, memberships) that is held."""


# --- custom badges -----------------------------------------------------------------------------


class BadgeRepository(Protocol):
    def add_badge(self, tenant_id: str, badge: CustomBadge) -> None:
        """Store a new pending badge (its id is new: a put that overwrites nothing)."""
        ...

    def get_badge(self, tenant_id: str, badge_id: str) -> CustomBadge | None:
        """The badge, read strongly consistent (an admin validates it right after uploading)."""
        ...

    def badges_page(self, tenant_id: str, *, limit: int, after: str | None) -> Page[CustomBadge]:
        """The tenant's badges by id."""
        ...

    def settle_badge(self, tenant_id: str, badge: CustomBadge) -> bool:
        """Store ``badge``'s ready or invalid status if it is still pending; False (nothing
        written) when another validation settled it first."""
        ...


class UploadForm(NamedTuple):
    """A browser form's target: POST ``fields`` and then the file to ``url``."""

    url: str
    fields: dict[str, str]


class UploadPolicy(NamedTuple):
    """What an upload form lets a browser store: one file of ``content_type`` and
    1-``max_bytes`` bytes, for ``expires_in`` seconds."""

    content_type: str
    max_bytes: int
    expires_in: int


class StoredFile(NamedTuple):
    data: bytes  # at most the bytes asked for, plus one (so "too large" shows)
    etag: str


class BadgeFileStore(Protocol):
    """The images of custom badges, each named by (tenant, badge, level): an upload first, then,
    once validated, the published copy that links point to."""

    def upload_form(
        self, tenant_id: str, badge_id: str, level: int, policy: UploadPolicy
    ) -> UploadForm:
        """A presigned POST that stores one file the ``policy`` allows as the level's upload."""
        ...

    def read_upload(
        self, tenant_id: str, badge_id: str, level: int, max_bytes: int
    ) -> StoredFile | None:
        """The first ``max_bytes`` + 1 bytes of the level's upload and its ETag; None when
        absent."""
        ...

    def publish(
        self, tenant_id: str, badge_id: str, level: int, etag: str, content_type: str
    ) -> bool:
        """Copy the level's upload to where links point, if it is still the version ``etag``
        names (its link may replace it after it was read); False when it changed or is gone."""
        ...

    def link(self, tenant_id: str, badge_id: str, level: int, expires_in: int) -> str:
        """A presigned GET of the level's published image."""
        ...


class BadgeImageInspector(Protocol):
    def problem(self, data: bytes, content_type: str) -> str | None:
        """What is wrong with an uploaded badge image declared ``content_type`` (its type by
        its bytes, its size, its dimensions, active content in an SVG); None when it is fine."""
        ...


# ---------------------------------------------------------------- Open Badges 3.0 credentials


class IssuerKey(NamedTuple):
    """One of a tenant's signing keys: its public JWK and its private key sealed (encrypted
    under the stack's KMS key, bound to the tenant and key id), never stored in the clear."""

    key_id: str
    public_jwk: dict[str, Any]
    sealed_private_key: bytes
    created_at: datetime


class KeyRing(Protocol):
    """Makes, seals and uses issuer keys (a JOSE library and KMS)."""

    def new_key(self, tenant_id: str, key_id: str, created_at: datetime) -> IssuerKey:
        """A new key pair, its private key sealed for ``tenant_id`` and ``key_id``."""
        ...

    def sign(self, tenant_id: str, key: IssuerKey, kid: str, claims: dict[str, Any]) -> str:
        """``claims`` as a compact JWS (a VC-JWT) signed with ``key``, ``kid`` in its header."""
        ...


class CredentialRepository(Protocol):
    def active_key(self, tenant_id: str) -> IssuerKey | None: ...

    def keys(self, tenant_id: str) -> list[IssuerKey]:
        """Every key the tenant ever signed with, oldest first (its JWKS)."""
        ...

    def add_key(self, tenant_id: str, key: IssuerKey, *, replacing: str | None) -> bool:
        """Store ``key`` and make it the active one, on the condition that the active key is
        still ``replacing`` (None: that there is none yet). False, nothing stored, when another
        writer got there first."""
        ...

    def record_of(self, tenant_id: str, award: Award) -> CredentialRecord | None: ...

    def add_record(
        self, tenant_id: str, award: Award, make: Callable[[int], CredentialRecord]
    ) -> CredentialRecord | None:
        """The award's credential record: the stored one, else the one ``make`` builds with the
        next free status index, written with it on the condition that neither is taken and that
        the award is not revoked. None when the award is revoked (or gone)."""
        ...

    def revoked_offsets(self, tenant_id: str, status_list: int) -> set[int]: ...

    def mark_revoked(self, tenant_id: str, award_key: AwardKey) -> bool:
        """Set the status bit of the award's credential, if it has one; True when it has.
        Setting it again changes nothing."""
        ...


class SealedKeyError(Exception):
    """A sealed issuer key that cannot be opened any more (its KMS key gone or replaced)."""


class CompletionQuery(NamedTuple):
    """A page of the completion report: the achievement's distinct holders in ``scope`` (a
    period key, or ALL) per organisation, among the users of ``group`` (None: all users)."""

    achievement_id: str
    scope: str
    group: str | None
    limit: int
    after: str | None = None  # the last organisation of the previous page


class OrgCompletion(NamedTuple):
    org_id: str
    users: int
    earned: int

    @property
    def share(self) -> float:
        return round(self.earned / self.users, 4) if self.users else 0.0


class CompletionRepository(Protocol):
    """Counts kept on write for the completion report, so that reading it scans nothing."""

    def count_award(self, tenant_id: str, award: Award) -> None:
        """Count an active award for its holder once (in all time and in its period), or stop
        counting a revoked one; idempotent, whatever order and however often it is told."""
        ...

    def reconcile_user(self, tenant_id: str, user_id: str) -> None:
        """Move the user's counts to the organisation and groups of their profile as stored."""
        ...

    def completion(self, tenant_id: str, query: CompletionQuery) -> Page[OrgCompletion]:
        """A page of organisations (by id) with their users and the achievement's holders."""


class AuditLog(Protocol):
    """Who changed what and when (``domain.audit``): entries put once, read newest first."""

    def record(self, tenant_id: str, entry: audit.AuditEntry) -> bool:
        """Put ``entry`` under its id; False (nothing written) when it is there already."""
        ...

    def entries_page(self, tenant_id: str, query: audit.AuditQuery) -> Page[audit.AuditEntry]:
        """A page of the tenant's entries, newest first, of those the query's filters keep."""
        ...


# --- awards exports (a background job writing CSV) --------------------------------------------


class ExportRepository(Protocol):
    """Export items, and the awards an export reads (by the narrowest index its filters allow)."""

    def create(self, tenant_id: str, export: Export) -> None: ...
    def get(self, tenant_id: str, export_id: str) -> Export | None: ...
    def exports_page(self, tenant_id: str, *, limit: int, after: str | None) -> Page[Export]:
        """The tenant's exports, newest first."""
        ...

    def claim(self, tenant_id: str, export_id: str, attempt: str) -> Export | None:
        """Start ``attempt`` of a running export: its rows back to 0, its attempts one more; the
        export as claimed, or None when it is no longer running (done, failed, unknown)."""
        ...

    def progress(self, tenant_id: str, export_id: str, attempt: str, rows: int) -> bool:
        """Record ``rows`` written so far, while ``attempt`` is the export's current one."""
        ...

    def finish(
        self, tenant_id: str, export_id: str, attempt: str, rows: int, at: datetime
    ) -> bool: ...
    def fail(self, tenant_id: str, export_id: str, attempt: str, error: str, at: datetime) -> bool:
        """Mark the export failed with ``error``, while ``attempt`` is its current one."""
        ...

    def award_pages(
        self, tenant_id: str, achievement_ids: Sequence[str], filters: ExportFilters, now: datetime
    ) -> Iterable[list[Award]]:
        """The awards of these achievements matching ``filters`` but ``org_id`` (which the
        awards do not hold), achievement by achievement in award order, a page at a time."""
        ...


class ExportFiles(Protocol):
    """Where exports' CSV files go: written as a stream, read through short-lived links."""

    def write(self, tenant_id: str, export_id: str, chunks: Iterable[bytes]) -> None:
        """Store ``chunks`` as the export's file (replacing any earlier one), holding at most
        one part in memory; on failure nothing is stored."""
        ...

    def link(self, tenant_id: str, export_id: str, expires_in: int) -> str: ...
