"""DynamoDB implementations of the ports, on the single table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.expressions.condition import Condition

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.models import (
    AchievementItem,
    AwardItem,
    CounterItem,
    EventItem,
    Item,
    LedgerItem,
    MessageItem,
    MetricItem,
    MetricsRevisionItem,
    SettingsItem,
    TenantCountsItem,
    UserItem,
    WalletItem,
    WinnerSlotItem,
)
from accolade.adapters.dynamo.transact import MAX_ITEMS, Transaction, backoff, commit
from accolade.domain.errors import ConflictError
from accolade.domain.limits import MAX_ACHIEVEMENTS
from accolade.domain.models import (
    Achievement,
    AchievementType,
    ActivityEvent,
    Award,
    AwardKey,
    AwardStatus,
    CertificateStatus,
    CounterKey,
    LedgerEntry,
    Message,
    Metric,
    Slot,
    TenantSettings,
    UserProfile,
    Wallet,
)
from accolade.domain.rules import Standing
from accolade.ports import (
    AnnouncementLeasedError,
    ApplyOutcome,
    Clock,
    EventDeltas,
    Holdings,
    Page,
    TenantConfig,
)

MAX_ATTEMPTS = 8
BATCH_GET_LIMIT = 100  # DynamoDB's limit of keys in one BatchGetItem
WALLET_FIELDS = ("PK", "SK", "entity", "tenant_id", "user_id", "points", "coins", "entries")


ItemT = TypeVar("ItemT", bound=Item)


def _conditional_failed(exc: PutError | UpdateError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"


def _page(
    model: type[ItemT],
    pk: str,
    prefix: str,
    *,
    limit: int,
    after: str | None,
    newest_first: bool = False,
    filter_condition: Condition | None = None,
    consistent_read: bool = False,
) -> tuple[list[ItemT], str | None]:
    """One page of the items under ``prefix`` in partition ``pk``, in sort-key order.

    One Query with Limit = limit + 1 (more only when DynamoDB's 1 MB page or a filter cuts it
    short): the extra item tells whether a next page exists, so the last page says so.
    """
    items = list(
        model.query(
            pk,
            model.SK.startswith(prefix),
            filter_condition=filter_condition,
            consistent_read=consistent_read,
            scan_index_forward=not newest_first,
            limit=limit + 1,
            page_size=limit + 1,
            last_evaluated_key=keys.page_start(pk, prefix, after),
        )
    )
    if len(items) > limit:
        return items[:limit], items[limit - 1].SK
    return items, None


class DynamoConfigRepository:
    """Settings, metrics and achievements live in the tenant's partition: one query reads all."""

    def get_config(self, tenant_id: str) -> TenantConfig:
        settings = TenantSettings()
        metrics: list[Metric] = []
        achievements: list[Achievement] = []
        revision = 0
        for item in Item.query(keys.tenant_pk(tenant_id), consistent_read=True):
            if isinstance(item, SettingsItem):
                settings = TenantSettings.model_validate(item.doc)
            elif isinstance(item, MetricItem):
                metrics.append(Metric.model_validate(item.doc))
            elif isinstance(item, AchievementItem):
                achievements.append(Achievement.model_validate(item.doc))
            elif isinstance(item, MetricsRevisionItem):
                revision = int(item.revision)
        return TenantConfig(settings, tuple(metrics), tuple(achievements), revision)

    def put_settings(self, tenant_id: str, settings: TenantSettings) -> None:
        SettingsItem(
            keys.tenant_pk(tenant_id),
            keys.SETTINGS,
            tenant_id=tenant_id,
            doc=settings.model_dump(mode="json"),
        ).save()

    def put_metric(self, tenant_id: str, metric: Metric, *, expected_revision: int) -> None:
        transaction = Transaction()
        transaction.put(
            "metric",
            MetricItem(
                keys.tenant_pk(tenant_id),
                keys.metric_sk(metric.metric_id),
                tenant_id=tenant_id,
                doc=metric.model_dump(mode="json"),
            ),
        )
        transaction.update(
            "revision",
            MetricsRevisionItem(keys.tenant_pk(tenant_id), keys.METRICS_REVISION),
            [
                MetricsRevisionItem.entity.set(MetricsRevisionItem),
                MetricsRevisionItem.tenant_id.set(tenant_id),
                MetricsRevisionItem.revision.set(expected_revision + 1),
            ],
            MetricsRevisionItem.revision == expected_revision
            if expected_revision
            else MetricsRevisionItem.revision.does_not_exist(),
        )
        cancelled = commit(transaction)
        if cancelled is not None:
            raise ConflictError("the metrics were edited meanwhile; send the request again")

    def metrics_page(self, tenant_id: str, *, limit: int, after: str | None) -> Page[Metric]:
        items, following = _page(
            MetricItem,
            keys.tenant_pk(tenant_id),
            keys.METRIC_PREFIX,
            limit=limit,
            after=after,
            consistent_read=True,
        )
        return Page([Metric.model_validate(item.doc) for item in items], following)

    def get_metric(self, tenant_id: str, metric_id: str) -> Metric | None:
        try:
            item = MetricItem.get(keys.tenant_pk(tenant_id), keys.metric_sk(metric_id))
        except DoesNotExist:
            return None
        return Metric.model_validate(item.doc)

    def create_achievement(
        self, tenant_id: str, achievement: Achievement, *, cap: int = MAX_ACHIEVEMENTS
    ) -> bool:
        item = self._achievement_item(tenant_id, achievement)
        created = _create_counted(
            tenant_id, item, TenantCountsItem.achievements, keys.ACHIEVEMENT_PREFIX, cap
        )
        if created is None:
            raise ConflictError(f"achievement {achievement.achievement_id} exists")
        return created

    def achievements_page(
        self, tenant_id: str, *, limit: int, after: str | None
    ) -> Page[Achievement]:
        items, following = _page(
            AchievementItem,
            keys.tenant_pk(tenant_id),
            keys.ACHIEVEMENT_PREFIX,
            limit=limit,
            after=after,
            consistent_read=True,
        )
        return Page([Achievement.model_validate(item.doc) for item in items], following)

    def get_achievement(self, tenant_id: str, achievement_id: str) -> Achievement | None:
        try:
            item = AchievementItem.get(
                keys.tenant_pk(tenant_id), keys.achievement_sk(achievement_id), consistent_read=True
            )
        except DoesNotExist:
            return None
        return Achievement.model_validate(item.doc)

    def replace_achievement(
        self, tenant_id: str, achievement: Achievement, *, expected_version: int
    ) -> None:
        item = self._achievement_item(tenant_id, achievement)
        try:
            item.save(condition=AchievementItem.version == expected_version)
        except PutError as exc:
            if _conditional_failed(exc):
                raise ConflictError("the achievement was edited meanwhile; read it again") from exc
            raise

    def period_top_achievements(self) -> list[tuple[str, Achievement]]:
        items = AchievementItem.period_top.query(keys.PERIOD_TOP_INDEX_PK)
        return [(item.tenant_id, Achievement.model_validate(item.doc)) for item in items]

    @staticmethod
    def _achievement_item(tenant_id: str, achievement: Achievement) -> AchievementItem:
        item = AchievementItem(
            keys.tenant_pk(tenant_id),
            keys.achievement_sk(achievement.achievement_id),
            tenant_id=tenant_id,
            doc=achievement.model_dump(mode="json"),
            version=achievement.version,
        )
        if achievement.type is AchievementType.PERIOD_TOP:
            item.GSI1PK = keys.PERIOD_TOP_INDEX_PK
            item.GSI1SK = keys.period_top_sk(tenant_id, achievement.achievement_id)
        return item


