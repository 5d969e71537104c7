"""Sequences: the gap-free numbers an achievement's awards are identified by, and the formats
that turn a number into an identifier such as ``CPR-2026-00005``."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, NamedTuple

from pydantic import Field, model_validator

from accolade.domain.errors import ConflictError
from accolade.domain.models import Issuer, IssuerKind, Model

SEQUENCE_NUMBER = "sequence_number"
MERGE_FIELD = re.compile(r"\{\{([^{}]*)\}\}")
# Plain merge fields; ``custom.NAME`` is the issuer's custom field NAME.
FIELDS = frozenset({SEQUENCE_NUMBER, "year", "course_code", "path_code"})
CUSTOM = re.compile(r"^custom\.[A-Za-z0-9_-]{1,64}$")
# An identifier is a path segment of the public verification link: only characters a URL
# carries as they are (RFC 3986 unreserved, and ":"). Merged values are made to fit.
LITERAL = re.compile(r"^[A-Za-z0-9._~:-]*$")
NOT_LITERAL = re.compile(r"[^A-Za-z0-9._~:-]")
MAX_FORMAT = 100
# Keeps the identifier's lookup key (and the verification URL) far below DynamoDB's 2 KB keys.
MAX_IDENTIFIER = 200
MAX_PADDING = 12
MAX_START = 10**15  # numbers stay exact in a DynamoDB number and in JSON


def check_format(text: str) -> str:
    """``text`` when it is a usable format, else ValueError saying why."""
    if any(character.isspace() for character in text):
        raise ValueError("must not contain whitespace; use dashes or other separators")
    fields = MERGE_FIELD.findall(text)
    for name in fields:
        if name not in FIELDS and not CUSTOM.match(name):
            raise ValueError(
                f"unknown merge field {{{{{name}}}}}: use {{{{sequence_number}}}}, {{{{year}}}}, "
                "{{course_code}}, {{path_code}} or {{custom.NAME}}"
            )
    if SEQUENCE_NUMBER not in fields:
        raise ValueError("must contain {{sequence_number}}, which makes each identifier unique")
    literal = MERGE_FIELD.sub("", text)
    if not LITERAL.match(literal):
        raise ValueError("text may hold only letters, digits and . _ ~ : -")
    return text


Format = Annotated[str, Field(min_length=1, max_length=MAX_FORMAT)]


class Sequence(Model):
    """A numbering: from ``start``, left-padded to ``padding`` digits, merged into the format for
    awards issued by a course event (or by no issuer) or the one for learning paths."""

    sequence_id: str
    name: Annotated[str, Field(min_length=1, max_length=200)]
    start: Annotated[int, Field(ge=1, le=MAX_START)] = 1
    padding: Annotated[int, Field(ge=0, le=MAX_PADDING)] = 0
    event_format: Format
    path_format: Format | None = None  # None: the event format serves learning paths too

    @model_validator(mode="after")
    def _formats(self) -> Sequence:
        for name in ("event_format", "path_format"):
            value = getattr(self, name)
            if value is None:
                continue
            try:
                check_format(value)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
        return self

    def identifier(self, number: int, awarded_at: datetime, issuer: Issuer | None) -> str:
        """The identifier of the award numbered ``number``."""
        by_path = issuer is not None and issuer.kind is IssuerKind.LEARNING_PATH
        text = self.path_format if by_path and self.path_format else self.event_format
        code = issuer.code if issuer else ""
        values = {
            SEQUENCE_NUMBER: str(number).zfill(self.padding),
            "year": f"{awarded_at.year:04d}",
            "course_code": code if issuer and not by_path else "",
            "path_code": code if by_path else "",
        }

        def merge(found: re.Match[str]) -> str:
            name = found.group(1)
            if name.startswith("custom."):
                value = issuer.custom.get(name.removeprefix("custom."), "") if issuer else ""
            else:
                value = values[name]
            return NOT_LITERAL.sub("-", value)

        identifier = MERGE_FIELD.sub(merge, text)
        if len(identifier) > MAX_IDENTIFIER:
            raise ValueError(f"identifier {identifier[:40]}... is over {MAX_IDENTIFIER} characters")
        return identifier


class Numbering(NamedTuple):
    """A sequence as stored: its definition, the next number it issues, how many it issued."""

    sequence: Sequence
    next_number: int
    issued: int = 0

    @property
    def last_issued(self) -> int | None:
        return self.next_number - 1 if self.issued else None

    def edited(self, sequence: Sequence) -> Numbering:
        """This numbering with a new definition. ``start`` may be raised past the last number
        issued (a cut-over from another system: numbering goes on from it) but never lowered
        to a number issued already; an unchanged ``start`` keeps counting where it was."""
        if sequence.start == self.sequence.start:
            return Numbering(sequence, self.next_number, self.issued)
        last = self.last_issued
        if last is not None and sequence.start <= last:
            raise ConflictError(
                f"start: numbers up to {last} are issued already; start can only be raised "
                f"above {last}"
            )
        return Numbering(sequence, sequence.start, self.issued)

    @classmethod
    def new(cls, sequence: Sequence) -> Numbering:
        return cls(sequence, sequence.start, 0)
