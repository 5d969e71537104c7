"""In-memory fakes of every port in accolade.ports, with the DynamoDB adapters' semantics.

Each fake keeps the invariant its adapter enforces with a condition (unique award keys, an event
counted once by each counter, all-or-nothing event batches, a message announced once) and refuses what DynamoDB
refuses (the same item twice in one transaction). `FakeContainer` has the attributes of
`accolade.bootstrap.Container`, for `bootstrap.override()`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar, Unpack

from accolade.adapters.badge_images import PillowImageInspector
from accolade.adapters.dynamo import keys
from accolade.config import Settings
from accolade.domain import audit, courses, models
from accolade.domain.badges import BadgeStatus, CustomBadge
from accolade.domain.closing import TenantCloses
from accolade.domain.errors import ConflictError, InvalidCursorError, InvalidInputError
from accolade.domain.exports import Export, ExportFilters, ExportStatus
from accolade.domain.limits import MAX_ACHIEVEMENTS, MAX_GOALS_PER_USER
from accolade.domain.openbadges import CredentialRecord
from accolade.domain.periods import ALL_TIME_KEY, is_period_key
from accolade.domain.projects import FirstActivity, Project
from accolade.domain.rules import Standing, standing_order
from accolade.domain.sequences import Numbering
from accolade.ports import (
    AnnouncementLeasedError,
    ApplyOutcome,
    AwardsToGrant,
    BatchGrant,
    CompletionQuery,
    EventDeltas,
    EventWindow,
    GrantTerms,
    HoldersQuery,
    Holdings,
    InboxQuery,
    IssuerKey,
    LearnerResults,
    OrgCompletion,
    Page,
    PeriodTopTenant,
    SealedKeyError,
    StoredFile,
    TenantConfig,
    UploadForm,
    UploadPolicy,
    UserAwardsQuery,
)

T = TypeVar("T")
DEFAULT_NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


class FakeClock:
    """A clock that stands still until told otherwise."""

    def __init__(self, now: datetime = DEFAULT_NOW) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("the clock holds aware datetimes only")
        self._now = moment

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def _page(
    rows: Iterable[tuple[str, T]],
    prefix: str,
    *,
    limit: int,
    after: str | None,
    newest_first: bool = False,
) -> Page[T]:
    """A page as the adapter's Query gives it: rows keyed by the item's sort key, in sort-key
    order, starting after ``after``; a foreign position is refused like the adapter refuses it."""
    keys.page_start("PK", prefix, after)
    ordered = sorted(rows, key=lambda row: row[0], reverse=newest_first)
    if after is not None:
        ordered = [row for row in ordered if (row[0] < after if newest_first else row[0] > after)]
    if len(ordered) > limit:
        return Page([item for _, item in ordered[:limit]], ordered[limit - 1][0])
    return Page([item for _, item in ordered])


class FakeConfigRepository:
    """Settings, metrics and achievements per tenant; achievement writes are conditional."""

    def __init__(self) -> None:
        self._settings: dict[str, models.TenantSettings] = {}
        self._metrics: dict[str, dict[str, models.Metric]] = {}
        self._achievements: dict[str, dict[str, models.Achievement]] = {}
        self._metrics_revision: dict[str, int] = {}

    def get_config(self, tenant_id: str) -> TenantConfig:
        return TenantConfig(
            self._settings.get(tenant_id, models.TenantSettings()),
            tuple(self._metrics.get(tenant_id, {}).values()),
            tuple(self._achievements.get(tenant_id, {}).values()),
            self._metrics_revision.get(tenant_id, 0),
        )

    def put_settings(self, tenant_id: str, settings: models.TenantSettings) -> None:
        self._settings[tenant_id] = settings

    def put_metric(self, tenant_id: str, metric: models.Metric, *, expected_revision: int) -> None:
        if self._metrics_revision.get(tenant_id, 0) != expected_revision:
            raise ConflictError("the metrics were edited meanwhile; send the request again")
        self._metrics_revision[tenant_id] = expected_revision + 1
        self._metrics.setdefault(tenant_id, {})[metric.metric_id] = metric

    def metrics_page(self, tenant_id: str, *, limit: int, after: str | None) -> Page[models.Metric]:
        rows = [(keys.metric_sk(m.metric_id), m) for m in self._metrics.get(tenant_id, {}).values()]
        return _page(rows, keys.METRIC_PREFIX, limit=limit, after=after)

    def get_metric(self, tenant_id: str, metric_id: str) -> models.Metric | None:
        return self._metrics.get(tenant_id, {}).get(metric_id)

    def create_achievement(
        self, tenant_id: str, achievement: models.Achievement, *, cap: int = MAX_ACHIEVEMENTS
    ) -> bool:
        stored = self._achievements.setdefault(tenant_id, {})
        if achievement.achievement_id in stored:
            raise ConflictError(f"achievement {achievement.achievement_id} exists")
        if len(stored) >= cap:
            return False
        stored[achievement.achievement_id] = achievement
        return True

    def achievements_page(
        self, tenant_id: str, *, limit: int, after: str | None
    ) -> Page[models.Achievement]:
        rows = [
            (keys.achievement_sk(a.achievement_id), a)
            for a in self._achievements.get(tenant_id, {}).values()
        ]
        return _page(rows, keys.ACHIEVEMENT_PREFIX, limit=limit, after=after)

    def get_achievement(self, tenant_id: str, achievement_id: str) -> models.Achievement | None:
        return self._achievements.get(tenant_id, {}).get(achievement_id)

    def replace_achievement(
        self, tenant_id: str, achievement: models.Achievement, *, expected_version: int
    ) -> None:
        current = self.get_achievement(tenant_id, achievement.achievement_id)
        # The adapter's condition is `version = expected`: a missing item fails it too.
        if current is None or current.version != expected_version:
            raise ConflictError("the achievement was edited meanwhile; read it again")
        self._achievements[tenant_id][achievement.achievement_id] = achievement

    def period_top_tenants(self) -> list[PeriodTopTenant]:
        listed = (
            (
                tenant_id,
                tuple(
                    a
                    for _, a in sorted(achievements.items())
                    if a.type is models.AchievementType.PERIOD_TOP
                ),
            )
            for tenant_id, achievements in sorted(self._achievements.items())
        )
        return [
            PeriodTopTenant(
                tenant_id, self._settings.get(tenant_id, models.TenantSettings()), found
            )
            for tenant_id, found in listed
            if found
        ]


class FakeUserRepository:
    def __init__(self) -> None:
        self._users: dict[tuple[str, str], models.UserProfile] = {}

    def put_user(self, tenant_id: str, user: models.UserProfile) -> None:
        stored = self._users.get((tenant_id, user.user_id))
        featured = stored.featured_award_id if stored else None
        self._users[(tenant_id, user.user_id)] = user.model_copy(
            update={"featured_award_id": featured}
        )

    def set_featured(self, tenant_id: str, user_id: str, award_id: str | None) -> None:
        stored = self._users.get((tenant_id, user_id), models.UserProfile(user_id=user_id))
        self._users[(tenant_id, user_id)] = stored.model_copy(
            update={"featured_award_id": award_id}
        )

    def get_users(self, tenant_id: str, user_ids: Iterable[str]) -> dict[str, models.UserProfile]:
        return {
            user_id: self._users[(tenant_id, user_id)]
            for user_id in set(user_ids)
            if (tenant_id, user_id) in self._users
        }


class FakeGoalRepository:
    """Each user's goals by id, at most ``cap`` of them, as the adapter keeps them in one item."""

    def __init__(self) -> None:
        self._goals: dict[tuple[str, str], dict[str, models.Goal]] = {}

    def goals_of(self, tenant_id: str, user_ids: Iterable[str]) -> dict[str, list[models.Goal]]:
        return {
            user_id: list(self._goals[(tenant_id, user_id)].values())
            for user_id in set(user_ids)
            if self._goals.get((tenant_id, user_id))
        }

    def put_goal(self, tenant_id: str, goal: models.Goal, *, cap: int = MAX_GOALS_PER_USER) -> bool:
        goals = self._goals.setdefault((tenant_id, goal.user_id), {})
        if goal.goal_id not in goals and len(goals) >= cap:
            return False
        goals[goal.goal_id] = goal
        return True

    def delete_goal(self, tenant_id: str, user_id: str, goal_id: str) -> bool:
        return self._goals.get((tenant_id, user_id), {}).pop(goal_id, None) is not None