def _create_counted(tenant_id: str, item: Item, count: Any, prefix: str, cap: int) -> bool | None:
    """Put ``item`` if absent and add one to the tenant's ``count`` in one transaction, on the
    condition that the count stays within ``cap``: two racing creators cannot pass it.

    True when created, False when the cap is reached, None when the item already exists.
    """
    counts = TenantCountsItem(keys.tenant_pk(tenant_id), keys.COUNTS)
    bookkeeping = [
        TenantCountsItem.entity.set(TenantCountsItem),
        TenantCountsItem.tenant_id.set(tenant_id),
    ]
    for attempt in range(MAX_ATTEMPTS):
        transaction = Transaction()
        transaction.put("item", item, Item.PK.does_not_exist())
        transaction.update("count", counts, [*bookkeeping, count.add(1)], count < cap)
        cancelled = commit(transaction)
        if cancelled is None:
            return True
        if "item" in cancelled.failed_conditions:
            return None
        if "count" in cancelled.failed_conditions:
            stored = _counts(tenant_id)
            value = getattr(stored, count.attr_name) if stored is not None else None
            if value is not None:
                if value >= cap:
                    return False
                continue  # a racing creator counted the tenant meanwhile: try again
            # Never counted (the tenant predates the caps): count what exists, once.
            existing = Item.count(
                keys.tenant_pk(tenant_id), Item.SK.startswith(prefix), consistent_read=True
            )
            if existing >= cap:
                return False
            transaction = Transaction()
            transaction.put("item", item, Item.PK.does_not_exist())
            transaction.update(
                "count", counts, [*bookkeeping, count.set(existing + 1)], count.does_not_exist()
            )
            cancelled = commit(transaction)
            if cancelled is None:
                return True
            if "item" in cancelled.failed_conditions:
                return None
        backoff(attempt)
    raise RuntimeError("the tenant's definition count could not be updated: too many conflicts")


