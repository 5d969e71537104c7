"""A one-page PDF certificate, rendered with the standard library only.

Hand-written because the document is a few text lines in a standard font: a PDF library would
add megabytes to the layer and to every cold start for no gain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CertificateContent:
    certificate_id: str
    recipient: str
    achievement: str
    level: int
    awarded_at: datetime
    valid_until: datetime | None = None


def _escape(text: str) -> str:
    safe = text.encode("latin-1", "replace").decode("latin-1")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def render_pdf(content: CertificateContent) -> bytes:
    """The certificate as PDF 1.4 bytes (A4 landscape, Helvetica)."""
    lines = [
        (36, 420, "Certificate of Achievement"),
        (20, 360, "This certifies that"),
        (30, 315, content.recipient),
        (20, 270, "has earned"),
        (26, 228, content.achievement + (f" (level {content.level})" if content.level > 1 else "")),
        (14, 160, f"Awarded {content.awarded_at.date().isoformat()}"),
    ]
    if content.valid_until is not None:
        lines.append((14, 140, f"Valid until {content.valid_until.date().isoformat()}"))
    lines.append((10, 60, f"Certificate {content.certificate_id}"))
    stream = "\n".join(
        f"BT /F1 {size} Tf {421 - len(text) * size * 0.25:.1f} {y} Td ({_escape(text)}) Tj ET"
        for size, y, text in lines
    ).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)
