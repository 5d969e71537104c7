"""Cold start: how long importing each handler module takes in a fresh interpreter, next to
`import boto3` alone (the floor every Python Lambda touching AWS pays)."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# perf_counter around the import only: interpreter start-up is the same for every row.
_IMPORT_HANDLER = """
import importlib.util, json, sys, time
path = sys.argv[1]
started = time.perf_counter()
spec = importlib.util.spec_from_file_location("app", path)
module = importlib.util.module_from_spec(spec)
sys.modules["app"] = module
spec.loader.exec_module(module)
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "boto3": "boto3" in sys.modules}))
"""
_IMPORT_BOTO3 = """
import json, sys, time
started = time.perf_counter()
import boto3
print(json.dumps({"seconds": time.perf_counter() - started, "boto3": "boto3" in sys.modules}))
"""
_IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


@dataclass(frozen=True)
class ImportTime:
    name: str
    median_ms: float
    samples_ms: tuple[float, ...]
    imports_boto3: bool
    heaviest: tuple[tuple[str, float], ...] = ()  # top-level packages by self time (ms)


def _env() -> dict[str, str]:
    """A Lambda-like environment: the template's variables; tracing on (Tracing: Active)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "POWERTOOLS_", "TABLE_NAME", "TOPIC_ARN", "BUCKET_NAME"))
    }
    env.update(
        {
            "TABLE_NAME": "accolade-bench",
            "TOPIC_ARN": "arn:aws:sns:us-east-1:000000000000:accolade-bench",
            "BUCKET_NAME": "accolade-bench",
            "STAGE": "dev",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_LAMBDA_FUNCTION_NAME": "accolade-bench",
            "POWERTOOLS_SERVICE_NAME": "accolade",
            "POWERTOOLS_METRICS_NAMESPACE": "Accolade",
            "POWERTOOLS_LOG_LEVEL": "INFO",
        }
    )
    return env


def run_python(
    args: list[str], env: dict[str, str], failure: str
) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter run to its end; RuntimeError(`failure` and its stderr) if it fails."""
    done = subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{failure}:\n{done.stderr[-3000:]}")
    return done


def _import(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_python(argv, env, f"import failed ({argv[-1]})")


def _once(script: str, args: list[str], env: dict[str, str]) -> tuple[float, bool]:
    done = _import(["-c", script, *args], env)
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return float(answer["seconds"]) * 1000, bool(answer["boto3"])


def _heaviest(
    script: str, args: list[str], env: dict[str, str], top: int = 3
) -> tuple[tuple[str, float], ...]:
    """Self import time summed per top-level package, from `python -X importtime`."""
    done = _import(["-X", "importtime", "-c", script, *args], env)
    totals: Counter[str] = Counter()
    for line in done.stderr.splitlines():
        match = _IMPORTTIME.match(line)
        if match:
            totals[match.group(4).split(".")[0]] += int(match.group(1))
    return tuple((name, micros / 1000) for name, micros in totals.most_common(top))


def _measure(name: str, script: str, args: list[str], runs: int) -> ImportTime:
    env = _env()
    _once(script, args, env)  # the first run writes bytecode into __pycache__ if missing
    samples = [_once(script, args, env) for _ in range(runs)]
    return ImportTime(
        name,
        statistics.median(s[0] for s in samples),
        tuple(round(s[0], 1) for s in samples),
        samples[0][1],
        _heaviest(script, args, env),
    )


def handlers() -> list[Path]:
    return sorted((ROOT / "functions").glob("*/app.py"))


def measure(
    runs: int = 5, out: Callable[[str], None] = print
) -> tuple[ImportTime, list[ImportTime]]:
    """(boto3 alone, each handler): median import time over ``runs`` fresh interpreters."""
    out(
        f"  cold start: {len(handlers())} handlers + boto3, median of {runs} fresh interpreters ..."
    )
    baseline = _measure("import boto3", _IMPORT_BOTO3, [], runs)
    rows = [
        _measure(f"functions/{path.parent.name}", _IMPORT_HANDLER, [str(path)], runs)
        for path in handlers()
    ]
    return baseline, rows
