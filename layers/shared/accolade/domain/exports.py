"""Awards exports: what an export asks for, its state, and the CSV row of one award.

An export is a background job: the table holds one item per export (its filters, status and
the rows written so far), and the job streams the CSV into the documents bucket.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from enum import StrEnum
from typing import NamedTuple, Protocol

from accolade.domain.errors import InvalidInputError
from accolade.domain.models import Award, AwardStatus, Model

# Cells that a spreadsheet would read as a formula (OWASP "CSV injection"): such a cell is
# written with a leading apostrophe, which spreadsheets show as text and drop from the value.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Every job attempt claims the export anew; after this many, the export is failed (a crash
# that repeats, such as a job longer than the function's timeout, ends instead of looping).
MAX_ATTEMPTS = 3
LINK_SECONDS = 900  # the presigned link of a finished export: 15 minutes

COLUMNS = (
    "award_id",
    "user_id",
    "display_name",
    "org_id",
    "achievement_id",
    "achievement_name",
    "level",
    "period_key",
    "status",
    "awarded_at",
    "valid_from",
    "valid_until",
    "revoked_at",
    "points",
    "coins",
    "identifier",
    "given_by",
    "issued_by",
)


class Holder(Protocol):
    """What a row shows of an award's holder: a user profile, or a ``ShownHolder``."""

    @property
    def display_name(self) -> str: ...
    @property
    def org_id(self) -> str | None: ...


class ShownHolder(NamedTuple):
    """A holder as rows show it: small enough to keep thousands across pages."""

    display_name: str
    org_id: str | None


class ExportStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ExportFilters(Model):
    """Which awards an export holds: every one of the tenant's that matches all given filters.
    ``status`` is the status shown when the job reads the award; ``awarded_from`` and
    ``awarded_to`` bound ``awarded_at``, both inclusive."""

    achievement_id: str | None = None
    org_id: str | None = None
    status: AwardStatus | None = None
    awarded_from: datetime | None = None
    awarded_to: datetime | None = None

    def checked(self) -> ExportFilters:
        """These filters, or an InvalidInputError naming ``to`` when the range is reversed."""
        start, end = self.awarded_from, self.awarded_to
        if start is not None and end is not None and start > end:
            raise InvalidInputError("to", "must not be before from")
        return self


class Export(Model):
    export_id: str
    status: ExportStatus = ExportStatus.RUNNING
    rows: int = 0
    filters: ExportFilters = ExportFilters()
    created_at: datetime
    requested_by: str
    finished_at: datetime | None = None
    error: str | None = None
    attempts: int = 0


def new_export_id(now: datetime) -> str:
    """Time first (UTC, fixed width), so that ids sort as the exports were asked for."""
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}"


def spreadsheet_safe(cell: str) -> str:
    """``cell``, prefixed with an apostrophe when a spreadsheet would run it as a formula."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def _instant(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def csv_row(award: Award, holder: Holder | None, achievement_name: str, now: datetime) -> list[str]:
    """The cells of one award, in ``COLUMNS`` order: text that no spreadsheet runs."""
    cells = (
        award.award_id,
        award.user_id,
        holder.display_name if holder else "",
        (holder.org_id or "") if holder else "",
        award.achievement_id,
        achievement_name,
        str(award.level),
        award.period_key,
        award.status_at(now).value,
        _instant(award.awarded_at),
        _instant(award.valid_from),
        _instant(award.valid_until),
        _instant(award.revoked_at),
        str(award.points),
        str(award.coins),
        award.identifier or "",
        award.given_by or "",
        award.issued_by or "",
    )
    return [spreadsheet_safe(cell) for cell in cells]
