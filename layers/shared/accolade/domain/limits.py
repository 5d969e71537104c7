"""How long one page of a list may be: the numbers, in one place."""

from __future__ import annotations

PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 100
