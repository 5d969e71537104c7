"""In-memory fakes of every port in accolade.ports, with the DynamoDB adapters' semantics.

Each fake keeps the invariant its adapter enforces with a condition (unique award keys, an event
counted once by each counter, all-or-nothing event batches, a message announced once) and refuses what DynamoDB
refuses (the same item twice in one transaction). `FakeContainer` has the attributes of
`accolade.bootstrap.Container`, for `bootstrap.override()`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from accolade.adapters.dynamo import keys
from accolade.config import Settings
from accolade.domain import models
from accolade.domain.closing import TenantCloses
from accolade.domain.errors import ConflictError
from accolade.domain.limits import MAX_ACHIEVEMENTS, MAX_GOALS_PER_USER
from accolade.domain.projects import FirstActivity, Project
from accolade.domain.rules import Standing, standing_order
from accolade.ports import (
    AnnouncementLeasedError,
    ApplyOutcome,
    BatchGrant,
    EventDeltas,
    HoldersQuery,
    Holdings,
    Page,
    PeriodTopTenant,
    TenantConfig,
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


class FakeAwardRepository:
    """Awards unique per AwardKey; each with points or coins credits the wallet with a ledger
    entry whose balances are the running sums. `fail_grants` makes the next N grants raise."""

    def __init__(self) -> None:
        self._awards: dict[tuple[str, models.AwardKey], models.Award] = {}
        self._wallets: dict[tuple[str, str], models.Wallet] = {}
        self._ledgers: dict[tuple[str, str], list[models.LedgerEntry]] = {}
        self._slots: dict[tuple[str, models.Slot], str] = {}
        self._summaries: dict[tuple[str, str, str], models.AchievementSummary] = {}
        self.fail_grants = 0

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

    def grant_together(
        self, tenant_id: str, by_user: Mapping[str, Sequence[models.Award]], holdings: Holdings
    ) -> BatchGrant:
        """Like the adapter's one transaction: all or nothing. With `fail_grants` it does not
        commit (every user comes back unwritten), and the one-by-one grants then raise."""
        if self.fail_grants:
            return BatchGrant(unwritten=set(by_user))
        if any((tenant_id, a.key) in self._awards for its in by_user.values() for a in its):
            return BatchGrant(unwritten=set(by_user))  # a condition failed: nothing written
        outcome = BatchGrant()
        for user_id, awards in by_user.items():
            outcome.granted += self.grant(tenant_id, user_id, awards)
        return outcome

    def grant(
        self,
        tenant_id: str,
        user_id: str,
        awards: Sequence[models.Award],
        *,
        slot: models.Slot | None = None,
    ) -> list[models.Award]:
        if self.fail_grants:
            self.fail_grants -= 1
            raise RuntimeError("injected grant failure")
        keyed = [(award.key, award) for award in awards]
        _no_repeats([award.award_id for award in awards], "awards")
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
        for key, award in free:
            self._awards[(tenant_id, key)] = award
            # The adapter updates the achievement's summary in the award's transaction.
            summary_key = (tenant_id, user_id, award.achievement_id)
            summary = self._summaries.get(
                summary_key, models.AchievementSummary(achievement_id=key.achievement_id)
            )
            self._summaries[summary_key] = summary.add(award)
        after, entries = wallet.credit(user_id, [award for _, award in free])
        self._ledgers.setdefault((tenant_id, user_id), []).extend(entries)
        self._wallets[(tenant_id, user_id)] = after
        return [award for _, award in free]

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

    def messages(
        self, tenant_id: str, user_id: str, *, limit: int, after: str | None = None
    ) -> Page[models.Message]:
        rows = [
            (keys.message_sk(message.created_at, message.message_id), message)
            for (tenant, owner, _), message in self._messages.items()
            if tenant == tenant_id and owner == user_id
        ]
        return _page(rows, keys.MESSAGE_PREFIX, limit=limit, after=after, newest_first=True)

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
        self.awards = FakeAwardRepository()
        self.goals = FakeGoalRepository()
        self.inbox = FakeInboxRepository(self.clock)
        self.notifier = FakeNotifier()
        self.documents = FakeDocumentStore()
        self.projects = FakeProjectRepository()
        self.winners_queue = FakeWinnersQueue()
