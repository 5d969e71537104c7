"""The audit log: entries recorded from stamped changes, read by admins (``domain.audit``)."""

from __future__ import annotations

from accolade.domain.audit import AuditEntry, AuditQuery
from accolade.ports import AuditLog, Page, PageRequest


def record_change(tenant_id: str, entry: AuditEntry, *, audit_log: AuditLog) -> bool:
    """Keep the entry of one audited change, once however often it is delivered."""
    return audit_log.record(tenant_id, entry)


def audit_page(
    tenant_id: str,
    *,
    page: PageRequest,
    actor: str | None = None,
    action: str | None = None,
    target: str | None = None,
    audit_log: AuditLog,
) -> Page[AuditEntry]:
    """A page of the tenant's audit log, newest first, filtered by actor, action or target id."""
    query = AuditQuery(
        limit=page.limit, after=page.after, actor=actor, action=action, target=target
    )
    return audit_log.entries_page(tenant_id, query)
