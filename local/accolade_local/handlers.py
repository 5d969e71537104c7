"""Load a function's handler module in this process, as tests and benchmarks do; run as a module
(`make openapi`), print the OpenAPI document the api function generates (docs/openapi.json)."""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from accolade_local.runtime import LambdaContext

__all__ = ["ROOT", "LambdaContext", "load_handler", "openapi_document", "openapi_json"]

ROOT = Path(__file__).resolve().parents[2]
_loaded = itertools.count()


def load_handler(function: str) -> ModuleType:
    """A fresh copy of functions/<function>/app.py (every handler module is named `app`, so each
    copy gets a unique name; a copy has its own batch processor, like its own sandbox)."""
    path = ROOT / "functions" / function / "app.py"
    spec = importlib.util.spec_from_file_location(f"fn_{function}_{next(_loaded)}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def openapi_document() -> dict[str, Any]:
    """The document exactly as GET /v1/openapi.json serves it."""
    return dict(load_handler("api").openapi_document())


def openapi_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(openapi_json(openapi_document()))
