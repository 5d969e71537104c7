"""Load a function's handler module in this process, as tests and benchmarks do."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path
from types import ModuleType

from accolade_local.runtime import LambdaContext

__all__ = ["ROOT", "LambdaContext", "load_handler"]

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
