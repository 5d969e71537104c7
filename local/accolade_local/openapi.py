"""Export the OpenAPI document the api function generates (docs/openapi.json)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def generate(root: Path = ROOT) -> dict[str, Any]:
    """The document exactly as GET /v1/openapi.json serves it."""
    spec = importlib.util.spec_from_file_location("accolade_api_app", root / "functions/api/app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    document: dict[str, Any] = module.openapi_document()
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def main() -> None:
    sys.stdout.write(render(generate()))


if __name__ == "__main__":
    main()
