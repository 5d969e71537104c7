"""Lambda-like workers: handlers run unchanged in their own process with the function's env."""

from __future__ import annotations

import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from accolade_local.runtime import FunctionError, FunctionWorkers
from accolade_local.template import FunctionSpec

TIMEOUT_S = 2
MEMORY_MB = 256

HANDLER = """
import os, sys, time

import helper  # from the layer directory, as /opt/python on Lambda


def lambda_handler(event, context):
    action = event.get("action")
    if action == "boom":
        raise ValueError("boom happened")
    if action == "sleep":
        time.sleep(event["seconds"])
    if action == "crash":
        os._exit(3)
    if action == "unserialisable":
        return {"value": object()}
    return {
        "event": event,
        "env": os.environ.get("GREETING"),
        "helper": helper.NAME,
        "function_name": context.function_name,
        "memory": context.memory_limit_in_mb,
        "arn": context.invoked_function_arn,
        "request_id": context.aws_request_id,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "pid": os.getpid(),
    }
"""


def _spec(root: Path, code: str, timeout: int = TIMEOUT_S) -> FunctionSpec:
    function_dir = root / "functions" / "echo"
    function_dir.mkdir(parents=True, exist_ok=True)
    (function_dir / "app.py").write_text(textwrap.dedent(code), encoding="utf-8")
    layer = root / "layers" / "shared"
    layer.mkdir(parents=True, exist_ok=True)
    (layer / "helper.py").write_text('NAME = "from-layer"\n', encoding="utf-8")
    return FunctionSpec(
        logical_id="EchoFunction",
        name="accolade-local-EchoFunction",
        code_uri=function_dir,
        handler="app.lambda_handler",
        timeout=timeout,
        memory=MEMORY_MB,
        env={},
        layers=(layer,),
    )


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FunctionWorkers]:
    root = tmp_path_factory.mktemp("runtime")
    pool = FunctionWorkers(_spec(root, HANDLER), {"GREETING": "hello"})
    yield pool
    pool.stop()


def test_handler_gets_event_env_layer_and_context(workers: FunctionWorkers) -> None:
    result = workers.invoke({"action": "echo", "n": 1})

    assert result["event"] == {"action": "echo", "n": 1}
    assert result["env"] == "hello"
    assert result["helper"] == "from-layer"
    assert result["function_name"] == "accolade-local-EchoFunction"
    assert result["memory"] == MEMORY_MB
    assert result["arn"].endswith(":function:accolade-local-EchoFunction")
    assert str(uuid.UUID(result["request_id"])) == result["request_id"]
    assert 0 < result["remaining_ms"] <= TIMEOUT_S * 1000


def test_the_environment_is_warm_between_invocations(workers: FunctionWorkers) -> None:
    first = workers.invoke({})
    second = workers.invoke({})

    assert first["pid"] == second["pid"]
    assert first["request_id"] != second["request_id"]


def test_an_exception_comes_back_as_lambdas_error_object(workers: FunctionWorkers) -> None:
    with pytest.raises(FunctionError) as caught:
        workers.invoke({"action": "boom"})

    payload = caught.value.payload
    assert payload["errorType"] == "ValueError"
    assert payload["errorMessage"] == "boom happened"
    assert any("app.py" in line for line in payload["stackTrace"])


def test_a_handler_past_its_timeout_is_stopped(workers: FunctionWorkers) -> None:
    with pytest.raises(FunctionError) as caught:
        workers.invoke({"action": "sleep", "seconds": TIMEOUT_S * 5})

    assert caught.value.payload["errorType"] == "Sandbox.Timedout"
    assert f"{TIMEOUT_S:.2f} seconds" in caught.value.payload["errorMessage"]
    assert workers.invoke({})["env"] == "hello"


def test_a_crashed_worker_is_an_error_and_the_next_invocation_gets_a_fresh_one(
    workers: FunctionWorkers,
) -> None:
    before = workers.invoke({})["pid"]

    with pytest.raises(FunctionError) as caught:
        workers.invoke({"action": "crash"})

    assert caught.value.payload["errorType"] == "Runtime.ExitError"
    assert workers.invoke({})["pid"] != before


def test_a_result_that_is_not_json_is_a_marshal_error(workers: FunctionWorkers) -> None:
    with pytest.raises(FunctionError) as caught:
        workers.invoke({"action": "unserialisable"})

    assert caught.value.payload["errorType"] == "Runtime.MarshalError"


def test_an_import_error_is_reported_on_invoke(tmp_path: Path) -> None:
    pool = FunctionWorkers(_spec(tmp_path, "import not_a_module\n"), {})
    try:
        assert pool.warm() is False
        with pytest.raises(FunctionError) as caught:
            pool.invoke({})
    finally:
        pool.stop()

    assert caught.value.payload["errorType"] == "Runtime.ImportModuleError"
    assert "not_a_module" in caught.value.payload["errorMessage"]
