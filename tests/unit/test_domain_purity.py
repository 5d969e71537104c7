"""The domain is pure: importing it loads nothing from AWS."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import accolade.domain

FORBIDDEN = ("boto3", "botocore", "pynamodb", "aws_lambda_powertools")
DOMAIN = Path(accolade.domain.__file__).parent


def test_importing_the_domain_loads_no_aws_module() -> None:
    modules = sorted(p.stem for p in DOMAIN.glob("*.py") if p.stem != "__init__")
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module('accolade.domain.' + name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", script],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(DOMAIN.parents[1])},
        ).stdout
    )

    assert "accolade.domain.rules" in loaded
    assert [m for m in loaded if m.split(".")[0] in FORBIDDEN] == []


def test_no_domain_source_names_an_aws_package() -> None:
    imported: set[tuple[str, str]] = set()
    for path in DOMAIN.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {(path.name, alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add((path.name, node.module))

    assert imported, "the scan found no imports at all"
    assert sorted((f, m) for f, m in imported if m.split(".")[0] in FORBIDDEN) == []
    assert sorted((f, m) for f, m in imported if m.startswith("accolade.adapters")) == []
