"""The awards exports routes: ask for an export, follow it, list them. The job itself runs in
the export_awards function, started by the export item's stream record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from accolade.bootstrap import container, inject
from accolade.domain.limits import PAGE_SIZE_DEFAULT
from accolade.entrypoints.http.routes import Cursor, Limit, PathId, _admin, _tenant_page
from accolade.entrypoints.http.routing import answer, documented, lazily

if TYPE_CHECKING:
    from accolade.entrypoints.http import exports_schemas
    from accolade.services import exports
else:
    exports_schemas = lazily("accolade.entrypoints.http.exports_schemas")
    exports = lazily("accolade.services.exports")

export_routes = Router()


@documented(
    export_routes.post,
    "/v1/admin/exports",
    "Accepted: the export runs in the background",
    status=202,
)
def start_export(
    body: Annotated[exports_schemas.ExportIn, Body()],
) -> Response[exports_schemas.ExportStarted]:
    """Export awards as CSV

    Start a background export of the tenant's awards as CSV (for a CRM or another recognition
    program), all of them or those of one achievement, organisation, status and awarded_at range
    (from and to inclusive; to before from is 422). Follow it with GET /v1/admin/exports/{id}.
    """
    caller = _admin(export_routes)
    started = inject(exports.start_export, container())(
        caller.tenant_id, body.to_domain(), caller.user_id
    )
    return answer(202, exports_schemas.ExportStarted(export_id=started.export_id))


@documented(export_routes.get, "/v1/admin/exports/<export_id>", "The export and its progress")
def get_export(export_id: PathId) -> exports_schemas.ExportOut:
    """Follow an export

    Its status (running, done or failed), the rows written so far and, once done, a link to
    the CSV valid for 15 minutes (ask again for a fresh one). Another tenant's export is 404.
    """
    caller = _admin(export_routes)
    c = container()
    found = inject(exports.get_export, c)(caller.tenant_id, export_id)
    url = inject(exports.export_link, c)(caller.tenant_id, found)
    return exports_schemas.ExportOut.link(found, url)


@documented(export_routes.get, "/v1/admin/exports", "A page of exports")
def list_exports(
    limit: Limit = PAGE_SIZE_DEFAULT, cursor: Cursor = None
) -> exports_schemas.ExportList:
    """List exports

    The tenant's exports, newest first, with their status and rows (GET one for its link).
    """
    listing = exports_schemas.ExportList
    return _tenant_page(listing, "admin/exports", cursor, exports.list_exports, limit=limit)
