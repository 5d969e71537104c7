"""The built-in badge families and the SVG artwork of their levels I, II and III.

Each family is a shape, an emblem and a palette; a level is a material (bronze, silver, gold)
and an amount of ornament (a beaded rim, ribbon tails, rays, a laurel wreath, stars). The SVG is
composed here from those parts (no asset files): every coordinate below is a 256 x 256 canvas.
Written by hand: no maintained library composes badge artwork; the output is plain SVG 1.1.
"""

from __future__ import annotations

import math
from functools import cache
from typing import NamedTuple
from xml.sax.saxutils import escape

SIZE = 256
CX, CY = 128.0, 122.0  # the body's centre (a little high: the banner hangs below it)
RADIUS = 82.0
LEVELS = (1, 2, 3)
NUMERALS = {1: "I", 2: "II", 3: "III"}


class Metal(NamedTuple):
    name: str
    dark: str
    mid: str
    light: str
    edge: str


METALS = {
    1: Metal("bronze", "#6e3b17", "#c07a3e", "#f6c48e", "#41220b"),
    2: Metal("silver", "#5d6975", "#bcc6cf", "#ffffff", "#39434d"),
    3: Metal("gold", "#8f5c00", "#e9b520", "#fff4b8", "#5a3a00"),
}


class Family(NamedTuple):
    family_id: str
    name: str
    description: str
    shape: str
    emblem: str
    light: str  # the field's colours, centre to edge
    dark: str


FAMILIES: tuple[Family, ...] = (
    Family("sales", "Closer", "Deals closed", "shield", "bars", "#34d399", "#065f46"),
    Family("calls", "Dialer", "Calls made", "circle", "phone", "#60a5fa", "#1e3a8a"),
    Family("leads", "Sharpshooter", "Leads qualified", "hexagon", "target", "#f87171", "#7f1d1d"),
    Family("learning", "Scholar", "Courses completed", "octagon", "book", "#a78bfa", "#3b0764"),
    Family(
        "certification",
        "Certified",
        "Certifications earned",
        "rosette",
        "check",
        "#2dd4bf",
        "#134e4a",
    ),
    Family("streak", "On Fire", "Days in a row", "diamond", "flame", "#fb923c", "#7c2d12"),
    Family("team", "Team Player", "Team goals reached", "pentagon", "people", "#818cf8", "#1e1b4b"),
    Family(
        "milestone", "Milestone", "Milestones reached", "rosette8", "trophy", "#f472b6", "#831843"
    ),
    Family(
        "champion", "Champion", "Top of the leaderboard", "shield", "star", "#64748b", "#0f172a"
    ),
    Family("speed", "Rapid Responder", "Fast responses", "circle", "bolt", "#22d3ee", "#164e63"),
)
BY_ID = {family.family_id: family for family in FAMILIES}