def _no_repeats(ids: Sequence[Hashable], what: str) -> None:
    if len(set(ids)) != len(ids):
        # DynamoDB refuses a transaction that touches one item twice (ValidationException).
        raise ValueError(f"{what}: the same item twice in one transaction")


@dataclass(frozen=True)
class StoredEvent:
    tenant_id: str
    event: models.ActivityEvent
    fingerprint: str
    position: int  # where the stream hands it over: grows with every event stored


class FakeEventRepository:
    """Events stored once per (user, id); a batch with a conflicting id stores nothing. Each new
    event gets the next stream position, as the table's stream numbers its records."""

    def __init__(self, clock: Any = None) -> None:
        self._clock = clock or FakeClock()
        self._events: dict[tuple[str, str, str], StoredEvent] = {}
        self.received_at: dict[tuple[str, str], datetime] = {}

    def add_new(self, tenant_id: str, events: Sequence[models.ActivityEvent]) -> set[str]:
        _no_repeats([(event.user_id, event.event_id) for event in events], "events")
        existing: set[str] = set()
        conflicts: list[str] = []
        for event in events:
            stored = self._events.get((tenant_id, event.user_id, event.event_id))
            if stored is None:
                continue
            if stored.fingerprint == event.fingerprint():
                existing.add(event.event_id)
            else:
                conflicts.append(event.event_id)
        if conflicts:
            raise ConflictError(
                "events with these ids were already received with a different payload",
                details=[{"field": "id", "id": event_id} for event_id in sorted(conflicts)],
            )
        received_at = self._clock.now()
        for event in events:
            if event.event_id not in existing:
                self._events[(tenant_id, event.user_id, event.event_id)] = StoredEvent(
                    tenant_id, event, event.fingerprint(), len(self._events) + 1
                )
                self.received_at[(tenant_id, event.event_id)] = received_at
        return existing

    def stored(self, tenant_id: str) -> list[models.ActivityEvent]:
        """The tenant's events in the order they were first stored (test inspection)."""
        return [s.event for (tenant, _, _), s in self._events.items() if tenant == tenant_id]

    def exists(self, tenant_id: str, event_id: str) -> bool:
        return any(key[0] == tenant_id and key[2] == event_id for key in self._events)

    def position(self, tenant_id: str, event: models.ActivityEvent) -> int:
        """The stream position of a stored event (KeyError when it was never stored)."""
        return self._events[(tenant_id, event.user_id, event.event_id)].position


class FakeProgressRepository:
    """Counters that keep the position of the last event they counted, like the adapter: an
    event at or below it is not counted again. `fail_events` are reported failed: none of their
    counters is written (nor any other event's write to those counters)."""

    def __init__(self) -> None:
        self._counters: dict[tuple[str, models.CounterKey], Decimal] = {}
        self._positions: dict[tuple[str, models.CounterKey], int] = {}
        self._reached_at: dict[tuple[str, models.CounterKey], str] = {}
        self._ranked: set[tuple[str, models.CounterKey]] = (
            set()
        )  # counters in the Leaderboard index
        self.fail_events: set[str] = set()
        self.reads: list[set[models.CounterKey]] = []  # the keys of each counters() call

    def apply(self, tenant_id: str, changes: Sequence[EventDeltas], at: datetime) -> ApplyOutcome:
        outcome = ApplyOutcome()
        blocked = {
            key
            for change in changes
            if change.event_id in self.fail_events
            for key in change.deltas
        }
        for change in changes:
            for key, delta in change.deltas.items():
                slot = (tenant_id, key)
                if key in blocked:
                    outcome.failed.add(change.event_id)
                    continue
                if change.position > self._positions.get(slot, -1):
                    self._counters[slot] = self._counters.get(slot, Decimal(0)) + delta
                    self._positions[slot] = change.position
                    self._reached_at[slot] = at.isoformat()
                    if key in change.ranked:
                        self._ranked.add(slot)
                    else:
                        self._ranked.discard(slot)
                outcome.values[key] = self._counters[slot]
        return outcome

    def counters(
        self, tenant_id: str, keys: Iterable[models.CounterKey]
    ) -> dict[models.CounterKey, Decimal]:
        keys = set(keys)
        self.reads.append(keys)
        return {
            key: self._counters[(tenant_id, key)]
            for key in set(keys)
            if (tenant_id, key) in self._counters
        }

    def standings(self, tenant_id: str, metric_id: str, period_key: str) -> list[Standing]:
        return [
            Standing(key.user_id, score, self._reached_at[(tenant, key)])
            for (tenant, key), score in self._counters.items()
            if tenant == tenant_id
            and key.metric_id == metric_id
            and key.period_key == period_key
            and (tenant, key) in self._ranked
        ]


class FakeLeaderboardRepository:
    """The Leaderboard index: a (metric, period)'s counters, highest score first."""

    def __init__(self, progress: FakeProgressRepository) -> None:
        self._progress = progress
        self.queries: list[int] = []  # the limit of each query, to count them

    def standings(
        self, tenant_id: str, metric_id: str, period_key: str, limit: int
    ) -> list[Standing]:
        rows = self._progress.standings(tenant_id, metric_id, period_key)
        # The index's sort key, read highest first, as the adapter queries it.
        rows.sort(
            key=lambda s: standing_order(s.score, datetime.fromisoformat(s.reached_at), s.user_id),
            reverse=True,
        )
        self.queries.append(limit)
        return rows[:limit]


class FakeSequenceRepository:
    """Sequences by (tenant, id); a put on a numbering that moved meanwhile is a conflict."""

    def __init__(self) -> None:
        self.numberings: dict[tuple[str, str], Numbering] = {}

    def get_sequence(self, tenant_id: str, sequence_id: str) -> Numbering | None:
        return self.numberings.get((tenant_id, sequence_id))

    def put_sequence(
        self, tenant_id: str, numbering: Numbering, *, expected: Numbering | None
    ) -> None:
        key = (tenant_id, numbering.sequence.sequence_id)
        stored = self.numberings.get(key)
        if (stored is None) != (expected is None) or (
            stored is not None
            and expected is not None
            and (stored.next_number, stored.issued) != (expected.next_number, expected.issued)
        ):
            raise ConflictError(f"sequence {key[1]} changed meanwhile")
        self.numberings[key] = numbering


