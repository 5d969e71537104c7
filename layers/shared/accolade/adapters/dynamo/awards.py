"""Awards, wallets and ledgers: each award unique by key, credited in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.common import BATCH_GET_LIMIT, MAX_ATTEMPTS, conditional_failed, page
from accolade.adapters.dynamo.models import (
    AwardItem,
    Item,
    LedgerItem,
    WalletItem,
    WinnerSlotItem,
)
from accolade.adapters.dynamo.transact import Transaction, backoff, commit
from accolade.domain.models import (
    Award,
    AwardKey,
    AwardStatus,
    CertificateStatus,
    LedgerEntry,
    Slot,
    Wallet,
)
from accolade.ports import (
    Holdings,
    Page,
)

WALLET_FIELDS = ("PK", "SK", "entity", "tenant_id", "user_id", "points", "coins", "entries")


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
        items, following = page(
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
            if conditional_failed(exc):
                return False
            raise
        return True

    def wallet(self, tenant_id: str, user_id: str) -> Wallet:
        return _wallet(self._wallet_item(tenant_id, user_id))

    def ledger(
        self, tenant_id: str, user_id: str, *, limit: int, after: str | None = None
    ) -> Page[LedgerEntry]:
        items, following = page(
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


def award_from_image(image: dict[str, Any]) -> tuple[str, Award]:
    item = Item.from_raw_data(image)
    if not isinstance(item, AwardItem):
        raise ValueError(f"not an award record: {item.entity!r}")
    return item.tenant_id, award_from_item(item)