def _n(value: float) -> str:
    """A coordinate with at most one decimal: the artwork needs no more, the bytes add up."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _polygon(points: list[tuple[float, float]], rounding: float = 0.0) -> str:
    """A closed path through ``points``; corners cut by quadratic curves ``rounding`` long."""
    if rounding <= 0:
        return "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in points) + "Z"
    parts: list[str] = []
    count = len(points)
    for i, (x, y) in enumerate(points):
        px, py = points[i - 1]
        nx, ny = points[(i + 1) % count]
        a = _toward((x, y), (px, py), rounding)
        b = _toward((x, y), (nx, ny), rounding)
        parts.append(("M" if i == 0 else "L") + f"{_n(a[0])} {_n(a[1])}")
        parts.append(f"Q{_n(x)} {_n(y)} {_n(b[0])} {_n(b[1])}")
    return "".join(parts) + "Z"


def _toward(a: tuple[float, float], b: tuple[float, float], distance: float) -> tuple[float, float]:
    length = math.dist(a, b) or 1.0
    t = min(distance / length, 0.5)
    return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t


def _regular(sides: int, r: float, turn: float) -> list[tuple[float, float]]:
    return [
        (
            CX + r * math.cos(math.radians(turn + 360 * i / sides)),
            CY + r * math.sin(math.radians(turn + 360 * i / sides)),
        )
        for i in range(sides)
    ]


def outline(shape: str, r: float) -> str:
    """The path of ``shape`` around the body's centre, ``r`` its radius."""
    if shape == "circle":
        return (
            f"M{_n(CX - r)} {_n(CY)}a{_n(r)} {_n(r)} 0 1 0 {_n(2 * r)} 0"
            f"a{_n(r)} {_n(r)} 0 1 0 {_n(-2 * r)} 0Z"
        )
    if shape == "shield":
        unit = [
            (-0.88, -0.86),
            (0.0, -1.02),
            (0.88, -0.86),
            (0.86, 0.05),
            (0.0, 1.04),
            (-0.86, 0.05),
        ]
        pts = [(CX + x * r, CY + y * r) for x, y in unit]
        top = f"M{_n(pts[0][0])} {_n(pts[0][1])}Q{_n(CX)} {_n(CY - 1.1 * r)} {_n(pts[2][0])} {_n(pts[2][1])}"
        right = f"L{_n(pts[3][0])} {_n(pts[3][1])}Q{_n(CX + 0.8 * r)} {_n(CY + 0.7 * r)} {_n(CX)} {_n(CY + 1.04 * r)}"
        left = f"Q{_n(CX - 0.8 * r)} {_n(CY + 0.7 * r)} {_n(pts[5][0])} {_n(pts[5][1])}Z"
        return top + right + left
    if shape == "hexagon":
        return _polygon(_regular(6, r * 1.04, 30), r * 0.12)
    if shape == "octagon":
        return _polygon(_regular(8, r * 1.02, 22.5), r * 0.1)
    if shape == "pentagon":
        return _polygon(_regular(5, r * 1.08, -90), r * 0.14)
    if shape == "diamond":
        return _polygon(_regular(4, r * 1.12, -90), r * 0.18)
    if shape in ("rosette", "rosette8"):
        return _rosette(r, 16 if shape == "rosette" else 8)
    raise ValueError(f"unknown shape {shape!r}")


def _rosette(r: float, lobes: int) -> str:
    """A scalloped disc: ``lobes`` bulges between points on a circle of radius ``r``."""
    inner = r * (0.94 if lobes > 8 else 0.9)
    parts: list[str] = []
    for i in range(lobes):
        a0 = 2 * math.pi * i / lobes - math.pi / 2
        am = a0 + math.pi / lobes
        a1 = a0 + 2 * math.pi / lobes
        bulge = r * (1.1 if lobes > 8 else 1.16)
        if i == 0:
            parts.append(f"M{_n(CX + inner * math.cos(a0))} {_n(CY + inner * math.sin(a0))}")
        parts.append(
            f"Q{_n(CX + bulge * math.cos(am))} {_n(CY + bulge * math.sin(am))} "
            f"{_n(CX + inner * math.cos(a1))} {_n(CY + inner * math.sin(a1))}"
        )
    return "".join(parts) + "Z"


def _star(cx: float, cy: float, outer: float, inner: float, points: int = 5) -> str:
    pts = []
    for i in range(points * 2):
        radius = outer if i % 2 == 0 else inner
        angle = math.pi * i / points - math.pi / 2
        pts.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return _polygon(pts)


