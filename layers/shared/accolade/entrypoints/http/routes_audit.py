"""The audit log's route: GET /v1/admin/audit, for admins (``access.ROUTES``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from accolade.domain.limits import PAGE_SIZE_DEFAULT
from accolade.entrypoints.http.routes import ID_PATTERN, Cursor, Limit, _tenant_page
from accolade.entrypoints.http.routing import documented, lazily

if TYPE_CHECKING:
    from accolade.entrypoints.http import audit_schemas
    from accolade.services import audit
else:
    audit_schemas = lazily("accolade.entrypoints.http.audit_schemas")
    audit = lazily("accolade.services.audit")

audit_routes = Router()

ActorFilter = Annotated[
    str | None,
    Query(pattern=ID_PATTERN, max_length=128, description="only this user's actions"),
]
ActionFilter = Annotated[
    str | None,
    Query(
        pattern=r"^[a-z][a-z_]*\.[a-z_]+$",
        max_length=64,
        description="only this action, e.g. award.revoke",
    ),
]
TargetFilter = Annotated[
    str | None,
    Query(
        pattern=r"^[A-Za-z0-9._:@-]+$",
        max_length=1024,
        description="only changes naming this id (an achievement, award, user...)",
    ),
]


@documented(audit_routes.get, "/v1/admin/audit", "A page of audit entries, newest first")
def list_audit(
    actor: ActorFilter = None,
    action: ActionFilter = None,
    target: TargetFilter = None,
    limit: Limit = PAGE_SIZE_DEFAULT,
    cursor: Cursor = None,
) -> audit_schemas.AuditList:
    """List the audit log

    Every change admin actions made (create, edit, give, revoke, settings, users, goals,
    courses, results, sequences...), newest first: who (user id and roles), what (action,
    route, the ids it names, the kind of item), when, and the item before and after. Filter by
    actor, action or target id; the cursor is bound to the filters. Kept 400 days.
    """
    return _tenant_page(
        audit_schemas.AuditList,
        "admin/audit",
        cursor,
        audit.audit_page,
        filters=(actor or "", action or "", target or ""),
        limit=limit,
        actor=actor,
        action=action,
        target=target,
    )
