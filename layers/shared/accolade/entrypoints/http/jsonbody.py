"""Request bodies parsed so that no number changes on the way in.

A JSON number with more significant digits than a 64-bit float holds (999999999999999.999999999)
would silently become another number (1e15). It is parsed into a marked float instead, which the
schemas refuse with a 422 naming its field.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any


class InexactFloat(float):
    """A JSON number that a float cannot hold exactly."""


def _float(text: str) -> float:
    number = float(text)
    # Out-of-range numbers (1e400) become infinite: the schemas refuse those as not finite.
    if math.isfinite(number) and Decimal(text) != Decimal(repr(number)):
        return InexactFloat(number)
    return number


def parse(text: str | bytes) -> Any:
    """json.loads, marking the numbers a float cannot hold. NaN and Infinity parse as Python's
    json does, so that the schemas refuse them naming the field."""
    return json.loads(text, parse_float=_float)