# Emblems in a 100 x 100 box, drawn in white over the field; ``{d}`` is the family's dark colour.
EMBLEMS = {
    "bars": (
        '<path d="M12 66h18v26H12zM41 50h18v42H41zM70 32h18v60H70z"/>'
        '<path d="M10 50 36 26l14 12 26-24" fill="none" stroke="#fff" stroke-width="7" '
        'stroke-linecap="round" stroke-linejoin="round"/><path d="M66 8h20v20z"/>'
    ),
    "phone": (
        '<path d="M27 10c5-3 10-2 13 3l9 16c2 4 1 9-3 11l-7 4c4 10 12 19 22 24l4-7c2-4 7-5 '
        "11-3l16 9c5 3 6 8 3 13l-6 9c-4 6-11 8-18 6C44 88 16 60 9 34c-2-7 0-14 6-18z"
        '"/>'
    ),
    "target": (
        '<g fill="none" stroke="#fff"><circle cx="46" cy="54" r="38" stroke-width="8"/>'
        '<circle cx="46" cy="54" r="21" stroke-width="8"/></g><circle cx="46" cy="54" r="7"/>'
        '<path d="M48 52 86 14" stroke="#fff" stroke-width="6" stroke-linecap="round"/>'
        '<path d="M80 6l4 10 10 4-10 10-10-4-4-10z"/>'
    ),
    "book": (
        '<path d="M6 22q22-10 42 2v66q-20-12-42-2zM94 22q-22-10-42 2v66q20-12 42-2z"/>'
        '<path d="M14 36q14-5 26 1M14 50q14-5 26 1M14 64q14-5 26 1M60 37q12-6 26-1M60 51q12-6 '
        '26-1M60 65q12-6 26-1" fill="none" stroke="{d}" stroke-opacity=".45" stroke-width="3"/>'
    ),
    "check": (
        '<path d="M50 4 88 18v30c0 24-16 40-38 48C28 88 12 72 12 48V18z"/>'
        '<path d="M31 50l13 13 26-28" fill="none" stroke="{d}" stroke-width="10" '
        'stroke-linecap="round" stroke-linejoin="round"/>'
    ),
    "flame": (
        '<path d="M52 2c6 22 32 32 32 60 0 20-15 34-34 34S16 82 16 62c0-16 10-26 14-38 4 10 8 '
        '15 13 17-3-14-1-26 9-39z"/>'
        '<path d="M50 48c4 12 18 16 18 30 0 10-8 16-18 16s-18-6-18-16c0-9 8-14 10-22 2 5 4 7 '
        '6 8 0-6 0-11 2-16z" fill="{d}" fill-opacity=".4"/>'
    ),
    "people": (
        '<g opacity=".78"><circle cx="20" cy="40" r="11"/><circle cx="80" cy="40" r="11"/>'
        '<path d="M0 86c0-20 8-30 20-30s18 6 20 14zM100 86c0-20-8-30-20-30s-18 6-20 14z"/></g>'
        '<circle cx="50" cy="30" r="15" stroke="{d}" stroke-width="3"/>'
        '<path d="M24 94c0-28 10-42 26-42s26 14 26 42z" stroke="{d}" stroke-width="3"/>'
    ),
    "trophy": (
        '<path d="M26 8h48v28c0 20-10 32-24 32S26 56 26 36z"/>'
        '<path d="M27 16H12c0 18 6 28 18 30M73 16h15c0 18-6 28-18 30" fill="none" '
        'stroke="#fff" stroke-width="6"/>'
        '<path d="M44 66h12v14H44zM30 80h40v12H30z"/>'
        '<path d="M50 18l4 9 9 1-7 6 2 9-8-5-8 5 2-9-7-6 9-1z" fill="{d}" fill-opacity=".5"/>'
    ),
    "star": f'<path d="{_star(50, 54, 48, 20)}"/>',
    "bolt": '<path d="M60 2 16 56h28l-8 42 48-58H56z"/>',
}


def _numeral(level: int, y: float, colour: str, edge: str) -> str:
    """The level's roman numeral drawn as serifed bars (no font, so it looks alike everywhere)."""
    count = level
    pitch = 16.0
    left = CX - pitch * (count - 1) / 2
    bars = []
    for i in range(count):
        x = left + pitch * i
        bars.append(f"M{_n(x - 7)} {_n(y - 12)}h14v4h-3.5v16h3.5v4h-14v-4h3.5v-16h-3.5z")
    return f'<path d="{"".join(bars)}" fill="{colour}" stroke="{edge}" stroke-width="1"/>'


