"""The shared layer ships compiled bytecode: Lambda's /opt is read-only, so a module it has to
compile from source is compiled again on every cold start (issue 9)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.first_call import build_layer

ROOT = Path(__file__).resolve().parents[2]

# Imports every module of the package from the layer's folder and reports what was compiled
# from source on the way (the interpreter's "compile" audit event names the file).
_IMPORT_ALL = """
import importlib, json, pkgutil, sys
compiled = []
sys.addaudithook(lambda event, args: event == "compile" and compiled.append(str(args[1])))
import accolade
for module in pkgutil.walk_packages(accolade.__path__, "accolade."):
    importlib.import_module(module.name)
print(json.dumps({"file": accolade.__file__, "compiled": compiled,
                  "modules": sorted(m for m in sys.modules if m.startswith("accolade"))}))
"""


def test_the_layer_build_compiles_every_module_so_a_cold_start_compiles_none(
    tmp_path: Path,
) -> None:
    packages = build_layer(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL],
        env={"PYTHONPATH": str(packages), "PYTHONDONTWRITEBYTECODE": "1", "TABLE_NAME": "t"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(done.stdout.splitlines()[-1])

    assert report["file"] == str(packages / "accolade" / "__init__.py")
    sources = {str(p) for p in (ROOT / "layers" / "shared" / "accolade").rglob("*.py")}
    assert len(report["modules"]) == len(sources)  # every module imported, from the layer
    assert [f for f in report["compiled"] if f.startswith(str(packages))] == []
