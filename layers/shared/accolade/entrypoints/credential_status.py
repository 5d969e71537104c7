"""Stream records of revoked awards in, status list bits out: what a verifier of an Open Badges
3.0 credential reads to learn that it is revoked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from accolade.bootstrap import Container, inject
from accolade.observability import count


def revocation_record(record: Mapping[str, Any], c: Container) -> bool:
    """Set the revoked bit of the credential of one award record, if the award is revoked and
    has a credential; True when it set (or found) the bit."""
    from accolade.adapters.dynamo.award_records import award_from_image
    from accolade.services.openbadges import record_revocation

    tenant_id, award = award_from_image(record["dynamodb"]["NewImage"])
    marked = inject(record_revocation, c)(tenant_id, award)
    count("CredentialsRevoked", int(marked))
    return marked
