"""Export the OpenAPI document the api function generates (docs/openapi.json)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from accolade_local.handlers import ROOT, load_handler


def generate(root: Path = ROOT) -> dict[str, Any]:
    """The document exactly as GET /v1/openapi.json serves it."""
    document: dict[str, Any] = load_handler("api", root).openapi_document()
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render(generate()))