class FakeAwardRepository:
    """Awards unique per AwardKey; each with points or coins credits the wallet with a ledger
    entry whose balances are the running sums. `fail_grants` makes the next N grants raise.
    An award with a sequence takes its next number, and its identifier, as it is written."""

    def __init__(self, sequences: FakeSequenceRepository | None = None) -> None:
        self.sequences = sequences or FakeSequenceRepository()
        self._identifiers: dict[tuple[str, str], models.AwardKey] = {}
        self._awards: dict[tuple[str, models.AwardKey], models.Award] = {}
        self._wallets: dict[tuple[str, str], models.Wallet] = {}
        self._ledgers: dict[tuple[str, str], list[models.LedgerEntry]] = {}
        self._slots: dict[tuple[str, models.Slot], str] = {}
        self._summaries: dict[tuple[str, str, str], models.AchievementSummary] = {}
        self.fail_grants = 0
        # The adapter's expiry index: active awards that lapse, not yet told, nor renewed.
        self._expiry_index: dict[tuple[str, models.AwardKey], datetime] = {}
        self._expiring_tenants: set[str] = set()
        self.inbox: FakeInboxRepository | None = None  # where notices go (FakeContainer's)

    def holdings(self, tenant_id: str, keys: Iterable[models.AwardKey]) -> Holdings:
        wanted = list(keys)
        return Holdings(
            held={key for key in wanted if (tenant_id, key) in self._awards},
            wallets={key.user_id: self.wallet(tenant_id, key.user_id) for key in wanted},
            summaries={
                (key.user_id, key.achievement_id): (
                    self._summaries.get(
                        (tenant_id, key.user_id, key.achievement_id),
                        models.AchievementSummary(achievement_id=key.achievement_id),
                    ),
                    0,
                )
                for key in wanted
            },
        )

    def grant_together(self, tenant_id: str, batch: AwardsToGrant) -> BatchGrant:
        """Like the adapter's one transaction: all or nothing. With `fail_grants` it does not
        commit (every user comes back unwritten), and the one-by-one grants then raise."""
        by_user, _, issuers = batch
        if self.fail_grants:
            return batch.none_written()
        if any((tenant_id, a.key) in self._awards for its in by_user.values() for a in its):
            return batch.none_written()  # a condition failed: nothing written
        numbered = {u for u, its in by_user.items() if any(a.sequence_id for a in its)}
        if numbered:  # numbered one user at a time here: the same numbers, in the same order
            outcome = BatchGrant()
            for user_id, awards in by_user.items():
                refs = {a.issued_by for a in awards if a.sequence_id}
                if len(refs) > 1:  # two issuers' merge fields: the adapter leaves it unwritten
                    outcome.unwritten.add(user_id)
                    continue
                ref = next(iter(refs))
                issuer = (issuers or {}).get(ref) if ref else None
                outcome.granted += self.grant(tenant_id, user_id, awards, issuer=issuer)
            return outcome
        outcome = BatchGrant()
        for user_id, awards in by_user.items():
            outcome.granted += self.grant(tenant_id, user_id, awards)
        return outcome

    def grant(
        self,
        tenant_id: str,
        user_id: str,
        awards: Sequence[models.Award],
        **terms: Unpack[GrantTerms],
    ) -> list[models.Award]:
        slot, issuer = terms.get("slot"), terms.get("issuer")
        if self.fail_grants:
            self.fail_grants -= 1
            raise RuntimeError("injected grant failure")
        if issuer is not None:
            awards = [a.model_copy(update={"issued_by": a.issued_by or issuer.ref}) for a in awards]
        _no_repeats([award.award_id for award in awards], "awards")
        fresh = [a for a in awards if (tenant_id, a.key) not in self._awards]
        if slot is not None and (tenant_id, slot) in self._slots:
            fresh = []
        awards = self._number(tenant_id, fresh, issuer)
        keyed = [(award.key, award) for award in awards]
        if slot is not None and (tenant_id, slot) in self._slots:
            return []
        free = [(key, award) for key, award in keyed if (tenant_id, key) not in self._awards]
        if not free:
            return []
        if slot is not None:
            self._slots[(tenant_id, slot)] = free[0][1].award_id
        # The adapter locks on the wallet it read and reads it again when stale: the balances
        # always continue from the stored wallet.
        wallet = self._wallets.get((tenant_id, user_id), models.Wallet())
        written = []
        for key, given in free:
            # The adapter updates the achievement's summary in the award's transaction, and a
            # renewal supersedes the summary's newest award under the same lock.
            summary_key = (tenant_id, user_id, given.achievement_id)
            summary = self._summaries.get(
                summary_key, models.AchievementSummary(achievement_id=key.achievement_id)
            )
            award = summary.renewing(given)
            self._awards[(tenant_id, key)] = award
            self._summaries[summary_key] = summary.add(award)
            if award.supersedes:
                self._expiry_index.pop(
                    (tenant_id, models.AwardKey.from_award_id(award.supersedes)), None
                )
            self._index_expiry(tenant_id, award, indexed=True)
            written.append(award)
        after, entries = wallet.credit(user_id, written)
        self._ledgers.setdefault((tenant_id, user_id), []).extend(entries)
        self._wallets[(tenant_id, user_id)] = after
        return written

    def _index_expiry(self, tenant_id: str, award: models.Award, *, indexed: bool) -> None:
        if award.valid_until is not None:
            self._expiring_tenants.add(tenant_id)
        active = award.status is models.AwardStatus.ACTIVE
        if indexed and active and award.valid_until is not None and not award.time_boxed:
            self._expiry_index[(tenant_id, award.key)] = award.valid_until
        else:
            self._expiry_index.pop((tenant_id, award.key), None)

    def set_valid_until(
        self, tenant_id: str, award: models.Award, valid_until: datetime | None
    ) -> models.Award:
        stored = self._awards.get((tenant_id, award.key))
        if stored is None or stored.status is not models.AwardStatus.ACTIVE:
            raise ConflictError(f"award {award.award_id} is revoked")
        edited = stored.model_copy(update={"valid_until": valid_until})
        self.set_award(tenant_id, edited)
        summary = self._summaries[(tenant_id, award.user_id, award.achievement_id)]
        self._index_expiry(tenant_id, edited, indexed=not summary.superseded(edited))
        return edited

    def user_awards_page(self, tenant_id: str, query: UserAwardsQuery) -> Page[models.Award]:
        rows = [
            (keys.award_sk(award.key), award)
            for award in self.user_awards(tenant_id, query.user_id)
            if query.status is None or award.status_at(query.now) is query.status
        ]
        return _page(rows, keys.AWARD_PREFIX, limit=query.limit, after=query.after)

    def expiring_tenants(self) -> list[str]:
        return sorted(self._expiring_tenants)

    def expiring(self, tenant_id: str, after: datetime, until: datetime) -> list[models.Award]:
        due = [
            self._awards[(tenant, key)]
            for (tenant, key), valid_until in self._expiry_index.items()
            if tenant == tenant_id
            and after < valid_until <= until
            and self._awards[(tenant, key)].status is models.AwardStatus.ACTIVE
        ]
        return sorted(due, key=lambda a: (a.valid_until, a.award_id))

    def record_expiry_notice(
        self, tenant_id: str, award: models.Award, message: models.Message
    ) -> bool:
        stored = self._awards.get((tenant_id, award.key))
        if (
            stored is None
            or stored.status is not models.AwardStatus.ACTIVE
            or stored.valid_until != award.valid_until
            or self._expiry_index.get((tenant_id, award.key)) != award.valid_until
        ):
            return False
        assert self.inbox is not None, "FakeContainer wires the inbox"
        if not self.inbox.add(tenant_id, message):
            return False
        del self._expiry_index[(tenant_id, award.key)]
        return True

    def _number(
        self, tenant_id: str, awards: Sequence[models.Award], issuer: models.Issuer | None
    ) -> list[models.Award]:
        numbered = []
        for award in awards:
            if award.sequence_id is None or award.identifier is not None:
                numbered.append(award)
                continue
            numbering = self.sequences.get_sequence(tenant_id, award.sequence_id)
            if numbering is None:
                raise InvalidInputError("sequence_id", f"no sequence {award.sequence_id!r}")
            identifier = numbering.sequence.identifier(
                numbering.next_number, award.awarded_at, issuer
            )
            if (tenant_id, identifier) in self._identifiers:
                raise ConflictError(f"identifier {identifier} is held by another award")
            self.sequences.numberings[(tenant_id, award.sequence_id)] = Numbering(
                numbering.sequence, numbering.next_number + 1, numbering.issued + 1
            )
            self._identifiers[(tenant_id, identifier)] = award.key
            numbered.append(award.model_copy(update={"identifier": identifier}))
        return numbered

    def award_by_identifier(self, tenant_id: str, identifier: str) -> models.Award | None:
        key = self._identifiers.get((tenant_id, identifier))
        return self._awards.get((tenant_id, key)) if key else None

    def request_certificate(self, tenant_id: str, award: models.Award, at: datetime) -> bool:
        stored = self._awards.get((tenant_id, award.key))
        if stored is None or stored.status is not models.AwardStatus.ACTIVE:
            return False
        self._awards[(tenant_id, award.key)] = stored.model_copy(
            update={"certificate_status": models.CertificateStatus.PENDING}
        )
        return True

    def get_award(self, tenant_id: str, key: models.AwardKey) -> models.Award | None:
        return self._awards.get((tenant_id, key))

    def get_awards(
        self, tenant_id: str, keys: Iterable[models.AwardKey]
    ) -> dict[models.AwardKey, models.Award]:
        return {
            key: self._awards[(tenant_id, key)] for key in keys if (tenant_id, key) in self._awards
        }

    def summaries_of(
        self, tenant_id: str, pairs: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], models.AchievementSummary]:
        return {
            (user, a): self._summaries[(tenant_id, user, a)]
            for user, a in pairs
            if (tenant_id, user, a) in self._summaries
        }

    def revoke(
        self,
        tenant_id: str,
        award: models.Award,
        *,
        reason: str,
        at: datetime,
        slot: models.Slot | None = None,
    ) -> models.Award:
        stored = self._awards.get((tenant_id, award.key))
        if stored is None or stored.status is not models.AwardStatus.ACTIVE:
            raise ConflictError(f"award {award.award_id} is revoked already")
        revoked = stored.model_copy(
            update={"status": models.AwardStatus.REVOKED, "revoked_at": at, "revoke_reason": reason}
            | (
                {"certificate_status": models.CertificateStatus.REVOKED}
                if stored.certificate_status
                else {}
            )
        )
        self.set_award(tenant_id, revoked)
        if stored.points or stored.coins:
            wallet = self.wallet(tenant_id, stored.user_id)
            reason_text = f"revoked {stored.achievement_id}: {reason}"
            after, entry = wallet.move(stored.user_id, stored, -1, reason_text, at)
            self._ledgers.setdefault((tenant_id, stored.user_id), []).append(entry)
            self._wallets[(tenant_id, stored.user_id)] = after
        if slot is not None and self._slots.get((tenant_id, slot)) == award.award_id:
            del self._slots[(tenant_id, slot)]
        return revoked

    def holders_page(self, tenant_id: str, query: HoldersQuery) -> Page[models.Award]:
        # The adapter reads GSI1 newest first: sort key {awarded_at}#{user}, then the table's.
        rows = sorted(
            (
                (f"{a.awarded_at.isoformat()}#{a.user_id}\n{keys.award_sk(key)}", a)
                for (tenant, key), a in self._awards.items()
                if tenant == tenant_id and key.achievement_id == query.achievement_id
                if query.status is None or a.status_at(query.now) is query.status
            ),
            key=lambda row: row[0],
            reverse=True,
        )
        if query.after is not None:
            rows = [row for row in rows if row[0] < query.after]
        limit = query.limit
        following = rows[limit - 1][0] if len(rows) > limit else None
        return Page([a for _, a in rows[:limit]], following)

    def user_awards(self, tenant_id: str, user_id: str) -> list[models.Award]:
        # The adapter queries by sort key AWD#{achievement}#{period}#{level}.
        mine = [
            (key, award)
            for (tenant, key), award in self._awards.items()
            if tenant == tenant_id and key.user_id == user_id
        ]
        mine.sort(key=lambda pair: keys.award_sk(pair[0]))
        return [award for _, award in mine]

    def record_certificate(self, tenant_id: str, award: models.Award, key: str) -> bool:
        stored = self._awards.get((tenant_id, award.key))
        if stored is None or stored.certificate_status is not models.CertificateStatus.PENDING:
            return False
        self._awards[(tenant_id, award.key)] = stored.model_copy(
            update={"certificate_status": models.CertificateStatus.ISSUED, "certificate_key": key}
        )
        return True

    def awards_page(
        self, tenant_id: str, user_id: str, *, limit: int, after: str | None
    ) -> Page[models.Award]:
        rows = [
            (keys.award_sk(key), award)
            for (tenant, key), award in self._awards.items()
            if tenant == tenant_id
            and key.user_id == user_id
            and award.status is not models.AwardStatus.REVOKED
        ]
        return _page(rows, keys.AWARD_PREFIX, limit=limit, after=after)

    def wallet(self, tenant_id: str, user_id: str) -> models.Wallet:
        return self._wallets.get((tenant_id, user_id), models.Wallet())

    def ledger(
        self, tenant_id: str, user_id: str, *, limit: int, after: str | None = None
    ) -> Page[models.LedgerEntry]:
        rows = [
            (keys.ledger_sk(e.sequence), e) for e in self._ledgers.get((tenant_id, user_id), [])
        ]
        return _page(rows, keys.LEDGER_PREFIX, limit=limit, after=after)

    def all_awards(self, tenant_id: str) -> list[models.Award]:
        return [award for (tenant, _), award in self._awards.items() if tenant == tenant_id]

    def set_award(self, tenant_id: str, award: models.Award) -> None:
        """Replace a stored award (a test standing in for revocation or expiry); a revocation
        must rewrite the achievement's summary in the same transaction."""
        key = models.AwardKey.from_award_id(award.award_id)
        self._awards[(tenant_id, key)] = award
        self._summaries[(tenant_id, key.user_id, key.achievement_id)] = (
            models.AchievementSummary.of(
                key.achievement_id,
                (
                    a
                    for a in self.user_awards(tenant_id, key.user_id)
                    if a.achievement_id == key.achievement_id
                ),
            )
        )


