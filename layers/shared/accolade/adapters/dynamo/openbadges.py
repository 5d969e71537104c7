"""Open Badges 3.0 in the table: a tenant's issuer keys, its credentials' records and the revoked
bits of its status lists. Every invariant is a condition: one active key, one record per award,
one award per status entry."""

from __future__ import annotations

from collections.abc import Callable

from pynamodb.exceptions import DoesNotExist

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.common import MAX_ATTEMPTS, update_on_version
from accolade.adapters.dynamo.models import (
    AwardItem,
    CredentialRecordItem,
    IssuerKeyItem,
    Item,
    StatusCounterItem,
    StatusListItem,
)
from accolade.adapters.dynamo.transact import Transaction, backoff, commit
from accolade.domain.models import Award, AwardKey, AwardStatus
from accolade.domain.openbadges import STATUS_LIST_SIZE, CredentialRecord
from accolade.ports import IssuerKey


def _key_of(item: IssuerKeyItem) -> IssuerKey:
    return IssuerKey(item.key_id, dict(item.public_jwk), bytes(item.sealed), item.created_at)


def _key_item(tenant_id: str, sk: str, key: IssuerKey) -> IssuerKeyItem:
    return IssuerKeyItem(
        keys.issuer_pk(tenant_id),
        sk,
        tenant_id=tenant_id,
        key_id=key.key_id,
        public_jwk=key.public_jwk,
        sealed=key.sealed_private_key,
        created_at=key.created_at,
    )


def _record_of(item: CredentialRecordItem) -> CredentialRecord:
    return CredentialRecord(
        award_id=item.award_id,
        credential_id=item.credential_id,
        subject_id=item.subject_id,
        salt=item.salt,
        status_index=int(item.status_index),
        issued_at=item.issued_at,
    )


def _get(model: type[Item], pk: str, sk: str) -> Item | None:
    try:
        return model.get(pk, sk, consistent_read=True)
    except DoesNotExist:
        return None