def _counts(tenant_id: str) -> TenantCountsItem | None:
    try:
        return TenantCountsItem.get(keys.tenant_pk(tenant_id), keys.COUNTS, consistent_read=True)
    except DoesNotExist:
        return None


class DynamoUserRepository:
    def put_user(self, tenant_id: str, user: UserProfile) -> None:
        UserItem(
            keys.user_pk(tenant_id, user.user_id),
            keys.PROFILE,
            tenant_id=tenant_id,
            doc=user.model_dump(mode="json"),
        ).save()

    def get_users(self, tenant_id: str, user_ids: Iterable[str]) -> dict[str, UserProfile]:
        wanted = [(keys.user_pk(tenant_id, user_id), keys.PROFILE) for user_id in set(user_ids)]
        users: dict[str, UserProfile] = {}
        for start in range(0, len(wanted), BATCH_GET_LIMIT):
            for item in UserItem.batch_get(wanted[start : start + BATCH_GET_LIMIT]):
                profile = UserProfile.model_validate(item.doc)
                users[profile.user_id] = profile
        return users


def event_item(tenant_id: str, event: ActivityEvent, received_at: datetime) -> EventItem:
    return EventItem(
        keys.event_pk(tenant_id, event.event_id),
        keys.EVENT,
        tenant_id=tenant_id,
        event_id=event.event_id,
        type=event.type,
        user_id=event.user_id,
        occurred_at=event.occurred_at.isoformat(),
        value=event.value,
        attributes=event.attributes or None,
        fingerprint=event.fingerprint(),
        received_at=received_at,
    )


def event_from_item(item: EventItem) -> ActivityEvent:
    return ActivityEvent(
        event_id=item.event_id,
        type=item.type,
        user_id=item.user_id,
        occurred_at=datetime.fromisoformat(item.occurred_at),
        value=item.value,
        attributes=item.attributes or {},
    )