class FakeProjectRepository:
    """Projects as the adapter keeps them: one record each, a registration keeps the first
    time, a claim is written only on the version read (else read again) and never replaced.
    `before_claim` runs before each claim's write (a test's hook to race another evaluator)."""

    def __init__(self) -> None:
        self._projects: dict[tuple[str, str], Project] = {}
        self.before_claim: list[Any] = []

    def register(self, tenant_id: str, project_id: str, created_at: datetime) -> Project:
        stored = self._projects.get((tenant_id, project_id), Project(project_id=project_id))
        if stored.created_at is None:
            stored = stored.model_copy(update={"created_at": created_at})
            self._projects[(tenant_id, project_id)] = stored
        return stored

    def projects(self, tenant_id: str, project_ids: Iterable[str]) -> dict[str, Project]:
        return {
            project_id: self._projects[(tenant_id, project_id)]
            for project_id in set(project_ids)
            if (tenant_id, project_id) in self._projects
        }

    def claim(
        self, tenant_id: str, project: Project, achievement_id: str, first: FirstActivity
    ) -> Project:
        while achievement_id not in project.first:
            if self.before_claim:
                self.before_claim.pop(0)()
            stored = self._projects.get((tenant_id, project.project_id))
            if (stored.version if stored else 0) != project.version:
                project = stored or Project(project_id=project.project_id)
                continue
            project = project.model_copy(
                update={
                    "first": {**project.first, achievement_id: first},
                    "version": project.version + 1,
                    "created_at": stored.created_at if stored else None,
                }
            )
            self._projects[(tenant_id, project.project_id)] = project
        return project