class DynamoCredentialRepository:
    def active_key(self, tenant_id: str) -> IssuerKey | None:
        item = _get(IssuerKeyItem, keys.issuer_pk(tenant_id), keys.ACTIVE_ISSUER_KEY)
        return _key_of(item) if isinstance(item, IssuerKeyItem) else None

    def keys(self, tenant_id: str) -> list[IssuerKey]:
        found = IssuerKeyItem.query(
            keys.issuer_pk(tenant_id),
            IssuerKeyItem.SK.startswith(keys.ISSUER_KEY_PREFIX),
            consistent_read=True,
        )
        return [_key_of(item) for item in found]

    def add_key(self, tenant_id: str, key: IssuerKey, *, replacing: str | None) -> bool:
        active = _key_item(tenant_id, keys.ACTIVE_ISSUER_KEY, key)
        still = (
            IssuerKeyItem.PK.does_not_exist()
            if replacing is None
            else IssuerKeyItem.key_id == replacing
        )
        # Through transact.Transaction: a rotation by an admin is stamped for the audit log.
        tx = Transaction()
        made = _key_item(tenant_id, keys.issuer_key_sk(key.key_id), key)
        tx.put("key", made, IssuerKeyItem.PK.does_not_exist())
        tx.put("active", active, still)
        cancelled = commit(tx)
        if cancelled is None:
            return True
        if cancelled.failed_conditions:
            return False  # the key was rotated meanwhile
        raise RuntimeError("rotating the issuer key: a conflicting write, try again")

    def record_of(self, tenant_id: str, award: Award) -> CredentialRecord | None:
        item = _get(
            CredentialRecordItem,
            keys.user_pk(tenant_id, award.user_id),
            keys.credential_sk(award.key),
        )
        return _record_of(item) if isinstance(item, CredentialRecordItem) else None

    def add_record(
        self, tenant_id: str, award: Award, make: Callable[[int], CredentialRecord]
    ) -> CredentialRecord | None:
        pk = keys.user_pk(tenant_id, award.user_id)
        for attempt in range(MAX_ATTEMPTS):
            counter = _get(StatusCounterItem, keys.issuer_pk(tenant_id), keys.STATUS_COUNTER)
            index = int(counter.next_index) if isinstance(counter, StatusCounterItem) else 0
            record = make(index)
            item = CredentialRecordItem(
                pk,
                keys.credential_sk(award.key),
                tenant_id=tenant_id,
                award_id=record.award_id,
                credential_id=record.credential_id,
                subject_id=record.subject_id,
                salt=record.salt,
                status_index=record.status_index,
                issued_at=record.issued_at,
            )
            moved = StatusCounterItem(
                keys.issuer_pk(tenant_id), keys.STATUS_COUNTER, tenant_id=tenant_id
            )
            unmoved = (
                StatusCounterItem.next_index == index
                if index
                else StatusCounterItem.next_index.does_not_exist()
            )
            # Through transact.Transaction (stamped, should an audited action ever issue one).
            tx = Transaction()
            award_item = AwardItem(pk, keys.award_sk(award.key))
            tx.check("award", award_item, AwardItem.status == AwardStatus.ACTIVE.value)
            tx.put("record", item, CredentialRecordItem.PK.does_not_exist())
            counter_moves = [
                StatusCounterItem.next_index.set(index + 1),
                StatusCounterItem.tenant_id.set(tenant_id),
                StatusCounterItem.entity.set(StatusCounterItem),
            ]
            tx.update("counter", moved, counter_moves, unmoved)
            cancelled = commit(tx)
            if cancelled is not None:
                if "award" in cancelled.failed_conditions:
                    return None  # revoked (or gone) meanwhile
                if "record" in cancelled.failed_conditions:
                    return self.record_of(tenant_id, award)  # another request allocated it
                backoff(attempt)  # the counter moved, or a conflict: read it again
                continue
            return record
        raise RuntimeError("allocating a credential status entry: too many conflicts")

    def revoked_offsets(self, tenant_id: str, status_list: int) -> set[int]:
        item = _get(StatusListItem, keys.issuer_pk(tenant_id), keys.status_list_sk(status_list))
        if not isinstance(item, StatusListItem):
            return set()
        bits = bytes(item.bits)
        return {
            at * 8 + bit
            for at, byte in enumerate(bits)
            if byte
            for bit in range(8)
            if byte & (0x80 >> bit)
        }

    def mark_revoked(self, tenant_id: str, award_key: AwardKey) -> bool:
        found = _get(
            CredentialRecordItem,
            keys.user_pk(tenant_id, award_key.user_id),
            keys.credential_sk(award_key),
        )
        if not isinstance(found, CredentialRecordItem):
            return False
        record = _record_of(found)
        sk = keys.status_list_sk(record.status_list)
        for attempt in range(MAX_ATTEMPTS):
            item = _get(StatusListItem, keys.issuer_pk(tenant_id), sk)
            read = int(item.version) if isinstance(item, StatusListItem) else 0
            bits = (
                bytearray(bytes(item.bits))
                if isinstance(item, StatusListItem)
                else bytearray(STATUS_LIST_SIZE // 8)
            )
            mask = 0x80 >> (record.status_offset % 8)
            if bits[record.status_offset // 8] & mask:
                return True  # set already (a redelivered record)
            bits[record.status_offset // 8] |= mask
            target = StatusListItem(keys.issuer_pk(tenant_id), sk)
            actions = [
                StatusListItem.bits.set(bytes(bits)),
                StatusListItem.tenant_id.set(tenant_id),
                StatusListItem.entity.set(StatusListItem),
            ]
            if update_on_version(target, StatusListItem.version, read, actions):
                return True
            backoff(attempt)
        raise RuntimeError("setting a credential's revoked bit: too many conflicts")
