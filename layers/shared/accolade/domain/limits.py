"""What one tenant may define and how long one page of a list may be: the numbers, in one place.

The caps bound what is still read whole: the tenant's definition, which the evaluator reads per
batch (one query) and GET /v1/me/achievements computes over. They are enforced where a
definition is created, atomically, with a 422; pages keep each response far below Lambda's 6 MB.
"""

from __future__ import annotations

MAX_ACHIEVEMENTS = 1_000
MAX_METRICS = 200

PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 100
