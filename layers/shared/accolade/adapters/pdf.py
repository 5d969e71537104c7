"""The certificate renderer: fpdf2 lays out the PDF, segno makes the QR code of the verification
link. Both are dependencies of the certificate function alone (its requirements.txt): only that
function imports this module, so no other function's cold start loads them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.fonts import TTFFont

from accolade.domain.certificates import CertificateContent

FAMILY = "DejaVu"
FALLBACKS = {"DroidFallback": "DroidSansFallbackFull.ttf", "NanumSquare": "NanumSquareR.ttf"}
QR_SIZE_MM = 40.0


def _date(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d}"


class PdfCertificateRenderer:
    """A4 landscape, in DejaVu Sans (embedded, subset): Latin, Greek, Cyrillic, Armenian,
    Georgian, Hebrew and Arabic letters; Droid Sans Fallback (Chinese, Japanese and more) and
    NanumSquare (Korean) for what DejaVu lacks, loaded only when a certificate's text needs
    them. Right-to-left text is not shaped."""

    def __init__(self, fonts: Path) -> None:
        # One face: parsing a font file is two thirds of a render, and a bold face would double it.
        self._regular = fonts / "DejaVuSans.ttf"
        self._fonts = fonts

    def render(self, content: CertificateContent) -> bytes:
        pdf = FPDF(orientation="landscape", unit="mm", format="A4")
        pdf.set_title(f"Certificate: {content.achievement}")
        pdf.set_creator("Accolade")
        pdf.set_auto_page_break(auto=False)
        pdf.add_font(FAMILY, "", str(self._regular))
        face = pdf.fonts[FAMILY.lower()]
        assert isinstance(face, TTFFont)  # a font file, not one of PDF's core fonts
        covered = face.cmap
        text = f"{content.holder}{content.achievement}{content.identifier or ''}"
        if any(ord(char) not in covered for char in text if not char.isspace()):
            for family, file in FALLBACKS.items():
                pdf.add_font(family, "", str(self._fonts / file))
            pdf.set_fallback_fonts(list(FALLBACKS))
        pdf.add_page()
        width = pdf.w - 2 * pdf.l_margin
        pdf.set_draw_color(40, 60, 120)
        pdf.set_line_width(1.2)
        pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
        pdf.set_y(32)
        pdf.set_font(FAMILY, "", 30)
        pdf.cell(width, 14, "Certificate of Achievement", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 14)
        pdf.cell(width, 12, "This certifies that", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 24)
        pdf.multi_cell(width, 12, content.holder, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 14)
        pdf.cell(width, 12, "has earned", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 20)
        level = f" (level {content.level})" if content.level > 1 else ""
        pdf.multi_cell(
            width, 10, content.achievement + level, align="C", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_y(pdf.h - 62)
        pdf.set_font(FAMILY, "", 12)
        lines = [f"Issued: {_date(content.awarded_at)}"]
        lines.append(
            f"Valid until: {_date(content.valid_until)}" if content.valid_until else "No expiry"
        )
        if content.identifier:
            lines.append(f"Identifier: {content.identifier}")
        for line in lines:
            pdf.cell(width - QR_SIZE_MM, 8, line, new_x="LMARGIN", new_y="NEXT")
        if content.verify_url:
            pdf.set_font(FAMILY, "", 8)
            pdf.cell(width - QR_SIZE_MM, 6, f"Verify: {content.verify_url}")
            self._qr(pdf, content.verify_url, pdf.w - pdf.r_margin - QR_SIZE_MM, pdf.h - 62)
        return bytes(pdf.output())

    @staticmethod
    def _qr(pdf: FPDF, url: str, x: float, y: float) -> None:
        """The QR code drawn as vector rectangles: a run of dark modules in a row is one."""
        code = segno.make(url, error="m", micro=False)
        matrix = [list(row) for row in code.matrix]
        module = QR_SIZE_MM / len(matrix)
        pdf.set_fill_color(0, 0, 0)
        for r, row in enumerate(matrix):
            c = 0
            while c < len(row):
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(x + start * module, y + r * module, (c - start) * module, module, "F")
