"""What the shared layer's build ships: every distribution a handler loads in Lambda, and
compiled bytecode (Lambda's /opt is read-only, so a module it has to compile from source is
compiled again on every cold start: issue 9)."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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


# What the python3.13 runtime ships besides the standard library: boto3 and its dependencies.
RUNTIME = {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"}
# Imported when present, and their importers work without them (try/except ImportError).
OPTIONAL = {
    "certifi": "botocore.httpsession",
    "blinker": "pynamodb.signals",
    "cryptography": "fpdf.fpdf (signing PDFs, which certificates do not)",
    "cffi": "cryptography",
}
FUNCTIONS = sorted(p.parent.name for p in (ROOT / "functions").glob("*/app.py"))

# Loads a handler as Lambda does (tracing on) and names the distribution of every module loaded.
_LOADED = """
import importlib.util, json, sys
from importlib import metadata
before = set(sys.modules)  # the interpreter's start-up (site, .pth files), not the handler's
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
sys.modules["app"] = module
spec.loader.exec_module(module)
owners = metadata.packages_distributions()
print(json.dumps(sorted({d for m in set(sys.modules) - before for d in owners.get(m.split(".")[0], ())})))
"""


def _closure(lines: list[str]) -> set[str]:
    """The distributions these requirement lines install on the runtime (python3.13, Linux):
    each with what it requires, its extras and environment markers applied."""
    environment = {"python_version": "3.13", "python_full_version": "3.13.0"}
    environment |= {"sys_platform": "linux", "platform_system": "Linux"}
    wanted = [
        Requirement(line) for line in lines if line.strip() and not line.startswith(("#", "-r"))
    ]
    found: set[str] = set()
    while wanted:
        requirement = wanted.pop()
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        found.add(name)
        for needed in map(Requirement, metadata.requires(name) or []):
            extras = requirement.extras or {""}
            marker = needed.marker
            if marker is None or any(marker.evaluate(environment | {"extra": e}) for e in extras):
                wanted.append(needed)
    return found


@pytest.mark.parametrize("name", FUNCTIONS)
def test_the_layer_and_the_function_install_every_distribution_its_handler_loads(
    name: str,
) -> None:
    layer = (ROOT / "layers" / "shared" / "requirements.txt").read_text().splitlines()
    own = ROOT / "functions" / name / "requirements.txt"
    deployed = _closure(layer + (own.read_text().splitlines() if own.exists() else [])) | RUNTIME
    env = {
        "PATH": "/usr/bin:/bin",
        "AWS_LAMBDA_FUNCTION_NAME": name,  # tracing on, as Tracing: Active in Lambda
        "AWS_REGION": "us-east-1",
        "TABLE_NAME": "accolade",
        "TOPIC_ARN": "arn:aws:sns:us-east-1:000000000000:accolade",
        "BUCKET_NAME": "accolade-documents",
    }
    done = subprocess.run(
        [sys.executable, "-c", _LOADED, str(ROOT / "functions" / name / "app.py")],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = {canonicalize_name(d) for d in json.loads(done.stdout.splitlines()[-1])}

    assert loaded - {"accolade"} - set(OPTIONAL) - deployed == set()