class DynamoEventRepository:
    """Events are written with conditional puts in transactions: one request per 100 events."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def add_new(self, tenant_id: str, events: Sequence[ActivityEvent]) -> set[str]:
        existing: set[str] = set()
        received_at = self._clock.now()
        for start in range(0, len(events), MAX_ITEMS):
            pending = list(events[start : start + MAX_ITEMS])
            for attempt in range(MAX_ATTEMPTS):
                if not pending:
                    break
                transaction = Transaction()
                for event in pending:
                    transaction.put(
                        event.event_id,
                        event_item(tenant_id, event, received_at),
                        EventItem.PK.does_not_exist(),
                    )
                cancelled = commit(transaction)
                if cancelled is None:
                    break
                # Cancelled: nothing of this chunk is stored. Compare before retrying the rest.
                taken = {str(label) for label in cancelled.failed_conditions}
                self._refuse_conflicts(tenant_id, [e for e in pending if e.event_id in taken])
                existing |= taken
                pending = [event for event in pending if event.event_id not in existing]
                if cancelled.retryable:
                    backoff(attempt)
            else:
                raise RuntimeError("events could not be stored: too many transaction conflicts")
        return existing

    def _refuse_conflicts(self, tenant_id: str, events: Sequence[ActivityEvent]) -> None:
        stored = self.fingerprints(tenant_id, [event.event_id for event in events])
        conflicts = sorted(e.event_id for e in events if stored.get(e.event_id) != e.fingerprint())
        if conflicts:
            raise ConflictError(
                "events with these ids were already received with a different payload",
                details=[{"field": "id", "id": event_id} for event_id in conflicts],
            )

    def fingerprints(self, tenant_id: str, event_ids: Iterable[str]) -> dict[str, str]:
        wanted = [(keys.event_pk(tenant_id, event_id), keys.EVENT) for event_id in set(event_ids)]
        found: dict[str, str] = {}
        for start in range(0, len(wanted), BATCH_GET_LIMIT):
            for item in EventItem.batch_get(
                wanted[start : start + BATCH_GET_LIMIT], consistent_read=True
            ):
                found[item.event_id] = item.fingerprint
        return found


class DynamoProgressRepository:
    """Counters per (user, metric, period), moved exactly once per event."""

    def apply(self, tenant_id: str, changes: Sequence[EventDeltas], at: datetime) -> ApplyOutcome:
        outcome = ApplyOutcome()
        for chunk in _pack(changes):
            self._apply_chunk(tenant_id, chunk, at, outcome)
        return outcome

    def _apply_chunk(
        self, tenant_id: str, chunk: list[EventDeltas], at: datetime, outcome: ApplyOutcome
    ) -> None:
        pending = chunk
        for attempt in range(MAX_ATTEMPTS):
            transaction = _counter_transaction(tenant_id, pending, at)
            cancelled = commit(transaction)
            if cancelled is None:
                outcome.applied |= {change.event_id for change in pending}
                return
            marks = [label for label in cancelled.failed_conditions if isinstance(label, tuple)]
            already = {str(label[1]) for label in marks if label[0] == "E"}
            outcome.already_applied |= already
            pending = [change for change in pending if change.event_id not in already]
            if not pending:
                return
            if cancelled.retryable:
                backoff(attempt)
        outcome.failed |= {change.event_id for change in pending}

    def counters(self, tenant_id: str, wanted: Iterable[CounterKey]) -> dict[CounterKey, Decimal]:
        by_key = {
            (keys.user_pk(tenant_id, key.user_id), keys.counter_sk(key)): key for key in set(wanted)
        }
        found: dict[CounterKey, Decimal] = {}
        item_keys = list(by_key)
        for start in range(0, len(item_keys), BATCH_GET_LIMIT):
            for item in CounterItem.batch_get(
                item_keys[start : start + BATCH_GET_LIMIT], consistent_read=True
            ):
                found[by_key[(item.PK, item.SK)]] = item.score
        return found


def _pack(changes: Sequence[EventDeltas]) -> list[list[EventDeltas]]:
    """Group events into transactions of at most 100 items: one mark per event + its counters."""
    chunks: list[list[EventDeltas]] = []
    current: list[EventDeltas] = []
    counters: set[CounterKey] = set()
    for change in changes:
        extra = set(change.deltas) - counters
        if current and len(current) + len(counters) + 1 + len(extra) > MAX_ITEMS:
            chunks.append(current)
            current, counters, extra = [], set(), set(change.deltas)
        current.append(change)
        counters |= extra
    if current:
        chunks.append(current)
    return chunks


def _counter_transaction(
    tenant_id: str, changes: Sequence[EventDeltas], at: datetime
) -> Transaction:
    transaction = Transaction()
    totals: dict[CounterKey, Decimal] = {}
    for change in changes:
        transaction.update(
            ("E", change.event_id),
            EventItem(keys.event_pk(tenant_id, change.event_id), keys.EVENT),
            [EventItem.applied.set(True)],
            EventItem.PK.exists() & EventItem.applied.does_not_exist(),
        )
        for key, delta in change.deltas.items():
            totals[key] = totals.get(key, Decimal(0)) + delta
    for key, delta in sorted(totals.items()):
        transaction.update(
            ("C", key),
            CounterItem(keys.user_pk(tenant_id, key.user_id), keys.counter_sk(key)),
            [
                CounterItem.score.add(delta),
                CounterItem.entity.set(CounterItem),
                CounterItem.tenant_id.set(tenant_id),
                CounterItem.user_id.set(key.user_id),
                CounterItem.metric_id.set(key.metric_id),
                CounterItem.period_key.set(key.period_key),
                CounterItem.LBPK.set(keys.leaderboard_pk(tenant_id, key.metric_id, key.period_key)),
                CounterItem.reached_at.set(at.isoformat()),
            ],
        )
    return transaction


def _award_item(tenant_id: str, award: Award) -> AwardItem:
    return AwardItem(
        keys.user_pk(tenant_id, award.user_id),
        keys.award_sk(award.key),
        tenant_id=tenant_id,
        award_id=award.award_id,
        user_id=award.user_id,
        achievement_id=award.achievement_id,
        achievement_type=award.achievement_type.value,
        achievement_version=award.achievement_version,
        level=award.level,
        period_key=award.period_key,
        status=award.status.value,
        awarded_at=award.awarded_at,
        valid_until=award.valid_until,
        points=award.points,
        coins=award.coins,
        event_id=award.event_id,
        certificate_status=award.certificate_status.value if award.certificate_status else None,
        certificate_key=award.certificate_key,
        GSI1PK=keys.achievement_holders_pk(tenant_id, award.achievement_id),
        GSI1SK=keys.achievement_holders_sk(award.awarded_at, award.user_id),
    )


def _wallet(item: WalletItem) -> Wallet:
    return Wallet(points=int(item.points), coins=int(item.coins), entries=int(item.entries))


def award_from_item(item: AwardItem) -> Award:
    return Award.model_validate(
        {
            "award_id": item.award_id,
            "user_id": item.user_id,
            "achievement_id": item.achievement_id,
            "achievement_type": item.achievement_type,
            "achievement_version": int(item.achievement_version),
            "level": int(item.level),
            "period_key": item.period_key,
            "status": item.status,
            "awarded_at": item.awarded_at,
            "valid_until": item.valid_until,
            "points": int(item.points),
            "coins": int(item.coins),
            "event_id": item.event_id,
            "certificate_status": item.certificate_status,
            "certificate_key": item.certificate_key,
        }
    )


class DynamoAwardRepository:
    """Awards are unique by key (conditional put); each credits the wallet in the same transaction."""

    AWARDS_PER_TRANSACTION = 45  # award + ledger entry each, plus the wallet: under 100 items

    def holdings(self, tenant_id: str, wanted: Iterable[AwardKey]) -> Holdings:
        by_key = {(keys.user_pk(tenant_id, key.user_id), keys.award_sk(key)): key for key in wanted}
        users = {key.user_id for key in by_key.values()}
        item_keys = [*by_key, *((keys.user_pk(tenant_id, user), keys.WALLET) for user in users)]
        held: set[AwardKey] = set()
        # A user without a wallet item has the empty wallet: granting creates it.
        wallets = {user: Wallet() for user in users}
        for start in range(0, len(item_keys), BATCH_GET_LIMIT):
            for item in Item.batch_get(
                item_keys[start : start + BATCH_GET_LIMIT],
                consistent_read=True,
                attributes_to_get=[*WALLET_FIELDS],
            ):
                if isinstance(item, WalletItem):
                    wallets[item.user_id] = _wallet(item)
                else:
                    held.add(by_key[(item.PK, item.SK)])
        return Holdings(held, wallets)

    def grant(
        self,
        tenant_id: str,
        user_id: str,
        awards: Sequence[Award],
        *,
        wallet: Wallet | None = None,
        slot: Slot | None = None,
    ) -> list[Award]:
        if slot is not None:
            return self._grant_chunk(tenant_id, user_id, list(awards), wallet, slot)
        granted: list[Award] = []
        for start in range(0, len(awards), self.AWARDS_PER_TRANSACTION):
            chunk = list(awards[start : start + self.AWARDS_PER_TRANSACTION])
            granted += self._grant_chunk(tenant_id, user_id, chunk, wallet if not granted else None)
        return granted

    def _grant_chunk(
        self,
        tenant_id: str,
        user_id: str,
        awards: list[Award],
        wallet: Wallet | None,
        slot: Slot | None = None,
    ) -> list[Award]:
        pending = awards
        for attempt in range(MAX_ATTEMPTS):
            if not pending:
                return []
            # The wallet as read with the holdings first; after a lost race, as it is now.
            current = (
                wallet if attempt == 0 and wallet is not None else self.wallet(tenant_id, user_id)
            )
            transaction = self._grant_transaction(tenant_id, user_id, current, pending)
            if slot is not None:
                transaction.put(
                    "slot",
                    WinnerSlotItem(
                        keys.winner_slot_pk(tenant_id),
                        keys.winner_slot_sk(slot),
                        tenant_id=tenant_id,
                        user_id=user_id,
                        award_id=pending[0].award_id,
                    ),
                    WinnerSlotItem.PK.does_not_exist(),
                )
            cancelled = commit(transaction)
            if cancelled is None:
                return pending
            if "slot" in cancelled.failed_conditions:
                return []
            taken = {
                label for label in cancelled.failed_conditions if label not in ("wallet", "slot")
            }
            pending = [award for award in pending if award.award_id not in taken]
            if cancelled.retryable or "wallet" in cancelled.failed_conditions:
                backoff(attempt)
        raise RuntimeError(f"awards for {user_id} could not be written: too many conflicts")

    @staticmethod
    def _wallet_item(tenant_id: str, user_id: str) -> WalletItem:
        try:
            return WalletItem.get(
                keys.user_pk(tenant_id, user_id), keys.WALLET, consistent_read=True
            )
        except DoesNotExist:
            return WalletItem(
                keys.user_pk(tenant_id, user_id), keys.WALLET, tenant_id=tenant_id, user_id=user_id
            )

    @staticmethod
    def _grant_transaction(
        tenant_id: str, user_id: str, wallet: Wallet, awards: list[Award]
    ) -> Transaction:
        transaction = Transaction()
        pk = keys.user_pk(tenant_id, user_id)
        sequence, points, coins = wallet.entries, wallet.points, wallet.coins
        for award in awards:
            transaction.put(
                award.award_id, _award_item(tenant_id, award), AwardItem.PK.does_not_exist()
            )
            if not (award.points or award.coins):
                continue
            sequence, points, coins = sequence + 1, points + award.points, coins + award.coins
            transaction.put(
                ("ledger", sequence),
                LedgerItem(
                    pk,
                    keys.ledger_sk(sequence),
                    tenant_id=tenant_id,
                    user_id=user_id,
                    award_id=award.award_id,
                    sequence=sequence,
                    points=award.points,
                    coins=award.coins,
                    points_balance=points,
                    coins_balance=coins,
                    reason=f"award {award.achievement_id} level {award.level}",
                    at=award.awarded_at,
                ),
            )
        if sequence != wallet.entries:
            previous = wallet.entries
            transaction.update(
                "wallet",
                WalletItem(pk, keys.WALLET),
                [
                    WalletItem.entity.set(WalletItem),
                    WalletItem.tenant_id.set(tenant_id),
                    WalletItem.user_id.set(user_id),
                    WalletItem.points.set(points),
                    WalletItem.coins.set(coins),
                    WalletItem.entries.set(sequence),
                ],
                # Optimistic lock on the ledger length keeps balances a true running sum.
                WalletItem.entries == previous
                if previous
                else WalletItem.entries.does_not_exist() | (WalletItem.entries == 0),
            )
        return transaction

    def user_awards(self, tenant_id: str, user_id: str) -> list[Award]:
        items = AwardItem.query(
            keys.user_pk(tenant_id, user_id), AwardItem.SK.startswith(keys.AWARD_PREFIX)
        )
        return [award_from_item(item) for item in items]

    def awards_page(
        self, tenant_id: str, user_id: str, *, limit: int, after: str | None
    ) -> Page[Award]:
        items, following = _page(
            AwardItem,
            keys.user_pk(tenant_id, user_id),
            keys.AWARD_PREFIX,
            limit=limit,
            after=after,
            filter_condition=AwardItem.status != AwardStatus.REVOKED.value,
        )
        return Page([award_from_item(item) for item in items], following)

    def record_certificate(self, tenant_id: str, award: Award, key: str) -> bool:
        item = AwardItem(keys.user_pk(tenant_id, award.user_id), keys.award_sk(award.key))
        try:
            item.update(
                actions=[
                    AwardItem.certificate_status.set(CertificateStatus.ISSUED.value),
                    AwardItem.certificate_key.set(key),
                ],
                condition=AwardItem.certificate_status == CertificateStatus.PENDING.value,
            )
        except UpdateError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def wallet(self, tenant_id: str, user_id: str) -> Wallet:
        return _wallet(self._wallet_item(tenant_id, user_id))

    def ledger(
        self, tenant_id: str, user_id: str, *, limit: int, after: str | None = None
    ) -> Page[LedgerEntry]:
        items, following = _page(
            LedgerItem,
            keys.user_pk(tenant_id, user_id),
            keys.LEDGER_PREFIX,
            limit=limit,
            after=after,
        )
        entries = [
            LedgerEntry(
                user_id=item.user_id,
                award_id=item.award_id,
                sequence=int(item.sequence),
                points=int(item.points),
                coins=int(item.coins),
                points_balance=int(item.points_balance),
                coins_balance=int(item.coins_balance),
                reason=item.reason,
                at=item.at,
            )
            for item in items
        ]
        return Page(entries, following)


class DynamoLeaderboardRepository:
    """A (metric, period) leaderboard is a query of the sparse Leaderboard index, never a scan."""

    def standings(
        self, tenant_id: str, metric_id: str, period_key: str, limit: int
    ) -> list[Standing]:
        items = CounterItem.leaderboard.query(
            keys.leaderboard_pk(tenant_id, metric_id, period_key),
            scan_index_forward=False,
            limit=limit,
            page_size=limit,
        )
        return [Standing(item.user_id, item.score, item.reached_at) for item in items]


class DynamoInboxRepository:
    """The inbox message doubles as the announcement outbox (a lease, then a mark)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def add(self, tenant_id: str, message: Message) -> bool:
        item = MessageItem(
            keys.user_pk(tenant_id, message.user_id),
            keys.message_sk(message.created_at, message.message_id),
            tenant_id=tenant_id,
            message_id=message.message_id,
            user_id=message.user_id,
            type=message.type,
            title=message.title,
            body=message.body,
            award_id=message.award_id,
            created_at=message.created_at,
            data=message.data or None,
        )
        try:
            item.save(condition=MessageItem.PK.does_not_exist())
        except PutError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    @staticmethod
    def _key(tenant_id: str, message: Message) -> MessageItem:
        return MessageItem(
            keys.user_pk(tenant_id, message.user_id),
            keys.message_sk(message.created_at, message.message_id),
        )

    def claim_announcement(self, tenant_id: str, message: Message, lease_until: datetime) -> bool:
        now = self._clock.now()
        try:
            self._key(tenant_id, message).update(
                actions=[MessageItem.announcing_until.set(lease_until)],
                condition=MessageItem.PK.exists()
                & MessageItem.announced_at.does_not_exist()
                & (
                    MessageItem.announcing_until.does_not_exist()
                    | (MessageItem.announcing_until < now)
                ),
            )
        except UpdateError as exc:
            if not _conditional_failed(exc):
                raise
        else:
            return True
        # Already announced, or another deliverer's lease still runs. That deliverer may have died
        # before publishing: acknowledging the record now would lose the publication for good.
        try:
            item = MessageItem.get(
                keys.user_pk(tenant_id, message.user_id),
                keys.message_sk(message.created_at, message.message_id),
                consistent_read=True,
            )
        except DoesNotExist:
            return False
        if item.announced_at is not None:
            return False
        raise AnnouncementLeasedError(
            f"message {message.message_id} is being announced", until=item.announcing_until
        )

    def mark_announced(self, tenant_id: str, message: Message, at: datetime) -> None:
        self._key(tenant_id, message).update(
            actions=[MessageItem.announced_at.set(at), MessageItem.announcing_until.remove()]
        )

    def release_announcement(self, tenant_id: str, message: Message) -> None:
        self._key(tenant_id, message).update(actions=[MessageItem.announcing_until.remove()])

    def messages(
        self, tenant_id: str, user_id: str, *, limit: int, after: str | None = None
    ) -> Page[Message]:
        items, following = _page(
            MessageItem,
            keys.user_pk(tenant_id, user_id),
            keys.MESSAGE_PREFIX,
            limit=limit,
            after=after,
            newest_first=True,
        )
        found = [
            Message(
                message_id=item.message_id,
                user_id=item.user_id,
                type=item.type,
                title=item.title,
                body=item.body,
                award_id=item.award_id,
                created_at=item.created_at,
                data=item.data or {},
            )
            for item in items
        ]
        return Page(found, following)


def event_from_image(image: dict[str, Any]) -> tuple[str, ActivityEvent]:
    item = Item.from_raw_data(image)
    if not isinstance(item, EventItem):
        raise ValueError(f"not an event record: {item.entity!r}")
    return item.tenant_id, event_from_item(item)


def award_from_image(image: dict[str, Any]) -> tuple[str, Award]:
    item = Item.from_raw_data(image)
    if not isinstance(item, AwardItem):
        raise ValueError(f"not an award record: {item.entity!r}")
    return item.tenant_id, award_from_item(item)
