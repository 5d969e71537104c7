"""Stream records in, audit entries out: a stamped write's record becomes its audit entry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from accolade.bootstrap import Container, inject
from accolade.observability import count


def audit_record(record: Mapping[str, Any], c: Container) -> bool:
    """Record the audit entry of one stream record; True when it was new (False: not a stamped
    change, or its entry was recorded already by an earlier delivery)."""
    from accolade.adapters.dynamo.audit import entry_from_record
    from accolade.services.audit import record_change

    found = entry_from_record(record)
    if found is None:
        return False
    tenant_id, entry = found
    recorded = inject(record_change, c)(tenant_id, entry)
    count("AuditEntriesRecorded", int(recorded))
    return recorded
