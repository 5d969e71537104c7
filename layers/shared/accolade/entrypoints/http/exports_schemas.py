"""The exports routes' bodies: what an export asks for, and how it stands."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from accolade.domain.exports import Export, ExportFilters
from accolade.domain.models import AwardStatus
from accolade.entrypoints.http.bodies import Body, Id, Instant, Out, Schema
from accolade.entrypoints.http.schemas import Listing


class ExportIn(Body):
    achievement_id: Id | None = None
    org_id: Id | None = None
    status: AwardStatus | None = Field(
        default=None, description="the status shown when the job reads the award"
    )
    # "from" is a Python keyword: the fields are named so in JSON only.
    awarded_from: Instant | None = Field(
        default=None, alias="from", description="awarded_at at or after (RFC 3339)"
    )
    awarded_to: Instant | None = Field(
        default=None, alias="to", description="awarded_at at or before (RFC 3339); not before from"
    )

    def to_domain(self) -> ExportFilters:
        return ExportFilters.model_validate(self.model_dump())


class ExportFiltersOut(Schema):
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    achievement_id: str | None
    org_id: str | None
    status: AwardStatus | None
    awarded_from: datetime | None = Field(alias="from")
    awarded_to: datetime | None = Field(alias="to")


class ExportStarted(Out):
    export_id: str


class ExportOut(Out):
    export_id: str
    status: Literal["running", "done", "failed"]
    rows: int = Field(description="rows written so far (all of them once done)")
    url: str | None = Field(
        default=None, description="once done: a link to the CSV, valid for 15 minutes"
    )
    filters: ExportFiltersOut
    created_at: datetime
    requested_by: str
    finished_at: datetime | None
    error: str | None = Field(description="why it failed")

    @classmethod
    def of(cls, source: Export) -> ExportOut:
        return cls.link(source, None)

    @classmethod
    def link(cls, export: Export, url: str | None) -> ExportOut:
        filters = ExportFiltersOut.model_validate(export.filters.model_dump())
        return cls.read(export, status=export.status.value, filters=filters, url=url)


class ExportList(Listing[ExportOut]):
    pass
