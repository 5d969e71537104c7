"""Load a function's handler module and invoke it in this process, as tests and benchmarks do.

The local stack runs handlers in worker processes (runtime.py); this is the in-process variant.
"""

from __future__ import annotations

import importlib.util
import itertools
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
_loaded = itertools.count()


def load_handler(function: str, root: Path = ROOT) -> ModuleType:
    """A fresh copy of functions/<function>/app.py (every handler module is named `app`, so each
    copy gets a unique name; a copy has its own batch processor, like its own sandbox)."""
    path = root / "functions" / function / "app.py"
    spec = importlib.util.spec_from_file_location(f"fn_{function}_{next(_loaded)}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class LambdaContext:
    """What Powertools reads from the Lambda context object."""

    function_name: str = "accolade-local-function"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:accolade-local"
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/accolade-local-function"
    log_stream_name: str = "in-process"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000