def _laurel(level: int) -> str:
    """One branch of paired leaves up the left side (mirrored for the right)."""
    pairs = 5 if level == 2 else 7
    start, end = 112.0, 196.0 if level == 2 else 236.0
    radius = RADIUS + 16
    leaves = []
    for i in range(pairs):
        deg = start + (end - start) * (i + 0.5) / pairs
        a = math.radians(deg)
        x, y = CX + radius * math.cos(a), CY + radius * math.sin(a)
        length = 26 - 8 * i / pairs
        for side in (-38, 38):
            leaves.append(_leaf(x, y, math.radians(deg + 90 + side), length))
    sx, sy = (
        CX + radius * math.cos(math.radians(start)),
        CY + radius * math.sin(math.radians(start)),
    )
    ex, ey = CX + radius * math.cos(math.radians(end)), CY + radius * math.sin(math.radians(end))
    stem = (
        f'<path d="M{_n(sx)} {_n(sy)}A{_n(radius)} {_n(radius)} 0 0 1 {_n(ex)} {_n(ey)}" '
        'fill="none" stroke-width="3"/>'
    )
    return stem + f'<path d="{"".join(leaves)}"/>'


def _leaf(x: float, y: float, angle: float, length: float) -> str:
    """A pointed leaf from its stalk at (x, y) towards ``angle``."""
    dx, dy = math.cos(angle) * length, math.sin(angle) * length
    nx, ny = -dy * 0.34, dx * 0.34
    tip = f"{_n(x + dx)} {_n(y + dy)}"
    return (
        f"M{_n(x)} {_n(y)}Q{_n(x + dx * 0.4 + nx)} {_n(y + dy * 0.4 + ny)} {tip}"
        f"Q{_n(x + dx * 0.45 - nx)} {_n(y + dy * 0.45 - ny)} {_n(x)} {_n(y)}Z"
    )


def _rays(gid: str) -> str:
    spikes = 24
    pts = []
    for i in range(spikes * 2):
        r = 126 if i % 2 == 0 else 84
        a = math.pi * i / spikes
        pts.append((CX + r * math.cos(a), CY + r * math.sin(a)))
    return f'<path d="{_polygon(pts)}" fill="url(#{gid}r)" opacity=".85"/>'


def _banner(level: int, family: Family, metal: Metal, gid: str) -> str:
    width = {1: 64, 2: 92, 3: 112}[level]
    top, height = 194.0, 34.0
    x0, x1 = CX - width / 2, CX + width / 2
    parts = []
    if level >= 2:
        # ribbon tails, folded behind the banner's ends
        tail = 22.0
        for sign, edge in ((-1, x0), (1, x1)):
            outer = edge + sign * tail
            parts.append(
                _polygon(
                    [
                        (edge - sign * 6, top + 8),
                        (outer, top + 8),
                        (outer - sign * 8, top + height / 2 + 8),
                        (outer, top + height + 8),
                        (edge - sign * 6, top + height + 8),
                    ]
                )
            )
        tails = f'<path d="{"".join(parts)}" fill="{family.dark}"/>'
        tails += (
            f'<path d="M{_n(x0 - 6)} {_n(top + height)}l6 8V{_n(top + height)}zM{_n(x1 + 6)} '
            f'{_n(top + height)}l-6 8V{_n(top + height)}z" fill="#000" opacity=".45"/>'
        )
    else:
        tails = ""
    band = (
        f'<rect x="{_n(x0)}" y="{_n(top)}" width="{width}" height="{_n(height)}" rx="4" '
        f'fill="url(#{gid}b)" stroke="url(#{gid}m)" stroke-width="3"/>'
    )
    return tails + band + _numeral(level, top + height / 2, f"url(#{gid}m)", metal.edge)


def _defs(family: Family, metal: Metal, gid: str, level: int) -> str:
    defs = [
        f'<linearGradient id="{gid}m" x1="0" y1="0" x2=".35" y2="1">'
        f'<stop offset="0" stop-color="{metal.light}"/><stop offset=".45" '
        f'stop-color="{metal.mid}"/><stop offset="1" stop-color="{metal.dark}"/></linearGradient>',
        f'<linearGradient id="{gid}e" x1="0" y1="1" x2=".35" y2="0">'
        f'<stop offset="0" stop-color="{metal.light}"/><stop offset=".5" '
        f'stop-color="{metal.mid}"/><stop offset="1" stop-color="{metal.edge}"/></linearGradient>',
        f'<radialGradient id="{gid}f" cx=".5" cy=".38" r=".7">'
        f'<stop offset="0" stop-color="{family.light}"/><stop offset="1" '
        f'stop-color="{family.dark}"/></radialGradient>',
        f'<linearGradient id="{gid}b" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="{family.light}"/><stop offset=".5" '
        f'stop-color="{family.dark}"/></linearGradient>',
    ]
    if level == 3:
        defs.append(
            f'<radialGradient id="{gid}r"><stop offset=".55" stop-color="{metal.light}"/>'
            f'<stop offset="1" stop-color="{metal.mid}" stop-opacity="0"/></radialGradient>'
        )
    return "<defs>" + "".join(defs) + "</defs>"


