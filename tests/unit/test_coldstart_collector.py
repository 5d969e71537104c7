"""The garbage collector is paused for a Lambda cold start and resumed after the first call.

Each check runs in a fresh interpreter: the collector's state belongs to the process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

LAMBDA = {"AWS_LAMBDA_FUNCTION_NAME": "accolade-test"}


def _run(code: str, extra_env: dict[str, str]) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "AWS_LAMBDA_FUNCTION_NAME"} | extra_env
    probe = textwrap.dedent(code) + "\nimport json\nprint(json.dumps(report))\n"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
    answer: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


HANDLER = """
import gc
from accolade.coldstart import resumed_after_first_call
collections = []
gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(info))
made = [[i] for i in range(50_000)]  # what a cold start allocates: modules, classes, models

@resumed_after_first_call
def handler(event, context):
    more = [[i] for i in range(50_000)]
    if event.get("fail"):
        raise RuntimeError("the first invocation failed")
    return len(more)

report = {"during_cold_start": len(collections), "enabled_before": gc.isenabled()}
try:
    handler({"fail": FAIL}, None)
except RuntimeError:
    pass
report |= {"enabled_after": gc.isenabled(), "frozen": gc.get_freeze_count()}
handler({}, None)
report |= {"enabled_later": gc.isenabled()}
"""


@pytest.mark.parametrize("fail", [False, True])
def test_in_lambda_the_cold_start_runs_without_collections_then_collection_resumes(
    fail: bool,
) -> None:
    report = _run(HANDLER.replace("FAIL", str(fail)), LAMBDA)

    assert report["during_cold_start"] == 0
    assert report["enabled_before"] is False
    assert report["enabled_after"] is True
    assert int(str(report["frozen"])) >= 50_000
    assert report["enabled_later"] is True


def test_outside_lambda_importing_a_handler_leaves_the_collector_alone() -> None:
    report = _run(HANDLER.replace("FAIL", "False"), {})

    assert int(str(report["during_cold_start"])) > 0
    assert report["enabled_before"] is True
    assert report["frozen"] == 0


def test_every_handler_imports_the_pause_before_anything_else() -> None:
    from pathlib import Path

    apps = sorted(Path("functions").glob("*/app.py"))
    for app in apps:
        imports = [
            line
            for line in app.read_text().splitlines()
            if line.startswith(("import ", "from ")) and "__future__" not in line
        ]
        assert imports[0] == "import accolade.coldstart  # noqa: F401", app
        assert "@observed_handler\ndef lambda_handler" in app.read_text(), app
    # Every function of the template (its CodeUri), none left out.
    template = Path("template.yaml").read_text()
    assert {f"functions/{name}" for name in re.findall(r"CodeUri: functions/(\w+)/", template)} == {
        str(app.parent) for app in apps
    }


def test_the_handlers_decorator_resumes_the_collector_outermost() -> None:
    from accolade.coldstart import resumed_after_first_call
    from accolade.observability import observed_handler

    def handler(event: object, context: object) -> None:
        pass

    outermost = observed_handler(handler)  # functools.wraps copies the name, not the code

    assert outermost.__code__ is resumed_after_first_call(handler).__code__
