"""List cursors: where the next page starts, bound to the list, caller and filter it came from.

Written by hand (no library): Powertools has no paging helper, and what a cursor binds is ours.

A cursor is base64url(JSON [position, digest]). The position is what the service handed out (a
sort key, or an offset into a computed list); the digest is SHA-256 over the scope (list, tenant,
user, filter) and the position. It is a check, not a secret: a cursor made for another list,
tenant, user or filter, or an altered one, is refused with 400. A client that recomputes the
digest can only name a position in its own list: the server rebuilds the partition key from the
token and checks the sort key's prefix (``keys.page_start``), and offsets are only offsets.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import NamedTuple

from accolade.domain.errors import InvalidCursorError

MAX_CURSOR_CHARS = 4096  # a 1 KB sort key, JSON-quoted and base64-encoded, fits with room


class Scope(NamedTuple):
    """What a cursor is for: a list (its route), who asked, and the filter and order applied."""

    list_name: str
    tenant_id: str
    user_id: str
    filters: Sequence[str] = ()

    def digest(self, position: str) -> str:
        material = json.dumps(
            [self.list_name, self.tenant_id, self.user_id, list(self.filters), position],
            separators=(",", ":"),
        )
        return hashlib.sha256(material.encode()).hexdigest()[:32]


def encode(position: str | None, scope: Scope) -> str | None:
    """The cursor of the page starting after ``position``; None when there is no next page."""
    if position is None:
        return None
    raw = json.dumps([position, scope.digest(position)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str | None, scope: Scope) -> str | None:
    """The position a cursor holds; InvalidCursorError unless ``scope`` made it unaltered."""
    if cursor is None:
        return None
    if not cursor or len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidCursorError("malformed: pass next_cursor of the previous page unchanged")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.b64decode(padded, altchars=b"-_", validate=True)
        position, digest = json.loads(raw.decode())
        position.encode()  # a lone surrogate ("\ud800") would fail later, inside the SDK
    except (binascii.Error, ValueError, TypeError, AttributeError, RecursionError) as exc:
        raise InvalidCursorError(
            "malformed: pass next_cursor of the previous page unchanged"
        ) from exc
    if not isinstance(position, str) or not isinstance(digest, str):
        raise InvalidCursorError("malformed: pass next_cursor of the previous page unchanged")
    # Bytes: compare_digest raises TypeError on a str with non-ASCII characters.
    if not hmac.compare_digest(digest.encode(), scope.digest(position).encode()):
        raise InvalidCursorError("made for another list, user or filter, or altered")
    return position