@cache
def render(family_id: str, level: int) -> str:
    """The SVG document of ``family_id`` at ``level`` (1-3); KeyError for an unknown family."""
    family = BY_ID[family_id]
    if level not in LEVELS:
        raise KeyError(level)
    metal = METALS[level]
    gid = f"ac-{family.family_id}-{level}-"
    title = f"{family.name} {NUMERALS[level]} ({metal.name}): {family.description}"
    body: list[str] = [_defs(family, metal, gid, level)]
    if level == 3:
        body.append(_rays(gid))
    if level >= 2:
        laurel = _laurel(level)
        body.append(
            f'<g fill="{metal.mid}" stroke="{metal.dark}" stroke-width="1.5">{laurel}'
            f'<g transform="matrix(-1 0 0 1 {SIZE} 0)">{laurel}</g></g>'
        )
    shape = family.shape
    body.append(  # a soft shadow under the body
        f'<path d="{outline(shape, RADIUS)}" transform="translate(0 5)" fill="#000" opacity=".28"/>'
    )
    body.append(
        f'<path d="{outline(shape, RADIUS)}" fill="url(#{gid}m)" stroke="{metal.edge}" '
        'stroke-width="2"/>'
    )
    body.append(f'<path d="{outline(shape, RADIUS * 0.86)}" fill="url(#{gid}e)"/>')
    body.append(f'<path d="{outline(shape, RADIUS * 0.8)}" fill="url(#{gid}f)"/>')
    if level >= 2:  # a beaded inner rim
        body.append(
            f'<path d="{outline(shape, RADIUS * 0.93)}" fill="none" stroke="{metal.light}" '
            'stroke-width="4" stroke-linecap="round" stroke-dasharray=".1 9"/>'
        )
    # the field's sheen: a lighter band over its upper half
    body.append(
        f'<ellipse cx="{_n(CX)}" cy="{_n(CY - RADIUS * 0.42)}" rx="{_n(RADIUS * 0.6)}" '
        f'ry="{_n(RADIUS * 0.26)}" fill="#fff" opacity=".14"/>'
    )
    emblem = EMBLEMS[family.emblem].replace("{d}", family.dark)
    box = RADIUS * 0.92
    scale = box / 100
    ox, oy = CX - box / 2, CY - box / 2 - 4
    body.append(
        f'<g transform="translate({_n(ox)} {_n(oy + 4)}) scale({scale:.3f})" fill="#000" '
        f'opacity=".25">{emblem}</g>'
    )
    body.append(
        f'<g transform="translate({_n(ox)} {_n(oy)}) scale({scale:.3f})" fill="#fff">{emblem}</g>'
    )
    if level >= 1:
        stars = []
        offsets = {1: [0.0], 2: [-15.0, 15.0], 3: [-30.0, 0.0, 30.0]}[level]
        for dx in offsets:
            lift = 0.0 if dx == 0 else 4.0 * (abs(dx) / 15) ** 0.5
            stars.append(_star(CX + dx, 20 + lift, 11, 4.6))
        body.append(
            f'<path d="{"".join(stars)}" fill="url(#{gid}m)" stroke="{metal.edge}" '
            'stroke-width="1.5" stroke-linejoin="round"/>'
        )
    body.append(_banner(level, family, metal, gid))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" '
        f'height="{SIZE}" role="img" aria-labelledby="{gid}t"><title id="{gid}t">'
        f"{escape(title)}</title>{''.join(body)}</svg>"
    )
