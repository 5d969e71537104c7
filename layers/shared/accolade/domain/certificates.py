"""What a certificate shows. The PDF itself is rendered by the certificate function's renderer
(``accolade.adapters.pdf``, fpdf2), which only that function loads."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from urllib.parse import quote

CERTIFICATE_LINK_SECONDS = 300  # a learner's link to their certificate is short-lived


class CertificateContent(NamedTuple):
    holder: str
    achievement: str
    level: int
    awarded_at: datetime
    valid_until: datetime | None = None
    identifier: str | None = None
    verify_url: str | None = None  # what its QR code holds


def verify_url(public_base_url: str, tenant_id: str, identifier: str) -> str:
    """The public verification link of an identifier (identifiers are unique per tenant)."""
    return (
        f"{public_base_url.rstrip('/')}/v1/verify/{identifier}?tenant={quote(tenant_id, safe='')}"
    )


def certificate_route(public_base_url: str, award_id: str) -> str:
    """The API route that answers the holder a short-lived link to the certificate: stable, so
    a notification can carry it."""
    return f"{public_base_url.rstrip('/')}/v1/me/awards/{award_id}/certificate"
