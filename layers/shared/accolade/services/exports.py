"""Awards exports: ask for one, follow it, and run the job that streams its CSV into S3."""

from __future__ import annotations

import csv
import io
import secrets
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from accolade.domain.errors import InvalidInputError, NotFoundError
from accolade.domain.exports import (
    COLUMNS,
    LINK_SECONDS,
    MAX_ATTEMPTS,
    Export,
    ExportFilters,
    ExportStatus,
    ShownHolder,
    csv_row,
    new_export_id,
)
from accolade.domain.models import Award
from accolade.observability import logger
from accolade.ports import (
    Clock,
    ConfigRepository,
    ExportFiles,
    ExportRepository,
    Page,
    PageRequest,
    UserRepository,
)

PROGRESS_ROWS = 5_000  # the export item's ``rows`` moves this often (one UpdateItem each)
CHUNK_BYTES = 64 * 1024  # CSV text handed to the file store at a time
# Holders kept across pages (a user holds awards of many achievements): bounded (some 4 MB), so
# that a million holders never sit in memory. By hand: functools' caches cannot fill from a
# batch read.
HOLDERS_KEPT = 20_000


class ExportSupersededError(Exception):
    """Another attempt claimed the export meanwhile: this one stops writing."""


def start_export(
    tenant_id: str,
    filters: ExportFilters,
    requested_by: str,
    *,
    exports: ExportRepository,
    config: ConfigRepository,
    clock: Clock,
) -> Export:
    """Record a running export: its item's stream record starts the job."""
    wanted = filters.achievement_id
    if wanted is not None and config.get_achievement(tenant_id, wanted) is None:
        raise InvalidInputError("achievement_id", f"no achievement {wanted}")
    now = clock.now()
    export = Export(
        export_id=new_export_id(now),
        filters=filters.checked(),
        created_at=now,
        requested_by=requested_by,
    )
    exports.create(tenant_id, export)
    return export


def get_export(tenant_id: str, export_id: str, *, exports: ExportRepository) -> Export:
    found = exports.get(tenant_id, export_id)
    if found is None:
        raise NotFoundError(f"export {export_id} not found")
    return found


def export_link(tenant_id: str, export: Export, *, export_files: ExportFiles) -> str | None:
    """A short-lived link to a finished export's CSV; None until it is done."""
    if export.status is not ExportStatus.DONE:
        return None
    return export_files.link(tenant_id, export.export_id, LINK_SECONDS)


def list_exports(tenant_id: str, *, page: PageRequest, exports: ExportRepository) -> Page[Export]:
    return exports.exports_page(tenant_id, limit=page.limit, after=page.after)


def run_export(
    tenant_id: str,
    export_id: str,
    *,
    exports: ExportRepository,
    export_files: ExportFiles,
    users: UserRepository,
    config: ConfigRepository,
    clock: Clock,
    progress_rows: int = PROGRESS_ROWS,
) -> Export | None:
    """Run one attempt of an export job: claim it, stream its CSV, mark it done (or failed).

    A trigger delivered again for a done or failed export does nothing. A retry after a crash
    claims the export anew (rows back to 0) and rewrites the same file: one file, rows counted
    once. An attempt whose claim was taken over stops without writing the item.
    """
    attempt = secrets.token_hex(8)
    claimed = exports.claim(tenant_id, export_id, attempt)
    if claimed is None:
        return None
    if claimed.attempts > MAX_ATTEMPTS:
        reason = f"stopped after {MAX_ATTEMPTS} attempts that did not finish"
        exports.fail(tenant_id, export_id, attempt, reason, clock.now())
        return exports.get(tenant_id, export_id)
    now = clock.now()
    rows = _Rows(lambda written: exports.progress(tenant_id, export_id, attempt, written))
    try:
        tenant = config.get_config(tenant_id)
        names = {each.achievement_id: each.name for each in tenant.achievements}
        wanted = claimed.filters.achievement_id
        achievement_ids = [wanted] if wanted is not None else sorted(names)
        pages = exports.award_pages(tenant_id, achievement_ids, claimed.filters, now)
        cells = _cells(pages, claimed.filters, tenant_id, names, users, now)
        export_files.write(tenant_id, export_id, csv_chunks(rows.counted(cells, progress_rows)))
    except ExportSupersededError:
        return None
    except Exception as exc:
        logger.exception("export failed", extra={"export_id": export_id})
        exports.fail(tenant_id, export_id, attempt, f"{type(exc).__name__}: {exc}", clock.now())
        return exports.get(tenant_id, export_id)
    if not exports.finish(tenant_id, export_id, attempt, rows.written, clock.now()):
        return None  # another attempt claimed it meanwhile: its outcome stands
    return exports.get(tenant_id, export_id)


class _Rows:
    """Counts the rows handed on and reports every ``every`` to ``record`` (False: the claim
    was lost)."""

    def __init__(self, record: Callable[[int], bool]) -> None:
        self._record = record
        self.written = 0

    def counted(self, rows: Iterable[list[str]], every: int) -> Iterator[list[str]]:
        for row in rows:
            yield row
            self.written += 1
            if self.written % every == 0 and not self._record(self.written):
                raise ExportSupersededError


def _cells(
    pages: Iterable[list[Award]],
    filters: ExportFilters,
    tenant_id: str,
    names: dict[str, str],
    users: UserRepository,
    now: datetime,
) -> Iterator[list[str]]:
    """The CSV rows of the awards, each joined with its holder's profile (which also filters by
    organisation: awards do not hold it)."""
    holders: OrderedDict[str, ShownHolder | None] = OrderedDict()
    for awards in pages:
        missing = {award.user_id for award in awards} - holders.keys()
        found = users.get_users(tenant_id, missing) if missing else {}
        for user_id in missing:
            profile = found.get(user_id)
            holders[user_id] = (
                ShownHolder(profile.display_name, profile.org_id) if profile else None
            )
        while len(holders) > HOLDERS_KEPT:
            holders.popitem(last=False)
        for award in awards:
            holder = holders.get(award.user_id)
            if filters.org_id is not None and (holder is None or holder.org_id != filters.org_id):
                continue
            yield csv_row(award, holder, names.get(award.achievement_id, ""), now)


def csv_chunks(rows: Iterable[list[str]]) -> Iterator[bytes]:
    """The CSV (header first, RFC 4180 quoting, CRLF line ends) as UTF-8 chunks of about
    ``CHUNK_BYTES``: the whole text is never held."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(row)
        if text.tell() >= CHUNK_BYTES:
            yield text.getvalue().encode()
            text.seek(0)
            text.truncate()
    yield text.getvalue().encode()
