"""The built-in badge artwork: valid, accessible, self-contained, small and distinct SVG."""

from __future__ import annotations

import io
import re
from itertools import combinations
from typing import cast

import cairosvg
import pytest
from defusedxml import ElementTree
from PIL import Image, ImageChops, ImageStat

from accolade.domain.badge_art import FAMILIES, LEVELS, render

SVG = "{http://www.w3.org/2000/svg}"
EVERY = [(family.family_id, level) for family in FAMILIES for level in LEVELS]


def _png(family_id: str, level: int) -> Image.Image:
    data = cairosvg.svg2png(bytestring=render(family_id, level).encode(), output_width=128)
    return Image.open(io.BytesIO(data)).convert("RGBA")


def _rgb(image: Image.Image, x: int, y: int) -> tuple[int, int, int]:
    red, green, blue, _ = cast("tuple[int, int, int, int]", image.getpixel((x, y)))
    return red, green, blue


def test_there_are_at_least_eight_families_with_three_levels() -> None:
    assert len({family.family_id for family in FAMILIES}) >= 8
    assert LEVELS == (1, 2, 3)


@pytest.mark.parametrize(("family_id", "level"), EVERY)
def test_each_badge_is_well_formed_accessible_svg_under_8_kb(family_id: str, level: int) -> None:
    document = render(family_id, level)
    root = ElementTree.fromstring(document)

    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 256 256"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text and "I" * level in title.text
    assert root.get("aria-labelledby") == title.get("id")
    assert len(document.encode()) < 8 * 1024


@pytest.mark.parametrize(("family_id", "level"), EVERY)
def test_each_badge_refers_only_to_its_own_definitions(family_id: str, level: int) -> None:
    document = render(family_id, level)
    root = ElementTree.fromstring(document)
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}

    assert not tags & {"script", "foreignObject", "image", "use", "a", "iframe", "style"}
    for element in root.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), name
            assert "href" not in name, name
            for target in re.findall(r"url\(([^)]*)\)", value):
                assert target.startswith("#") and target[1:] in ids, target


def test_no_two_badges_are_the_same_document_even_without_their_ids() -> None:
    def anonymous(family_id: str, level: int) -> str:
        return render(family_id, level).replace(f"ac-{family_id}-{level}-", "")

    documents = [anonymous(family_id, level) for family_id, level in EVERY]

    assert len(set(documents)) == len(EVERY)


def test_families_look_different_when_rendered() -> None:
    images = {family.family_id: _png(family.family_id, 1) for family in FAMILIES}

    for a, b in combinations(images, 2):
        difference = ImageStat.Stat(ImageChops.difference(images[a], images[b])).mean
        assert sum(difference[:3]) / 3 > 4, (a, b)


@pytest.mark.parametrize("family_id", [family.family_id for family in FAMILIES])
def test_each_level_covers_more_of_the_canvas_than_the_one_below(family_id: str) -> None:
    covered = [sum(_png(family_id, level).getchannel("A").histogram()[33:]) for level in LEVELS]

    assert covered[0] < covered[1] < covered[2]


def test_gold_is_warmer_and_brighter_than_bronze_and_silver_on_the_rim() -> None:
    # The rim at the top of a circle badge (its body spans x 23-105, y 20-102 at 128 px).
    bronze, silver, gold = (_rgb(_png("calls", level), 64, 22) for level in LEVELS)

    assert bronze[0] > bronze[2] + 80  # copper: red well above blue
    assert abs(silver[0] - silver[2]) < 20  # grey
    assert gold[0] > 200 and gold[1] > 180 and gold[2] < gold[1] - 60  # yellow
