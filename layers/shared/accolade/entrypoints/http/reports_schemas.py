"""Bodies of the admins' reports."""

from __future__ import annotations

from typing import Self

from pydantic import Field

from accolade.entrypoints.http.bodies import Out
from accolade.entrypoints.http.schemas import Listing
from accolade.ports import OrgCompletion


class CompletionRow(Out):
    org_id: str
    users: int = Field(description="the organisation's users (in the group, when one is asked)")
    earned: int = Field(description="how many of them hold an active award of the achievement")
    share: float = Field(description="earned / users, to 4 decimals (0 without users)")

    @classmethod
    def of(cls, row: OrgCompletion) -> Self:
        return cls.read(row, share=row.share)


class CompletionReport(Listing[CompletionRow]):
    pass