class FakeCourseRepository:
    """The catalog by id, and enrolments merged as the adapter's update merges them: unions and
    maxima for progress, per-achievement results, a learner's completed templates a union."""

    def __init__(self) -> None:
        self._templates: dict[tuple[str, str], courses.CourseTemplate] = {}
        self._events: dict[tuple[str, str], courses.CourseEvent] = {}
        self._paths: dict[tuple[str, str], courses.LearningPath] = {}
        self._enrollments: dict[tuple[str, str, str], courses.Enrollment] = {}
        self._completed: dict[tuple[str, str], frozenset[str]] = {}

    def put_template(self, tenant_id: str, template: courses.CourseTemplate) -> None:
        self._templates[(tenant_id, template.template_id)] = template

    def get_template(self, tenant_id: str, template_id: str) -> courses.CourseTemplate | None:
        return self._templates.get((tenant_id, template_id))

    def templates(
        self, tenant_id: str, template_ids: Iterable[str]
    ) -> dict[str, courses.CourseTemplate]:
        return {
            t: self._templates[(tenant_id, t)]
            for t in set(template_ids)
            if (tenant_id, t) in self._templates
        }

    def put_course_event(self, tenant_id: str, course_event: courses.CourseEvent) -> None:
        self._events[(tenant_id, course_event.course_event_id)] = course_event

    def get_course_event(self, tenant_id: str, course_event_id: str) -> courses.CourseEvent | None:
        return self._events.get((tenant_id, course_event_id))

    def course_events(
        self, tenant_id: str, course_event_ids: Iterable[str]
    ) -> dict[str, courses.CourseEvent]:
        return {
            c: self._events[(tenant_id, c)]
            for c in set(course_event_ids)
            if (tenant_id, c) in self._events
        }

    def put_path(self, tenant_id: str, path: courses.LearningPath) -> None:
        self._paths[(tenant_id, path.path_id)] = path

    def get_path(self, tenant_id: str, path_id: str) -> courses.LearningPath | None:
        return self._paths.get((tenant_id, path_id))

    def paths(self, tenant_id: str) -> list[courses.LearningPath]:
        return [path for (t, _), path in sorted(self._paths.items()) if t == tenant_id]

    def _enrollment(self, tenant_id: str, user_id: str, course_event_id: str) -> courses.Enrollment:
        found = self._enrollments.get((tenant_id, course_event_id, user_id))
        return found or courses.Enrollment(user_id=user_id, course_event_id=course_event_id)

    def record_progress(
        self, tenant_id: str, user_id: str, course_event_id: str, progress: courses.Progress
    ) -> courses.Enrollment:
        now = self._enrollment(tenant_id, user_id, course_event_id)
        merged = now.model_copy(
            update={
                "registered": now.registered or progress.registered,
                "completion": max([now.completion, *progress.completions]),
                "elearning_passed": now.elearning_passed or progress.elearning_passed,
                "assessment_passed": now.assessment_passed or progress.assessment_passed,
                "attended": now.attended | progress.attended,
                "invoice_paid": now.invoice_paid or progress.invoice_paid,
            }
        )
        self._enrollments[(tenant_id, course_event_id, user_id)] = merged
        return merged

    def enrollments(
        self, tenant_id: str, course_event_id: str, user_ids: Iterable[str]
    ) -> dict[str, courses.Enrollment]:
        return {
            u: self._enrollments[(tenant_id, course_event_id, u)]
            for u in set(user_ids)
            if (tenant_id, course_event_id, u) in self._enrollments
        }

    def record_results(
        self, tenant_id: str, course_event_id: str, results: LearnerResults
    ) -> dict[str, courses.Enrollment]:
        after = {}
        for user_id, by_achievement in results.items():
            now = self._enrollment(tenant_id, user_id, course_event_id)
            merged = now.model_copy(
                update={"results": {**now.results, **by_achievement}, "version": now.version + 1}
            )
            self._enrollments[(tenant_id, course_event_id, user_id)] = after[user_id] = merged
        return after

    def enrollments_page(
        self, tenant_id: str, course_event_id: str, *, limit: int, after: str | None
    ) -> Page[courses.Enrollment]:
        rows = [
            (user_id, enrollment)
            for (t, c, user_id), enrollment in self._enrollments.items()
            if t == tenant_id and c == course_event_id
        ]
        ordered = sorted(rows, key=lambda row: row[0])
        if after is not None:
            ordered = [row for row in ordered if row[0] > after]
        if len(ordered) > limit:
            return Page([e for _, e in ordered[:limit]], ordered[limit - 1][0])
        return Page([e for _, e in ordered])

    def complete_courses(
        self, tenant_id: str, template_id: str, user_ids: Iterable[str]
    ) -> dict[str, frozenset[str]]:
        after = {}
        for user_id in set(user_ids):
            done = self._completed.get((tenant_id, user_id), frozenset()) | {template_id}
            self._completed[(tenant_id, user_id)] = after[user_id] = done
        return after


@dataclass
class _Announcement:
    lease_until: datetime | None = None
    announced_at: datetime | None = None


