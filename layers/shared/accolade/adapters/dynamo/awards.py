"""Awards, wallets and ledgers: each award unique by key, credited in the same transaction."""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Unpack

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.award_records import award_from_item
from accolade.adapters.dynamo.common import (
    MAX_ATTEMPTS,
    fields_of,
    stored,
    update_if,
    user_page,
)
from accolade.adapters.dynamo.inbox import put_message
from accolade.adapters.dynamo.models import (
    AwardItem,
    ExpiringTenantItem,
    IdentifierItem,
    Item,
    LedgerItem,
    SequenceItem,
    SummaryItem,
    WalletItem,
    WinnerSlotItem,
)
from accolade.adapters.dynamo.sequences import read_numbering, sequence_item
from accolade.adapters.dynamo.transact import (
    MAX_ITEMS,
    Transaction,
    backoff,
    commit,
    commit_retrying,
)
from accolade.domain.errors import ConflictError, InvalidInputError
from accolade.domain.models import (
    AchievementSummary,
    Award,
    AwardKey,
    AwardStatus,
    CertificateStatus,
    Issuer,
    LedgerEntry,
    Message,
    Slot,
    Wallet,
)
from accolade.domain.sequences import Numbering
from accolade.ports import (
    AwardsToGrant,
    BatchGrant,
    Clock,
    GrantTerms,
    HoldersQuery,
    Holdings,
    Page,
    UserAwardsQuery,
)

# A sequence is one item that every numbered award's transaction moves: racing grants retry
# until they win it (50 at once each win within 50 rounds), with a short random wait between.
SEQUENCE_ATTEMPTS = 200


def _needs_number(award: Award) -> bool:
    return award.sequence_id is not None and award.identifier is None


def _contention_pause(attempt: int) -> None:
    # Jittered, so that the racers do not come back in step; capped low: the item is hot.
    time.sleep(random.uniform(0, min(0.004 * 2 ** min(attempt, 6), 0.25)))


def number_awards(
    awards: Sequence[Award], issuer: Issuer | None, read: Mapping[str, Numbering]
) -> tuple[list[Award], dict[str, tuple[Numbering, int]]]:
    """The awards with the identifiers their sequences' next numbers give (in order), and how
    many numbers each sequence gives from the numbering read."""
    taken: dict[str, tuple[Numbering, int]] = {}
    numbered: list[Award] = []
    for award in awards:
        if not _needs_number(award):
            numbered.append(award)
            continue
        assert award.sequence_id is not None
        numbering = read[award.sequence_id]
        _, count = taken.get(award.sequence_id, (numbering, 0))
        try:
            identifier = numbering.sequence.identifier(
                numbering.next_number + count, award.awarded_at, issuer
            )
        except ValueError as exc:
            raise InvalidInputError("sequence_id", str(exc)) from exc
        taken[award.sequence_id] = (numbering, count + 1)
        numbered.append(award.model_copy(update={"identifier": identifier}))
    return numbered, taken


WALLET_FIELDS = ("PK", "SK", "entity", "tenant_id", "user_id", "points", "coins", "entries")


def _award_item(tenant_id: str, award: Award, *, expiring: bool = True) -> AwardItem:
    """The award's item; an active one that lapses is in the expiry index (``expiring``) until
    its holder is told, or a renewal supersedes it."""
    item = AwardItem(
        keys.user_pk(tenant_id, award.user_id),
        keys.award_sk(award.key),
        tenant_id=tenant_id,
        GSI1PK=keys.achievement_holders_pk(tenant_id, award.achievement_id),
        GSI1SK=keys.achievement_holders_sk(award.awarded_at, award.user_id),
        **stored(award),
    )
    if expiring and _told_of_expiry(award) and award.valid_until is not None:
        item.LBPK = keys.expiry_pk(tenant_id, award.valid_until)
        item.LBSK = keys.expiry_sk(award.valid_until)
    return item


def _award_key_item(tenant_id: str, key: AwardKey) -> AwardItem:
    """The award's item by its key alone: what an update names."""
    return AwardItem(keys.user_pk(tenant_id, key.user_id), keys.award_sk(key))


