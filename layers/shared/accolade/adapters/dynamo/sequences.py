"""Sequences: one item each, whose ``next_number`` moves only under a condition on its value."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, PutError

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.common import conditional_failed
from accolade.adapters.dynamo.models import SequenceItem
from accolade.domain.errors import ConflictError
from accolade.domain.sequences import Numbering, Sequence


def numbering_of(item: SequenceItem) -> Numbering:
    return Numbering(
        Sequence.model_validate(item.doc), int(item.next_number), int(item.issued or 0)
    )


def read_numbering(tenant_id: str, sequence_id: str) -> Numbering | None:
    try:
        item = SequenceItem.get(
            keys.sequence_pk(tenant_id, sequence_id), keys.SEQUENCE, consistent_read=True
        )
    except DoesNotExist:
        return None
    return numbering_of(item)


def sequence_item(tenant_id: str, sequence_id: str) -> SequenceItem:
    return SequenceItem(keys.sequence_pk(tenant_id, sequence_id), keys.SEQUENCE)


class DynamoSequenceRepository:
    def get_sequence(self, tenant_id: str, sequence_id: str) -> Numbering | None:
        return read_numbering(tenant_id, sequence_id)

    def put_sequence(
        self, tenant_id: str, numbering: Numbering, *, expected: Numbering | None
    ) -> None:
        sequence = numbering.sequence
        item = SequenceItem(
            keys.sequence_pk(tenant_id, sequence.sequence_id),
            keys.SEQUENCE,
            tenant_id=tenant_id,
            sequence_id=sequence.sequence_id,
            doc=sequence.model_dump(mode="json"),
            next_number=numbering.next_number,
            issued=numbering.issued,
        )
        condition = (
            SequenceItem.PK.does_not_exist()
            if expected is None
            else (SequenceItem.next_number == expected.next_number)
            & (SequenceItem.issued == expected.issued)
        )
        try:
            item.save(condition=condition)
        except PutError as exc:
            if conditional_failed(exc):
                raise ConflictError(f"sequence {sequence.sequence_id} changed meanwhile") from exc
            raise