class FakeInboxRepository:
    """Messages added once; the right to announce is a lease, then a mark. Claiming is False
    once announced (or for no message) and raises AnnouncementLeasedError while a lease runs.

    The adapter compares the lease with the wall clock; the fake uses its clock so tests can
    move past a lease without sleeping.
    """

    def __init__(self, clock: Any = None) -> None:
        self._clock = clock or FakeClock()
        self._messages: dict[tuple[str, str, str], models.Message] = {}
        self._announcements: dict[tuple[str, str, str], _Announcement] = {}

    @staticmethod
    def _key(tenant_id: str, message: models.Message) -> tuple[str, str, str]:
        return (tenant_id, message.user_id, message.message_id)

    def add(self, tenant_id: str, message: models.Message) -> bool:
        key = self._key(tenant_id, message)
        if key in self._messages:
            return False
        self._messages[key] = message
        self._announcements[key] = _Announcement()
        return True

    def claim_announcement(
        self, tenant_id: str, message: models.Message, lease_until: datetime
    ) -> bool:
        state = self._announcements.get(self._key(tenant_id, message))
        if state is None or state.announced_at is not None:
            return False
        if state.lease_until is not None and state.lease_until >= self._clock.now():
            # The holder may have died before publishing: the record must be retried, not acked.
            raise AnnouncementLeasedError(
                f"message {message.message_id} is being announced", until=state.lease_until
            )
        state.lease_until = lease_until
        return True

    def mark_announced(self, tenant_id: str, message: models.Message, at: datetime) -> None:
        # An unconditional update in the adapter: it creates the item's attributes if missing.
        state = self._announcements.setdefault(self._key(tenant_id, message), _Announcement())
        state.announced_at, state.lease_until = at, None

    def release_announcement(self, tenant_id: str, message: models.Message) -> None:
        state = self._announcements.setdefault(self._key(tenant_id, message), _Announcement())
        state.lease_until = None

    def messages(self, tenant_id: str, user_id: str, query: InboxQuery) -> Page[models.Message]:
        rows = [
            (keys.message_sk(message.created_at, message.message_id), message)
            for (tenant, owner, _), message in self._messages.items()
            if tenant == tenant_id
            and owner == user_id
            and (query.message_type is None or message.type == query.message_type)
            and (query.unread is None or (message.read_at is None) == query.unread)
        ]
        return _page(
            rows, keys.MESSAGE_PREFIX, limit=query.limit, after=query.after, newest_first=True
        )

    def mark_read(
        self, tenant_id: str, user_id: str, message_id: str, at: datetime
    ) -> models.Message | None:
        message = self._messages.get((tenant_id, user_id, message_id))
        if message is None:
            return None
        if message.read_at is None:
            message = message.model_copy(update={"read_at": at})
            self._messages[(tenant_id, user_id, message_id)] = message
        return message

    def announced_at(self, tenant_id: str, message: models.Message) -> datetime | None:
        state = self._announcements.get(self._key(tenant_id, message))
        return state.announced_at if state else None