def _move_certificate(
    tenant_id: str, award: Award, to: CertificateStatus, action: Any, when: Condition
) -> bool:
    """Move the award's certificate to status ``to`` (with ``action``) when ``when`` holds;
    False (nothing written) when it does not."""
    actions = [AwardItem.certificate_status.set(to.value), action]
    return update_if(_award_key_item(tenant_id, award.key), actions, when)


def _told_of_expiry(award: Award) -> bool:
    """Whether its holder is to be told it expires soon: an active credential that lapses."""
    active = award.status is AwardStatus.ACTIVE
    return active and award.valid_until is not None and not award.time_boxed


def _expiry_actions(tenant_id: str, valid_until: datetime | None, indexed: bool) -> list[Any]:
    """Set the award's expiry index entry (or remove it) to match ``valid_until``."""
    if valid_until is None or not indexed:
        return [AwardItem.LBPK.remove(), AwardItem.LBSK.remove()]
    return [
        AwardItem.LBPK.set(keys.expiry_pk(tenant_id, valid_until)),
        AwardItem.LBSK.set(keys.expiry_sk(valid_until)),
    ]


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


def _lock_summary(
    transaction: Transaction, tenant_id: str, user_id: str, summary: AchievementSummary, read: int
) -> None:
    """Put the user's ``summary`` on the condition that its version is still the one read (0:
    none stored yet): the optimistic lock that keeps it the count of the user's awards."""
    transaction.put(
        ("summary", summary.achievement_id),
        _summary_item(tenant_id, user_id, summary, read + 1),
        SummaryItem.version == read if read else SummaryItem.PK.does_not_exist(),
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
    # Numbered awards add an identifier each and a sequence update per sequence: 5 items each at
    # most, plus the wallet and a slot.
    NUMBERED_AWARDS_PER_TRANSACTION = 19

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._expiring_tenants: set[str] = set()  # marked by this process already

    def _mark_expiring(self, tenant_id: str, awards: Iterable[Award]) -> None:
        """List the tenant for the notices job before its first award with an expiry is
        written (an idempotent put, once per process and tenant): a crash after it leaves a
        harmless listing, never an award the job cannot find."""
        if tenant_id in self._expiring_tenants or all(a.valid_until is None for a in awards):
            return
        ExpiringTenantItem(
            keys.expiring_tenant_pk(tenant_id),
            keys.EXPIRING_TENANT_SK,
            tenant_id=tenant_id,
            GSI1PK=keys.EXPIRING_TENANTS_INDEX_PK,
            GSI1SK=tenant_id,
        ).save()
        self._expiring_tenants.add(tenant_id)

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

    def grant_together(self, tenant_id: str, batch: AwardsToGrant) -> BatchGrant:
        by_user, holdings, issuers = batch
        outcome = BatchGrant()
        packs: list[_Pack] = []
        written: dict[str, list[Award]] = {}
        self._mark_expiring(tenant_id, [a for its in by_user.values() for a in its])
        numbered = [a for its in by_user.values() for a in its if _needs_number(a)]
        # Numbers run on from the sequences as read, pack after pack: each pack moves each
        # sequence on from where the one before left it, so a pack that does not commit fails
        # every later pack's condition on that sequence (their users are granted one by one).
        position = dict(self._numberings(tenant_id, numbered)) if numbered else {}
        for user_id, awards in by_user.items():
            refs = {a.issued_by for a in awards if _needs_number(a)}
            if (
                len(awards)
                > (self.NUMBERED_AWARDS_PER_TRANSACTION if refs else self.AWARDS_PER_TRANSACTION)
                or len(refs) > 1
            ):
                # Several transactions, or numbers merged from two issuers: one by one.
                outcome.unwritten.add(user_id)
                continue
            ref = next(iter(refs), None)
            issuer = (issuers or {}).get(ref) if ref else None
            if ref and issuer is None:
                outcome.unwritten.add(user_id)  # its merge fields are not known here
                continue
            summaries = {
                award.achievement_id: holdings.summaries.get(
                    (user_id, award.achievement_id),
                    (AchievementSummary(achievement_id=award.achievement_id), 0),
                )
                for award in awards
            }
            wallet = holdings.wallets.get(user_id, Wallet())
            with_numbers, numbers = number_awards(awards, issuer, position)
            mine, written[user_id] = self._grant_transaction(
                tenant_id, user_id, wallet, with_numbers, summaries
            )
            fresh = [
                a for a, was in zip(written[user_id], awards, strict=True) if _needs_number(was)
            ]
            _claim_identifiers(mine, tenant_id, fresh)
            if not packs or not packs[-1].fits(mine, numbers):
                packs.append(_Pack())
            packs[-1].add(user_id, mine, numbers)
            for sequence_id, (read, count) in numbers.items():
                position[sequence_id] = read._replace(
                    next_number=read.next_number + count, issued=read.issued + count
                )
        for pack in packs:
            if commit(pack.closed(tenant_id)) is None:
                outcome.granted += [award for user in pack.users for award in written[user]]
            else:
                outcome.unwritten |= set(pack.users)
        return outcome

    def grant(
        self, tenant_id: str, user_id: str, awards: Sequence[Award], **terms: Unpack[GrantTerms]
    ) -> list[Award]:
        issuer = terms.get("issuer")
        if issuer is not None:
            awards = [a.model_copy(update={"issued_by": a.issued_by or issuer.ref}) for a in awards]
        if terms.get("slot") is not None:
            return self._grant_chunk(tenant_id, user_id, list(awards), **terms)
        granted: list[Award] = []
        size = (
            self.NUMBERED_AWARDS_PER_TRANSACTION
            if any(map(_needs_number, awards))
            else self.AWARDS_PER_TRANSACTION
        )
        for start in range(0, len(awards), size):
            chunk = list(awards[start : start + size])
            granted += self._grant_chunk(tenant_id, user_id, chunk, **terms)
        return granted

    def _grant_chunk(
        self, tenant_id: str, user_id: str, awards: list[Award], **terms: Unpack[GrantTerms]
    ) -> list[Award]:
        slot, issuer = terms.get("slot"), terms.get("issuer")
        pending = awards
        self._mark_expiring(tenant_id, awards)
        attempt = contended = 0
        while True:
            if not pending:
                return []
            wallet = self.wallet(tenant_id, user_id)
            summaries = self._stored_summaries(tenant_id, user_id, pending)
            numbered, numbers = number_awards(pending, issuer, self._numberings(tenant_id, pending))
            transaction, written = self._grant_transaction(
                tenant_id, user_id, wallet, numbered, summaries
            )
            fresh = [a for a, was in zip(written, pending, strict=True) if _needs_number(was)]
            _take_numbers(transaction, tenant_id, fresh, numbers)
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
                return written
            failed = cancelled.failed_conditions
            if "slot" in failed:
                return []
            taken = {label for label in failed if isinstance(label, str)}
            pending = [award for award in pending if award.award_id not in taken]
            raced = any(isinstance(label, tuple) and label[0] == "sequence" for label in failed)
            if numbers and (raced or cancelled.retryable):
                # A racer took the numbers read (and so, likely, the identifiers made of them).
                contended += 1
                if contended >= SEQUENCE_ATTEMPTS:
                    raise RuntimeError(f"awards for {user_id}: the sequence is too busy")
                _contention_pause(contended)
                continue
            clash = [
                award.identifier
                for award in numbered
                if award.award_id not in taken and ("identifier", award.identifier) in failed
            ]
            if clash:
                # The numbers were free, yet the text is held: another sequence of the tenant
                # made the same identifier (their formats overlap).
                raise ConflictError(
                    f"identifier {clash[0]} is held by another award: give the tenant's "
                    "sequences formats that differ in their text"
                )
            attempt += 1
            if attempt >= MAX_ATTEMPTS:
                raise RuntimeError(f"awards for {user_id} could not be written: too many conflicts")
            stale = any(
                label == "wallet" or (isinstance(label, tuple) and label[0] == "summary")
                for label in failed
            )
            if cancelled.retryable or stale:
                backoff(attempt - 1)

    @staticmethod
    def _numberings(tenant_id: str, awards: Sequence[Award]) -> dict[str, Numbering]:
        """The sequences that number ``awards``, as stored now (strongly consistent)."""
        found: dict[str, Numbering] = {}
        wanted = {a.sequence_id for a in awards if a.sequence_id and a.identifier is None}
        for sequence_id in sorted(wanted):
            numbering = read_numbering(tenant_id, sequence_id)
            if numbering is None:
                raise InvalidInputError("sequence_id", f"no sequence {sequence_id!r}")
            found[sequence_id] = numbering
        return found

    def award_by_identifier(self, tenant_id: str, identifier: str) -> Award | None:
        try:
            item = IdentifierItem.get(
                keys.identifier_pk(tenant_id, identifier), keys.IDENTIFIER, consistent_read=True
            )
        except DoesNotExist:
            return None
        return self.get_award(tenant_id, AwardKey.from_award_id(item.award_id))

    def request_certificate(self, tenant_id: str, award: Award, at: datetime) -> bool:
        # The time makes it a change even when pending already: DynamoDB Streams writes no
        # record for an update that changes nothing, and the record is what renders it.
        requested = AwardItem.certificate_requested_at.set(at)
        active = AwardItem.status == AwardStatus.ACTIVE.value
        return _move_certificate(tenant_id, award, CertificateStatus.PENDING, requested, active)

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
            | (
                {"certificate_status": CertificateStatus.REVOKED}
                if award.certificate_status
                else {}
            )
        )

        def build() -> Transaction:
            transaction = Transaction()
            transaction.update(
                "award",
                _award_key_item(tenant_id, award.key),
                [
                    AwardItem.status.set(AwardStatus.REVOKED.value),
                    AwardItem.revoked_at.set(at),
                    AwardItem.revoke_reason.set(reason),
                    *(
                        [AwardItem.certificate_status.set(CertificateStatus.REVOKED.value)]
                        if award.certificate_status is not None
                        else []
                    ),
                    *_expiry_actions(tenant_id, None, indexed=False),  # nothing to tell
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
            others, version = self._others_and_version(tenant_id, award)
            summary = AchievementSummary.of(award.achievement_id, others)
            _lock_summary(transaction, tenant_id, award.user_id, summary, version)
            if slot is not None:
                transaction.delete(
                    "slot",
                    WinnerSlotItem(keys.winner_slot_pk(tenant_id), keys.winner_slot_sk(slot)),
                    WinnerSlotItem.award_id == award.award_id,
                )
            return transaction

        # The wallet or the summary moved meanwhile: made again from what is read then.
        if commit_retrying(build, f"award {award.award_id} could not be revoked", {"award"}):
            raise ConflictError(f"award {award.award_id} is revoked already")
        return revoked

    def _others_and_version(self, tenant_id: str, award: Award) -> tuple[list[Award], int]:
        """The user's other awards of ``award``'s achievement and the version of its summary, as
        stored now: what a change to ``award`` counts the summary anew from."""
        mine = self._awards_of(tenant_id, award.user_id, award.achievement_id)
        _, version = self._stored_summaries(tenant_id, award.user_id, [award])[award.achievement_id]
        return [a for a in mine if a.award_id != award.award_id], version

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
    ) -> tuple[Transaction, list[Award]]:
        """The awards (each on a free key), a ledger entry for each that credits something, the
        wallet locked on its ledger length, and each achievement's summary locked on its
        version: a racing grant fails one of the conditions and nothing is written. Returns it
        with the awards as written: a renewal names the award it supersedes (the summary's
        newest, read under the same lock, so two racing renewals cannot both supersede it), whose
        expiry notice is then withdrawn."""
        transaction = Transaction()
        newest = {achievement_id: read for achievement_id, (read, _) in summaries.items()}
        renewed = []
        for given in awards:
            summary = newest.get(given.achievement_id, AchievementSummary(achievement_id=""))
            award = summary.renewing(given)
            newest[award.achievement_id] = summary.add(award)
            renewed.append(award)
        superseded = {award.supersedes for award in renewed if award.supersedes}
        for award in renewed:
            transaction.put(
                award.award_id,
                _award_item(tenant_id, award, expiring=award.award_id not in superseded),
                AwardItem.PK.does_not_exist(),
            )
        written = {award.award_id for award in renewed}
        for award_id in sorted(superseded - written):
            old = AwardKey.from_award_id(award_id)
            transaction.update(
                ("superseded", award_id),
                _award_key_item(tenant_id, old),
                _expiry_actions(tenant_id, None, indexed=False),
                AwardItem.PK.exists(),
            )
        awards = renewed
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
            _lock_summary(transaction, tenant_id, user_id, summary, version)
        return transaction, awards

    def user_awards(self, tenant_id: str, user_id: str) -> list[Award]:
        items = AwardItem.query(
            keys.user_pk(tenant_id, user_id), AwardItem.SK.startswith(keys.AWARD_PREFIX)
        )
        return [award_from_item(item) for item in items]

    def awards_page(
        self, tenant_id: str, user_id: str, *, limit: int, after: str | None
    ) -> Page[Award]:
        shown = AwardItem.status != AwardStatus.REVOKED.value
        return self._user_page(tenant_id, user_id, shown, limit=limit, after=after)

    def record_certificate(self, tenant_id: str, award: Award, key: str) -> bool:
        stored_at = AwardItem.certificate_key.set(key)
        pending = AwardItem.certificate_status == CertificateStatus.PENDING.value
        return _move_certificate(tenant_id, award, CertificateStatus.ISSUED, stored_at, pending)

    def wallet(self, tenant_id: str, user_id: str) -> Wallet:
        return _wallet(self._wallet_item(tenant_id, user_id))

    def ledger(
        self, tenant_id: str, user_id: str, *, limit: int, after: str | None = None
    ) -> Page[LedgerEntry]:
        def entry(item: LedgerItem) -> LedgerEntry:
            return fields_of(
                LedgerEntry, item, user_id=user_id, sequence=keys.ledger_sequence(item.SK)
            )

        return user_page(
            LedgerItem, tenant_id, user_id, keys.LEDGER_PREFIX, entry, limit=limit, after=after
        )

    def set_valid_until(self, tenant_id: str, award: Award, valid_until: datetime | None) -> Award:
        edited = award.model_copy(update={"valid_until": valid_until})
        self._mark_expiring(tenant_id, [edited])

        def build() -> Transaction:
            others, version = self._others_and_version(tenant_id, award)
            summary = AchievementSummary.of(award.achievement_id, [*others, edited])
            transaction = Transaction()
            transaction.update(
                "award",
                _award_key_item(tenant_id, award.key),
                [
                    AwardItem.valid_until.set(valid_until)
                    if valid_until
                    else AwardItem.valid_until.remove(),
                    *_expiry_actions(
                        tenant_id,
                        valid_until,
                        _told_of_expiry(edited) and not summary.superseded(edited),
                    ),
                ],
                AwardItem.status == AwardStatus.ACTIVE.value,
            )
            _lock_summary(transaction, tenant_id, award.user_id, summary, version)
            return transaction

        # The summary moved meanwhile (a grant, a revoke, another edit): made again from it.
        if commit_retrying(build, f"award {award.award_id} could not be edited", {"award"}):
            raise ConflictError(f"award {award.award_id} is revoked")
        return edited

    def user_awards_page(self, tenant_id: str, query: UserAwardsQuery) -> Page[Award]:
        shown = _shown_as(query.status, query.now)
        return self._user_page(
            tenant_id, query.user_id, shown, limit=query.limit, after=query.after
        )

    @staticmethod
    def _user_page(
        tenant_id: str, user_id: str, shown: Condition | None, *, limit: int, after: str | None
    ) -> Page[Award]:
        """A page of the user's awards by (achievement, period, level), those ``shown`` only."""
        return user_page(
            AwardItem,
            tenant_id,
            user_id,
            keys.AWARD_PREFIX,
            award_from_item,
            limit=limit,
            after=after,
            filter_condition=shown,
        )

    def expiring_tenants(self) -> list[str]:
        listed = ExpiringTenantItem.tenants.query(keys.EXPIRING_TENANTS_INDEX_PK)
        return sorted({item.tenant_id for item in listed})

    def expiring(self, tenant_id: str, after: datetime, until: datetime) -> list[Award]:
        start, end = keys.expiry_sk(after), keys.expiry_sk(until)
        found: list[tuple[str, str]] = []
        for month in keys.expiry_months(after, until):
            entries = AwardItem.expiring.query(
                keys.expiry_pk(tenant_id, month), AwardItem.LBSK.between(start, end)
            )
            # between() takes both ends; the window starts after ``after``.
            found += [(entry.PK, entry.SK) for entry in entries if start < entry.LBSK]
        # The index holds keys only, and lags the table: each award is read again, consistently.
        awards = map(award_from_item, AwardItem.batch_get(found, consistent_read=True))
        return sorted(
            (a for a in awards if a.status is AwardStatus.ACTIVE and a.valid_until is not None),
            key=lambda a: (a.valid_until, a.award_id),
        )

    def record_expiry_notice(self, tenant_id: str, award: Award, message: Message) -> bool:
        assert award.valid_until is not None
        item = _award_key_item(tenant_id, award.key)
        # Told once: the notice and taking the award out of the index commit together, on the
        # condition that it is still in the index for this expiry (a second run, a concurrent
        # one or a replay fails it); an edit or revocation meanwhile fails it too.
        still_due = (
            (AwardItem.LBSK == keys.expiry_sk(award.valid_until))  # noqa: SIM300 - an attribute
            & (AwardItem.valid_until == award.valid_until)
            & (AwardItem.status == AwardStatus.ACTIVE.value)
        )
        transaction = Transaction()
        put_message(transaction, tenant_id, message)
        transaction.update("award", item, _expiry_actions(tenant_id, None, False), still_due)
        # A failed "message" condition: told already (under the same id), nothing more to do.
        failing = f"the notice of {award.award_id} could not be written"
        return commit_retrying(lambda: transaction, failing) is None


def _take_numbers(
    transaction: Transaction,
    tenant_id: str,
    awards: Sequence[Award],
    numbers: Mapping[str, tuple[Numbering, int]],
) -> None:
    """Move each sequence past the numbers taken and claim the identifier of each of
    ``awards`` (numbered just now): a racing grant fails a condition, and nothing of this
    transaction is written (no number is lost or given twice)."""
    _move_sequences(transaction, tenant_id, numbers)
    _claim_identifiers(transaction, tenant_id, awards)


def _move_sequences(
    transaction: Transaction, tenant_id: str, numbers: Mapping[str, tuple[Numbering, int]]
) -> None:
    """Move each sequence past ``count`` numbers, on the condition that it is still where it
    was read."""
    for sequence_id, (read, count) in sorted(numbers.items()):
        transaction.update(
            ("sequence", sequence_id),
            sequence_item(tenant_id, sequence_id),
            [
                SequenceItem.next_number.set(read.next_number + count),
                SequenceItem.issued.set(read.issued + count),
            ],
            SequenceItem.next_number == read.next_number,
        )


def _claim_identifiers(transaction: Transaction, tenant_id: str, awards: Sequence[Award]) -> None:
    for award in awards:
        assert award.identifier is not None
        transaction.put(
            ("identifier", award.identifier),
            IdentifierItem(
                keys.identifier_pk(tenant_id, award.identifier),
                keys.IDENTIFIER,
                tenant_id=tenant_id,
                identifier=award.identifier,
                award_id=award.award_id,
                user_id=award.user_id,
            ),
            IdentifierItem.PK.does_not_exist(),
        )


@dataclass
class _Pack:
    """Users' grants committed in one transaction, with the numbers they take from each
    sequence (from the position the pack starts at)."""

    users: list[str] = field(default_factory=list)
    transaction: Transaction = field(default_factory=Transaction)
    numbers: dict[str, tuple[Numbering, int]] = field(default_factory=dict)

    def fits(self, grant: Transaction, numbers: Mapping[str, tuple[Numbering, int]]) -> bool:
        sequences = len(set(numbers) | set(self.numbers))  # an update each, when closed
        return len(self.transaction) + len(grant) + sequences <= MAX_ITEMS

    def add(
        self, user_id: str, grant: Transaction, numbers: Mapping[str, tuple[Numbering, int]]
    ) -> None:
        self.users.append(user_id)
        self.transaction.extend(grant)
        for sequence_id, (read, count) in numbers.items():
            start, taken = self.numbers.get(sequence_id, (read, 0))
            self.numbers[sequence_id] = (start, taken + count)

    def closed(self, tenant_id: str) -> Transaction:
        _move_sequences(self.transaction, tenant_id, self.numbers)
        return self.transaction
