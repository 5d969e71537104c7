"""What is wrong with an uploaded badge image: its type by its bytes (never the declared header),
its size, its dimensions (Pillow reads them from the header, before decoding), and for SVG,
anything active or external (parsed with defusedxml: no DTD, no entities)."""

from __future__ import annotations

import io
import re

from accolade.domain.badges import MAX_BADGE_BYTES, MAX_PIXELS, MIN_PIXELS

SVG_NS = "{http://www.w3.org/2000/svg}"
# Elements that run code, embed other documents or fetch them.
ACTIVE = frozenset(
    {
        "script",
        "foreignobject",
        "iframe",
        "embed",
        "object",
        "handler",
        "listener",
        "image",
        "audio",
        "video",
        "animate",
        "set",
        "animatemotion",
        "animatetransform",
    }
)
EXTERNAL = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import|javascript:", re.IGNORECASE)
KINDS = {"image/png": "PNG", "image/webp": "WebP", "image/svg+xml": "SVG"}


def sniff(data: bytes) -> str | None:
    """The media type the bytes are, of those a badge may be."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<") and b"<svg" in data[:4096].lower():
        return "image/svg+xml"
    return None


class PillowImageInspector:
    def problem(self, data: bytes, content_type: str) -> str | None:
        if len(data) > MAX_BADGE_BYTES:
            return f"larger than {MAX_BADGE_BYTES // 1024} KiB"
        actual = sniff(data)
        if actual is None:
            return "not a PNG, WebP or SVG image (by its content)"
        if actual != content_type:
            return f"the file is {KINDS[actual]}, not the {content_type} declared"
        if actual == "image/svg+xml":
            return _svg_problem(data)
        return _raster_problem(data, KINDS[actual])


def _dimensions_problem(width: float, height: float, unit: str) -> str | None:
    if width != height:
        return f"{width:g}x{height:g} {unit}: a badge is square"
    if unit == "px" and not MIN_PIXELS <= width <= MAX_PIXELS:
        return f"{width:g}x{height:g} px: a badge is {MIN_PIXELS}-{MAX_PIXELS} px a side"
    return None


def _raster_problem(data: bytes, kind: str) -> str | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size  # from the header: nothing decoded yet
            wrong = _dimensions_problem(width, height, "px")
            if wrong:
                return wrong
            image.verify()  # the whole file: a truncated or corrupt one fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return f"not a readable {kind} image"
    return None


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _svg_problem(data: bytes) -> str | None:
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        return "SVG with a DTD or entities is refused"
    except (ParseError, ValueError):
        return "not well-formed SVG"
    if root.tag != f"{SVG_NS}svg":
        return "not an SVG document (its root is not <svg> in the SVG namespace)"
    for element in root.iter():
        name = _local(str(element.tag))
        if name in ACTIVE:
            return f"SVG with a <{name}> element is refused"
        for attribute, value in element.attrib.items():
            local = _local(attribute)
            if local.startswith("on"):
                return f"SVG with an event handler ({local}) is refused"
            if local == "href" and not value.strip().startswith("#"):
                return "SVG that refers to another resource (href) is refused"
            if EXTERNAL.search(value):
                return f"SVG that refers to another resource ({local}) is refused"
        if name == "style" and element.text and EXTERNAL.search(element.text):
            return "SVG that refers to another resource (style) is refused"
    box = (root.get("viewBox") or "").replace(",", " ").split()
    try:
        width, height = float(box[2]), float(box[3])
    except (IndexError, ValueError):
        return "SVG without a viewBox (min-x min-y width height)"
    return _dimensions_problem(width, height, "viewBox")