class FakeDocumentStore:
    """Objects in memory under the adapter's key format; URLs name the key."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put_certificate(self, tenant_id: str, award: models.Award, pdf: bytes) -> str:
        key = f"certificates/{tenant_id}/{award.user_id}/{award.award_id}.pdf"
        self.objects[key] = pdf
        return key

    def url(self, key: str, expires_in: int = 3600) -> str:
        return f"https://documents.example/{key}?expires_in={expires_in}"


class NotifierError(Exception):
    """The injected failure of FakeNotifier."""


@dataclass(frozen=True)
class Publication:
    subject: str
    payload: Mapping[str, Any]
    attributes: Mapping[str, str]


class FakeNotifier:
    """Records publications; `fail_next(n)` makes the next n publishes raise."""

    def __init__(self) -> None:
        self.publications: list[Publication] = []
        self._failures = 0

    def fail_next(self, times: int = 1) -> None:
        self._failures = times

    def publish(
        self, subject: str, payload: Mapping[str, Any], attributes: Mapping[str, str]
    ) -> None:
        if self._failures:
            self._failures -= 1
            raise NotifierError("injected publish failure")
        self.publications.append(Publication(subject, dict(payload), dict(attributes)))


class FakeWinnersQueue:
    """What the hourly job handed over, in order; ``take()`` empties it as a consumer would."""

    def __init__(self) -> None:
        self.sent: list[TenantCloses] = []

    def send(self, work: Sequence[TenantCloses]) -> None:
        self.sent.extend(work)

    def take(self) -> list[TenantCloses]:
        taken, self.sent = self.sent, []
        return taken


class FakeCompletionRepository:
    """The completion report counted from the awards told (once each; a revoked one never
    again) and the users' profiles as they are at reading time, which is what the adapter's
    reconciled counts amount to."""

    def __init__(self, users: FakeUserRepository) -> None:
        self._users = users
        self._held: dict[tuple[str, str, str, str], set[str]] = {}  # tenant, user, ach, scope
        self._revoked: set[tuple[str, str]] = set()

    def count_award(self, tenant_id: str, award: models.Award) -> None:
        scopes = {ALL_TIME_KEY} | ({award.period_key} if is_period_key(award.period_key) else set())
        if award.status is models.AwardStatus.REVOKED:
            self._revoked.add((tenant_id, award.award_id))
        for scope in scopes:
            held = self._held.setdefault(
                (tenant_id, award.user_id, award.achievement_id, scope), set()
            )
            if (tenant_id, award.award_id) in self._revoked:
                held.discard(award.award_id)
            elif award.status is models.AwardStatus.ACTIVE:
                held.add(award.award_id)

    def reconcile_user(self, tenant_id: str, user_id: str) -> None:
        """Nothing to move: ``completion`` reads the profiles as they are."""

    def completion(self, tenant_id: str, query: CompletionQuery) -> Page[OrgCompletion]:
        users: dict[str, int] = {}
        earned: dict[str, int] = {}
        for (tenant, user_id), profile in self._users._users.items():
            if tenant != tenant_id or not profile.org_id:
                continue
            if query.group is not None and query.group not in profile.groups:
                continue
            users[profile.org_id] = users.get(profile.org_id, 0) + 1
            key = (tenant_id, user_id, query.achievement_id, query.scope)
            if self._held.get(key):
                earned[profile.org_id] = earned.get(profile.org_id, 0) + 1
        rows = [(org, OrgCompletion(org, n, earned.get(org, 0))) for org, n in users.items()]
        return _page(rows, "", limit=query.limit, after=query.after)


@dataclass
class FakeContainer:
    """The fakes wired like accolade.bootstrap.Container (same attribute names)."""

    clock: FakeClock = field(default_factory=FakeClock)
    settings: Settings = field(
        default_factory=lambda: Settings(table_name="fake-table", topic_arn="arn:fake:topic")
    )

    def __post_init__(self) -> None:
        self.config = FakeConfigRepository()
        self.users = FakeUserRepository()
        self.events = FakeEventRepository(self.clock)
        self.progress = FakeProgressRepository()
        self.leaderboards = FakeLeaderboardRepository(self.progress)
        self.sequences = FakeSequenceRepository()
        self.awards = FakeAwardRepository(self.sequences)
        self.goals = FakeGoalRepository()
        self.inbox = FakeInboxRepository(self.clock)
        self.awards.inbox = self.inbox
        self.notifier = FakeNotifier()
        self.documents = FakeDocumentStore()
        self.projects = FakeProjectRepository()
        self.winners_queue = FakeWinnersQueue()
        self.courses = FakeCourseRepository()
        self.diagnostics = FakeDiagnostics(self.events, self.awards)
        self.badges = FakeBadgeRepository()
        self.badge_files = FakeBadgeFileStore()
        # The real inspector: Pillow and defusedxml, no AWS (a fake would check nothing).
        self.badge_images = PillowImageInspector()
        self.badge_credentials = FakeCredentialRepository(self.awards)
        self.keyring = FakeKeyRing()
        self.completion = FakeCompletionRepository(self.users)
        self.audit_log = FakeAuditLog()
        self.exports = FakeExportRepository(self.awards)
        self.export_files = FakeExportFiles()


class FakeDiagnostics:
    """The adapter's reads over the fakes' events and slots: the events index holds every
    stored event by (user, type, occurred_at, id)."""

    def __init__(self, events: FakeEventRepository, awards: FakeAwardRepository) -> None:
        self._events = events
        self._awards = awards

    def newest_events(
        self, tenant_id: str, user_id: str, window: EventWindow
    ) -> list[models.ActivityEvent]:
        found = [
            event
            for event in self._events.stored(tenant_id)
            if event.user_id == user_id
            and event.type == window.event_type
            and window.start <= event.occurred_at < window.end
        ]
        found.sort(key=lambda e: (e.occurred_at, e.event_id), reverse=True)
        return found[: window.limit]

    def has_events(self, tenant_id: str, user_id: str) -> bool:
        return any(e.user_id == user_id for e in self._events.stored(tenant_id))

    def slot_holders(self, tenant_id: str, slots: Iterable[models.Slot]) -> dict[models.Slot, str]:
        held = self._awards._slots
        return {slot: held[(tenant_id, slot)] for slot in slots if (tenant_id, slot) in held}


# --- custom badges -----------------------------------------------------------------------------


class FakeBadgeRepository:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], CustomBadge] = {}

    def add_badge(self, tenant_id: str, badge: CustomBadge) -> None:
        if (tenant_id, badge.badge_id) in self.items:
            raise ConflictError(f"badge {badge.badge_id} exists already")
        self.items[(tenant_id, badge.badge_id)] = badge

    def get_badge(self, tenant_id: str, badge_id: str) -> CustomBadge | None:
        return self.items.get((tenant_id, badge_id))

    def badges_page(self, tenant_id: str, *, limit: int, after: str | None) -> Page[CustomBadge]:
        ids = sorted(b for t, b in self.items if t == tenant_id and (after is None or b > after))
        chosen = ids[:limit]
        following = chosen[-1] if len(ids) > limit else None
        return Page([self.items[(tenant_id, b)] for b in chosen], following)

    def settle_badge(self, tenant_id: str, badge: CustomBadge) -> bool:
        current = self.items.get((tenant_id, badge.badge_id))
        if current is None or current.status is not BadgeStatus.PENDING:
            return False
        self.items[(tenant_id, badge.badge_id)] = badge
        return True


class FakeBadgeFileStore:
    """Uploads and published images in memory, keyed as the S3 adapter keys them; ``upload``
    stands for a browser posting the form (the policy's limits are the adapter's, not checked)."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.forms: list[tuple[str, str, int, int]] = []  # (key, content type, max bytes, expiry)
        self.before_publish: Callable[[], None] | None = None  # runs once, before a copy

    def upload(self, tenant_id: str, badge_id: str, level: int, data: bytes) -> None:
        etag = hashlib.md5(data, usedforsecurity=False).hexdigest()
        self.objects[keys.badge_upload_key(tenant_id, badge_id, level)] = (data, f'"{etag}"')

    def upload_form(
        self, tenant_id: str, badge_id: str, level: int, policy: UploadPolicy
    ) -> UploadForm:
        key = keys.badge_upload_key(tenant_id, badge_id, level)
        self.forms.append((key, policy.content_type, policy.max_bytes, policy.expires_in))
        return UploadForm(
            "https://badges.example/", {"key": key, "Content-Type": policy.content_type}
        )

    def read_upload(
        self, tenant_id: str, badge_id: str, level: int, max_bytes: int
    ) -> StoredFile | None:
        found = self.objects.get(keys.badge_upload_key(tenant_id, badge_id, level))
        return None if found is None else StoredFile(found[0][: max_bytes + 1], found[1])

    def publish(
        self, tenant_id: str, badge_id: str, level: int, etag: str, content_type: str
    ) -> bool:
        if self.before_publish is not None:
            hook, self.before_publish = self.before_publish, None
            hook()
        found = self.objects.get(keys.badge_upload_key(tenant_id, badge_id, level))
        if found is None or found[1] != etag:
            return False
        self.objects[keys.badge_image_key(tenant_id, badge_id, level)] = found
        return True

    def link(self, tenant_id: str, badge_id: str, level: int, expires_in: int) -> str:
        key = keys.badge_image_key(tenant_id, badge_id, level)
        return f"https://badges.example/{key}?expires_in={expires_in}"


# ---------------------------------------------------------------- Open Badges 3.0 credentials


class FakeKeyRing:
    """Real RSA keys and RS256 signatures (joserfc, as the KMS key ring); sealing is a stand-in
    for KMS that, like its encryption context, opens a key only for its own tenant and key id."""

    def __init__(self) -> None:
        self.made = 0
        self.lost: set[str] = set()  # key ids whose KMS key is gone: they no longer open
        self._opened: dict[bytes, Any] = {}  # as the KMS key ring keeps keys it opened

    @staticmethod
    def _context(tenant_id: str, key_id: str) -> bytes:
        return f"sealed-for:{tenant_id}:{key_id}\n".encode()

    def new_key(self, tenant_id: str, key_id: str, created_at: datetime) -> IssuerKey:
        from accolade.adapters.jose import generate

        self.made += 1
        public, private_pem = generate()
        sealed = self._context(tenant_id, key_id) + private_pem[::-1]
        return IssuerKey(key_id, public, sealed, created_at)

    def sign(self, tenant_id: str, key: IssuerKey, kid: str, claims: dict[str, Any]) -> str:
        from accolade.adapters.jose import open_key, sign_with

        if key.key_id in self.lost:
            raise SealedKeyError(f"issuer key {key.key_id} cannot be opened")
        context = self._context(tenant_id, key.key_id)
        assert key.sealed_private_key.startswith(context), "opened for another tenant or key"
        if key.sealed_private_key not in self._opened:
            pem = key.sealed_private_key.removeprefix(context)[::-1]
            self._opened[key.sealed_private_key] = open_key(pem)
        return sign_with(self._opened[key.sealed_private_key], kid, claims)


