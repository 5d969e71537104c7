"""Awards, wallets and ledgers: each award unique by key, credited in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.expressions.condition import Condition

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.common import (
    MAX_ATTEMPTS,
    conditional_failed,
    fields_of,
    page,
    stored,
)
from accolade.adapters.dynamo.models import (
    AwardItem,
    Item,
    LedgerItem,
    SummaryItem,
    WalletItem,
    WinnerSlotItem,
)
from accolade.adapters.dynamo.transact import MAX_ITEMS, Transaction, backoff, commit
from accolade.domain.errors import ConflictError
from accolade.domain.models import (
    AchievementSummary,
    Award,
    AwardKey,
    AwardStatus,
    CertificateStatus,
    LedgerEntry,
    Slot,
    Wallet,
)
from accolade.ports import (
    BatchGrant,
    Clock,
    HoldersQuery,
    Holdings,
    Page,
)

WALLET_FIELDS = ("PK", "SK", "entity", "tenant_id", "user_id", "points", "coins", "entries")


def _award_item(tenant_id: str, award: Award) -> AwardItem:
    return AwardItem(
        keys.user_pk(tenant_id, award.user_id),
        keys.award_sk(award.key),
        tenant_id=tenant_id,
        GSI1PK=keys.achievement_holders_pk(tenant_id, award.achievement_id),
        GSI1SK=keys.achievement_holders_sk(award.awarded_at, award.user_id),
        **stored(award),
    )


def _lock_wallet(
    transaction: Transaction, tenant_id: str, user_id: str, read: Wallet, after: Wallet
) -> None:
    """Set the wallet to ``after`` on the condition that its ledger length is still the one
    read: the optimistic lock that keeps balances a true running sum."""
    transaction.update(
        "wallet",
        WalletItem(keys.user_pk(tenant_id, user_id), keys.WALLET),
        [
            WalletItem.entity.set(WalletItem),
            WalletItem.tenant_id.set(tenant_id),
            WalletItem.user_id.set(user_id),
            WalletItem.points.set(after.points),
            WalletItem.coins.set(after.coins),
            WalletItem.entries.set(after.entries),
        ],
        WalletItem.entries == read.entries
        if read.entries
        else WalletItem.entries.does_not_exist() | (WalletItem.entries == 0),
    )


def _shown_as(status: AwardStatus | None, now: datetime) -> Condition | None:
    """The filter of awards shown with ``status`` at ``now``."""
    if status is None:
        return None
    if status is AwardStatus.REVOKED:
        return AwardItem.status == AwardStatus.REVOKED.value
    active = AwardItem.status == AwardStatus.ACTIVE.value
    shown: Condition = (
        active & (AwardItem.valid_until <= now)
        if status is AwardStatus.EXPIRED
        else active & (AwardItem.valid_until.does_not_exist() | (AwardItem.valid_until > now))
    )
    return shown


def award_from_item(item: AwardItem) -> Award:
    return fields_of(Award, item)


def _ledger_item(tenant_id: str, entry: LedgerEntry) -> LedgerItem:
    return LedgerItem(
        keys.user_pk(tenant_id, entry.user_id),
        keys.ledger_sk(entry.sequence),
        tenant_id=tenant_id,
        **entry.model_dump(exclude={"user_id", "sequence"}),  # the key holds those
    )


def _wallet(item: WalletItem) -> Wallet:
    return fields_of(Wallet, item)


def _summary(item: SummaryItem) -> AchievementSummary:
    return fields_of(AchievementSummary, item, period_levels=frozenset(item.period_levels or ()))


def _summary_item(
    tenant_id: str, user_id: str, summary: AchievementSummary, version: int
) -> SummaryItem:
    return SummaryItem(
        keys.user_pk(tenant_id, user_id),
        keys.summary_sk(summary.achievement_id),
        tenant_id=tenant_id,
        user_id=user_id,
        version=version,
        **stored(summary, period_levels=sorted(summary.period_levels)),
    )


class DynamoAwardRepository:
    """Awards are unique by key (conditional put); each credits the wallet in the same transaction."""

    # Award, ledger entry and summary each, plus the wallet and a winner slot: under 100 items.
    AWARDS_PER_TRANSACTION = 32

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def holdings(self, tenant_id: str, wanted: Iterable[AwardKey]) -> Holdings:
        by_key = {(keys.user_pk(tenant_id, key.user_id), keys.award_sk(key)): key for key in wanted}
        users = {key.user_id for key in by_key.values()}
        pairs = {(key.user_id, key.achievement_id) for key in by_key.values()}
        item_keys = [
            *by_key,
            *((keys.user_pk(tenant_id, user), keys.WALLET) for user in users),
            *((keys.user_pk(tenant_id, user), keys.summary_sk(a)) for user, a in pairs),
        ]
        held: set[AwardKey] = set()
        # A user without a wallet item has the empty wallet: granting creates it.
        wallets = {user: Wallet() for user in users}
        summaries = {(user, a): (AchievementSummary(achievement_id=a), 0) for user, a in pairs}
        for item in Item.batch_get(item_keys, consistent_read=True):
            if isinstance(item, WalletItem):
                wallets[item.user_id] = _wallet(item)
            elif isinstance(item, SummaryItem):
                summaries[(item.user_id, item.achievement_id)] = (
                    _summary(item),
                    int(item.version),
                )
            else:
                held.add(by_key[(item.PK, item.SK)])
        return Holdings(held, wallets, summaries)

    def grant_together(
        self, tenant_id: str, by_user: Mapping[str, Sequence[Award]], holdings: Holdings
    ) -> BatchGrant:
        outcome = BatchGrant()
        packed: list[tuple[Transaction, list[str]]] = []
        for user_id, awards in by_user.items():
            if len(awards) > self.AWARDS_PER_TRANSACTION:
                outcome.unwritten.add(user_id)  # several transactions: one by one
                continue
            summaries = {
                award.achievement_id: holdings.summaries.get(
                    (user_id, award.achievement_id),
                    (AchievementSummary(achievement_id=award.achievement_id), 0),
                )
                for award in awards
            }
            wallet = holdings.wallets.get(user_id, Wallet())
            mine = self._grant_transaction(tenant_id, user_id, wallet, list(awards), summaries)
            if not packed or len(packed[-1][0]) + len(mine) > MAX_ITEMS:
                packed.append((Transaction(), []))
            packed[-1][0].extend(mine)
            packed[-1][1].append(user_id)
        for transaction, users in packed:
            if commit(transaction) is None:
                outcome.granted += [award for user in users for award in by_user[user]]
            else:
                outcome.unwritten |= set(users)
        return outcome

    def grant(
        self, tenant_id: str, user_id: str, awards: Sequence[Award], *, slot: Slot | None = None
    ) -> list[Award]:
        if slot is not None:
            return self._grant_chunk(tenant_id, user_id, list(awards), slot)
        granted: list[Award] = []
        for start in range(0, len(awards), self.AWARDS_PER_TRANSACTION):
            chunk = list(awards[start : start + self.AWARDS_PER_TRANSACTION])
            granted += self._grant_chunk(tenant_id, user_id, chunk)
        return granted

    def _grant_chunk(
        self, tenant_id: str, user_id: str, awards: list[Award], slot: Slot | None = None
    ) -> list[Award]:
        pending = awards
        for attempt in range(MAX_ATTEMPTS):
            if not pending:
                return []
            wallet = self.wallet(tenant_id, user_id)
            summaries = self._stored_summaries(tenant_id, user_id, pending)
            transaction = self._grant_transaction(tenant_id, user_id, wallet, pending, summaries)
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
            taken = {label for label in cancelled.failed_conditions if isinstance(label, str)}
            pending = [award for award in pending if award.award_id not in taken]
            stale = any(
                label == "wallet" or (isinstance(label, tuple) and label[0] == "summary")
                for label in cancelled.failed_conditions
            )
            if cancelled.retryable or stale:
                backoff(attempt)
        raise RuntimeError(f"awards for {user_id} could not be written: too many conflicts")

    @staticmethod
    def _stored_summaries(
        tenant_id: str, user_id: str, awards: Sequence[Award]
    ) -> dict[str, tuple[AchievementSummary, int]]:
        """The user's summary and version of each achievement of ``awards``, as stored now."""
        pk = keys.user_pk(tenant_id, user_id)
        achievement_ids = sorted({award.achievement_id for award in awards})
        found = {a: (AchievementSummary(achievement_id=a), 0) for a in achievement_ids}
        wanted = [(pk, keys.summary_sk(a)) for a in achievement_ids]
        for item in SummaryItem.batch_get(wanted, consistent_read=True):
            found[item.achievement_id] = (_summary(item), int(item.version))
        return found

    def get_award(self, tenant_id: str, key: AwardKey) -> Award | None:
        return self.get_awards(tenant_id, [key]).get(key)

    def get_awards(self, tenant_id: str, wanted: Iterable[AwardKey]) -> dict[AwardKey, Award]:
        found = AwardItem.batch_get(
            [(keys.user_pk(tenant_id, key.user_id), keys.award_sk(key)) for key in set(wanted)],
            consistent_read=True,
        )
        return {award.key: award for award in map(award_from_item, found)}

    def summaries_of(
        self, tenant_id: str, pairs: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], AchievementSummary]:
        found = SummaryItem.batch_get(
            [(keys.user_pk(tenant_id, user), keys.summary_sk(a)) for user, a in set(pairs)],
            consistent_read=True,
        )
        return {(item.user_id, item.achievement_id): _summary(item) for item in found}

    def revoke(
        self, tenant_id: str, award: Award, *, reason: str, at: datetime, slot: Slot | None = None
    ) -> Award:
        revoked = award.model_copy(
            update={"status": AwardStatus.REVOKED, "revoked_at": at, "revoke_reason": reason}
        )
        pk = keys.user_pk(tenant_id, award.user_id)
        for attempt in range(MAX_ATTEMPTS):
            transaction = Transaction()
            transaction.update(
                "award",
                AwardItem(pk, keys.award_sk(award.key)),
                [
                    AwardItem.status.set(AwardStatus.REVOKED.value),
                    AwardItem.revoked_at.set(at),
                    AwardItem.revoke_reason.set(reason),
                ],
                AwardItem.status == AwardStatus.ACTIVE.value,
            )
            if award.points or award.coins:
                wallet = self.wallet(tenant_id, award.user_id)
                after, entry = wallet.move(
                    award.user_id, award, -1, f"revoked {award.achievement_id}: {reason}", at
                )
                transaction.put(("ledger", entry.sequence), _ledger_item(tenant_id, entry))
                _lock_wallet(transaction, tenant_id, award.user_id, wallet, after)
            others = [
                a
                for a in self._awards_of(tenant_id, award.user_id, award.achievement_id)
                if a.award_id != award.award_id
            ]
            _, version = self._stored_summaries(tenant_id, award.user_id, [award])[
                award.achievement_id
            ]
            summary = AchievementSummary.of(award.achievement_id, others)
            transaction.put(
                ("summary", award.achievement_id),
                _summary_item(tenant_id, award.user_id, summary, version + 1),
                SummaryItem.version == version if version else SummaryItem.PK.does_not_exist(),
            )
            if slot is not None:
                transaction.delete(
                    "slot",
                    WinnerSlotItem(keys.winner_slot_pk(tenant_id), keys.winner_slot_sk(slot)),
                    WinnerSlotItem.award_id == award.award_id,
                )
            cancelled = commit(transaction)
            if cancelled is None:
                return revoked
            if "award" in cancelled.failed_conditions:
                raise ConflictError(f"award {award.award_id} is revoked already")
            backoff(attempt)  # the wallet or the summary moved meanwhile, or a conflict
        raise RuntimeError(f"award {award.award_id} could not be revoked: too many conflicts")

    @staticmethod
    def _awards_of(tenant_id: str, user_id: str, achievement_id: str) -> list[Award]:
        items = AwardItem.query(
            keys.user_pk(tenant_id, user_id),
            AwardItem.SK.startswith(keys.awards_of_sk_prefix(achievement_id)),
            consistent_read=True,
        )
        return [award_from_item(item) for item in items]

    def holders_page(self, tenant_id: str, query: HoldersQuery) -> Page[Award]:
        pk = keys.achievement_holders_pk(tenant_id, query.achievement_id)
        limit = query.limit
        items = list(
            AwardItem.holders.query(
                pk,
                filter_condition=_shown_as(query.status, query.now),
                scan_index_forward=False,
                limit=limit + 1,
                page_size=limit + 1,
                last_evaluated_key=keys.holders_page_start(tenant_id, pk, query.after),
            )
        )
        following = keys.holders_position(items[limit - 1]) if len(items) > limit else None
        return Page([award_from_item(item) for item in items[:limit]], following)

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
        tenant_id: str,
        user_id: str,
        wallet: Wallet,
        awards: list[Award],
        summaries: Mapping[str, tuple[AchievementSummary, int]],
    ) -> Transaction:
        """The awards (each on a free key), a ledger entry for each that credits something, the
        wallet locked on its ledger length, and each achievement's summary locked on its
        version: a racing grant fails one of the conditions and nothing is written."""
        transaction = Transaction()
        for award in awards:
            transaction.put(
                award.award_id, _award_item(tenant_id, award), AwardItem.PK.does_not_exist()
            )
        after, entries = wallet.credit(user_id, awards)
        for entry in entries:
            transaction.put(("ledger", entry.sequence), _ledger_item(tenant_id, entry))
        if entries:
            _lock_wallet(transaction, tenant_id, user_id, wallet, after)
        for achievement_id, (read, version) in sorted(summaries.items()):
            summary = read
            for award in awards:
                if award.achievement_id == achievement_id:
                    summary = summary.add(award)
            transaction.put(
                ("summary", achievement_id),
                _summary_item(tenant_id, user_id, summary, version + 1),
                SummaryItem.version == version if version else SummaryItem.PK.does_not_exist(),
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
        return page(
            AwardItem,
            keys.user_pk(tenant_id, user_id),
            keys.AWARD_PREFIX,
            award_from_item,
            limit=limit,
            after=after,
            filter_condition=AwardItem.status != AwardStatus.REVOKED.value,
        )

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
            if conditional_failed(exc):
                return False
            raise
        return True

    def wallet(self, tenant_id: str, user_id: str) -> Wallet:
        return _wallet(self._wallet_item(tenant_id, user_id))

    def ledger(
        self, tenant_id: str, user_id: str, *, limit: int, after: str | None = None
    ) -> Page[LedgerEntry]:
        return page(
            LedgerItem,
            keys.user_pk(tenant_id, user_id),
            keys.LEDGER_PREFIX,
            lambda item: fields_of(
                LedgerEntry, item, user_id=user_id, sequence=keys.ledger_sequence(item.SK)
            ),
            limit=limit,
            after=after,
        )


def award_from_image(image: dict[str, Any]) -> tuple[str, Award]:
    item = Item.from_raw_data(image)
    if not isinstance(item, AwardItem):
        raise ValueError(f"not an award record: {item.entity!r}")
    return item.tenant_id, award_from_item(item)
