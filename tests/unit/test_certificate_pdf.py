"""The certificate PDF rendered with the function's own fonts, read back with pypdf (another
library than the one that wrote it): every name prints as itself, CJK included."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from accolade.adapters.pdf import PdfCertificateRenderer
from accolade.domain.certificates import CertificateContent

FONTS = Path(__file__).resolve().parents[2] / "functions" / "generate_certificates" / "fonts"


@pytest.mark.parametrize(
    "holder",
    ["Zoë Ångström", "Ελένη Παπαδοπούλου", "Анна Иванова", "张伟", "山田 花子", "김민준"],
)
def test_every_name_prints_as_itself(holder: str) -> None:
    content = CertificateContent(
        holder=holder,
        achievement="Basic Life Support",
        level=1,
        awarded_at=datetime(2026, 11, 24, tzinfo=UTC),
        valid_until=datetime(2031, 11, 24, tzinfo=UTC),
        identifier="CPR-2026-00005",
        verify_url="https://accolade.example/v1/verify/CPR-2026-00005?tenant=t",
    )

    pdf = PdfCertificateRenderer(FONTS).render(content)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()

    assert holder.replace(" ", "") in text.replace(" ", "")
    assert "CPR-2026-00005" in text and "2026-11-24" in text and "2031-11-24" in text