class FakeCredentialRepository:
    """Keys, credential records and status bits in memory, with the adapter's conditions: one
    active key replaced only if still the one read, one record per award, taken only while the
    award is not revoked, one award per status entry."""

    def __init__(self, awards: FakeAwardRepository) -> None:
        self._awards = awards
        self._keys: dict[str, list[IssuerKey]] = {}
        self._active: dict[str, IssuerKey] = {}
        self._records: dict[tuple[str, models.AwardKey], CredentialRecord] = {}
        self._next_index: dict[str, int] = {}
        self._revoked: dict[tuple[str, int], set[int]] = {}

    def active_key(self, tenant_id: str) -> IssuerKey | None:
        return self._active.get(tenant_id)

    def keys(self, tenant_id: str) -> list[IssuerKey]:
        return sorted(self._keys.get(tenant_id, []), key=lambda k: k.key_id)

    def add_key(self, tenant_id: str, key: IssuerKey, *, replacing: str | None) -> bool:
        current = self._active.get(tenant_id)
        if (current.key_id if current else None) != replacing:
            return False
        self._keys.setdefault(tenant_id, []).append(key)
        self._active[tenant_id] = key
        return True

    def record_of(self, tenant_id: str, award: models.Award) -> CredentialRecord | None:
        return self._records.get((tenant_id, award.key))

    def add_record(
        self,
        tenant_id: str,
        award: models.Award,
        make: Callable[[int], CredentialRecord],
    ) -> CredentialRecord | None:
        stored = self._awards.get_award(tenant_id, award.key)
        if stored is None or stored.status is not models.AwardStatus.ACTIVE:
            return None
        if (tenant_id, award.key) in self._records:
            return self._records[(tenant_id, award.key)]
        record = make(self._next_index.get(tenant_id, 0))
        self._next_index[tenant_id] = record.status_index + 1
        self._records[(tenant_id, award.key)] = record
        return record

    def revoked_offsets(self, tenant_id: str, status_list: int) -> set[int]:
        return set(self._revoked.get((tenant_id, status_list), set()))

    def mark_revoked(self, tenant_id: str, award_key: models.AwardKey) -> bool:
        record = self._records.get((tenant_id, award_key))
        if record is None:
            return False
        self._revoked.setdefault((tenant_id, record.status_list), set()).add(record.status_offset)
        return True


class FakeAuditLog:
    """Entries by tenant and sort key; put once (a second put of an id is refused, as the
    adapter's condition refuses it); filters applied as the adapter's FilterExpression is."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, audit.AuditEntry]] = {}

    def record(self, tenant_id: str, entry: audit.AuditEntry) -> bool:
        stored = self.entries.setdefault(tenant_id, {})
        sk = keys.audit_sk(entry.entry_id)
        if sk in stored:
            return False
        stored[sk] = entry
        return True

    def entries_page(self, tenant_id: str, query: audit.AuditQuery) -> Page[audit.AuditEntry]:
        kept = [
            (sk, entry)
            for sk, entry in self.entries.get(tenant_id, {}).items()
            if query.actor in (None, entry.actor.user_id)
            and query.action in (None, entry.action)
            and (query.target is None or query.target in entry.target_ids)
        ]
        return _page(
            kept, keys.AUDIT_PREFIX, limit=query.limit, after=query.after, newest_first=True
        )


# --- awards exports ------------------------------------------------------------------------------


class FakeExportRepository:
    """Export items in memory with the adapter's claim rules; the awards read off the fake award
    repository as the adapter reads GSI1 (by achievement, in award order)."""

    def __init__(self, awards: FakeAwardRepository) -> None:
        self._awards = awards
        self._exports: dict[tuple[str, str], tuple[Export, str | None]] = {}

    def create(self, tenant_id: str, export: Export) -> None:
        assert (tenant_id, export.export_id) not in self._exports
        self._exports[(tenant_id, export.export_id)] = (export, None)

    def get(self, tenant_id: str, export_id: str) -> Export | None:
        found = self._exports.get((tenant_id, export_id))
        return found[0] if found else None

    def exports_page(self, tenant_id: str, *, limit: int, after: str | None) -> Page[Export]:
        ids = sorted((i for t, i in self._exports if t == tenant_id), reverse=True)
        if after is not None:
            if not after.startswith(keys.EXPORT_PREFIX):
                raise InvalidCursorError("does not belong to this list")
            ids = [i for i in ids if keys.export_sk(i) < after]
        following = keys.export_sk(ids[limit - 1]) if len(ids) > limit else None
        return Page([self._exports[(tenant_id, i)][0] for i in ids[:limit]], following)

    def claim(self, tenant_id: str, export_id: str, attempt: str) -> Export | None:
        found = self._exports.get((tenant_id, export_id))
        if found is None or found[0].status is not ExportStatus.RUNNING:
            return None
        claimed = found[0].model_copy(update={"rows": 0, "attempts": found[0].attempts + 1})
        self._exports[(tenant_id, export_id)] = (claimed, attempt)
        return claimed

    def _update(self, tenant_id: str, export_id: str, attempt: str, **changes: Any) -> bool:
        found = self._exports.get((tenant_id, export_id))
        if found is None or found[1] != attempt or found[0].status is not ExportStatus.RUNNING:
            return False
        self._exports[(tenant_id, export_id)] = (found[0].model_copy(update=changes), attempt)
        return True

    def progress(self, tenant_id: str, export_id: str, attempt: str, rows: int) -> bool:
        return self._update(tenant_id, export_id, attempt, rows=rows)

    def finish(self, tenant_id: str, export_id: str, attempt: str, rows: int, at: datetime) -> bool:
        status = ExportStatus.DONE
        return self._update(tenant_id, export_id, attempt, rows=rows, status=status, finished_at=at)

    def fail(self, tenant_id: str, export_id: str, attempt: str, error: str, at: datetime) -> bool:
        status = ExportStatus.FAILED
        return self._update(
            tenant_id, export_id, attempt, status=status, error=error, finished_at=at
        )

    def award_pages(
        self,
        tenant_id: str,
        achievement_ids: Sequence[str],
        filters: ExportFilters,
        now: datetime,
    ) -> Iterator[list[models.Award]]:
        for achievement_id in achievement_ids:
            chosen = sorted(
                (
                    award
                    for (tenant, key), award in self._awards._awards.items()
                    if tenant == tenant_id and key.achievement_id == achievement_id
                    if filters.status is None or award.status_at(now) is filters.status
                    if filters.awarded_from is None or award.awarded_at >= filters.awarded_from
                    if filters.awarded_to is None or award.awarded_at <= filters.awarded_to
                ),
                key=lambda award: (award.awarded_at, award.user_id, award.award_id),
            )
            for start in range(0, len(chosen), 100):
                yield chosen[start : start + 100]


class FakeExportFiles:
    """Files in memory, written from the stream of chunks as S3 would store them (whole, or not
    at all); `fail_after_chunks` makes a write raise after reading that many chunks."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.writes = 0
        self.fail_after_chunks: int | None = None
        self.failure: BaseException = OSError("injected S3 failure")

    def write(self, tenant_id: str, export_id: str, chunks: Iterable[bytes]) -> None:
        self.writes += 1
        body = bytearray()
        for number, chunk in enumerate(chunks, start=1):
            body += chunk
            if self.fail_after_chunks is not None and number >= self.fail_after_chunks:
                raise self.failure
        self.files[keys.export_object_key(tenant_id, export_id)] = bytes(body)

    def link(self, tenant_id: str, export_id: str, expires_in: int) -> str:
        key = keys.export_object_key(tenant_id, export_id)
        return f"https://documents.example/{key}?expires_in={expires_in}"
