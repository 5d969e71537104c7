"""Render the built-in badges to PNG and lay them out as one contact sheet (for the README).

python docs/badge_sheet.py docs/badges.png
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import cairosvg
from PIL import Image, ImageDraw

from accolade.domain.badge_art import FAMILIES, LEVELS, render

CELL = 160
LABEL = 22


def png(family_id: str, level: int, size: int = CELL) -> Image.Image:
    """One badge rendered by cairosvg at ``size`` pixels square."""
    data = cairosvg.svg2png(
        bytestring=render(family_id, level).encode(), output_width=size, output_height=size
    )
    return Image.open(io.BytesIO(data)).convert("RGBA")


def sheet() -> Image.Image:
    """Every family (a column) at every level (a row), on a light background."""
    width = CELL * len(FAMILIES)
    height = (CELL + LABEL) * len(LEVELS) + LABEL
    canvas = Image.new("RGBA", (width, height), "#f4f1ea")
    draw = ImageDraw.Draw(canvas)
    for column, family in enumerate(FAMILIES):
        draw.text((column * CELL + 8, 4), family.family_id, fill="#333")
        for row, level in enumerate(LEVELS):
            top = LABEL + row * (CELL + LABEL)
            canvas.alpha_composite(png(family.family_id, level), (column * CELL, top))
            draw.text(
                (column * CELL + 8, top + CELL + 2), f"{family.name} {'I' * level}", fill="#555"
            )
    return canvas


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/badges.png")
    sheet().convert("RGB").save(target, optimize=True)
    print(target)


if __name__ == "__main__":
    main()
