"""The cyclic garbage collector, paused for a Lambda sandbox's cold start.

What a cold start makes (modules, classes, pydantic and botocore models, the client) lives as
long as the sandbox, yet the collector runs every 700 allocations while it is made and
traverses all of it again each time: about a tenth of a handler's first invocation (issue 9,
measured with gc.callbacks). Importing this module first in a handler pauses it in Lambda (not
in tests or scripts that import a handler); ``resumed_after_first_call`` freezes what the cold
start made (later collections skip it) and resumes collection once the first invocation returns.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

# Read here rather than through accolade.config: the point is to pause before pydantic loads.
IN_LAMBDA = "AWS_LAMBDA_FUNCTION_NAME" in os.environ

if IN_LAMBDA and gc.isenabled():
    gc.disable()
    _paused = True
else:
    _paused = False

H = TypeVar("H", bound=Callable[..., Any])


def resume() -> None:
    """Freeze what exists now out of later collections and collect again (once; idempotent)."""
    global _paused  # noqa: PLW0603 - one collector per process
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def resumed_after_first_call(handler: H) -> H:
    """``handler``, resuming collection when its first invocation returns or raises."""

    @wraps(handler)
    def invoke(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        finally:
            resume()

    return invoke  # type: ignore[return-value]
