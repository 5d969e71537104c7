"""Each handler's first invocation in a fresh interpreter, next to boto3's (issue 9, item 5).

What a cold start costs a caller is not the import alone: it is the import, the handler's
initialisation and its first DynamoDB request (a new connection, credential and endpoint
resolution, the first client's model loading). Each run is a fresh interpreter in a Lambda-like
environment (the template's variables for the function, ``LAMBDA_TASK_ROOT`` and
``AWS_LAMBDA_FUNCTION_NAME`` set, an ``_X_AMZN_TRACE_ID`` as Lambda sets it; tracing on, as
``Tracing: Active`` asks; the X-Ray daemon address points at a local port nobody listens on,
so segments are sent and dropped as UDP). It imports ``functions/<name>/app.py`` as module
``app`` and calls ``lambda_handler`` once with the function's sample event from ``events/``,
against DynamoDB Local and the moto server. The ``accolade`` package is loaded as Lambda loads
the shared layer: from the layer build's output (``layers/shared/Makefile``, target
``bytecode``: the package with bytecode compiled unchecked-hash), first on ``PYTHONPATH``;
``app.py`` is compiled on import, as Lambda does with a function's own code. The baseline is ``import boto3`` + a client +
one GetItem. Interpreter start-up is excluded from both (same for everyone). Median of N runs,
after one run that warms ``__pycache__``; the runs go in rounds (one run of every row a round),
so a drifting load on a shared machine weighs on every row alike.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from benchmarks.coldstart import run_python

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.5  # first invocation / (import boto3 + one GetItem)

# function folder -> its sample event (the first request a fresh sandbox would serve)
SAMPLES = {
    "api": "api/me_achievements.json",
    "deliver_messages": "deliver_messages/award_inserted.json",
    "evaluate_events": "evaluate_events/stream_batch.json",
    "generate_certificates": "generate_certificates/award_pending.json",
    "ingest_events": "ingest_events/post_events.json",
    "select_winners": "select_winners/tenant_closes.json",
    "close_periods": "close_periods/hourly.json",
    "send_expiry_notices": "send_expiry_notices/daily.json",
    "publish_credential_status": "publish_credential_status/award_revoked.json",
    "record_audit": "record_audit/settings_changed.json",
    "export_awards": "export_awards/export_inserted.json",
}

# How every script ends, once it printed its figures: without the interpreter's teardown, which
# is no part of a first invocation (Lambda freezes a sandbox, it does not tear it down) and which
# callgrind would otherwise count (benchmarks.instructions).
_EXIT = """
sys.stdout.flush()
import os
os._exit(0)
"""

# The Lambda context both scripts hand their handler (defined outside the timed span).
_CONTEXT = """
import json, sys, time
class Context:
    function_name = "accolade-bench"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:accolade-bench"
    memory_limit_in_mb = 512
    aws_request_id = "bench-first-call"
    log_group_name = "/aws/lambda/accolade-bench"
    log_stream_name = "bench"
    def get_remaining_time_in_millis(self):
        return 30000
"""

_HANDLER = (
    _CONTEXT
    + """
started = time.perf_counter()
import importlib.util
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
sys.modules["app"] = module
spec.loader.exec_module(module)
imported = time.perf_counter()
import botocore.endpoint
hosts = []
_send = botocore.endpoint.Endpoint.make_request
def counted(self, *args, **kwargs):
    hosts.append(self.host)
    return _send(self, *args, **kwargs)
botocore.endpoint.Endpoint.make_request = counted
with open(sys.argv[2]) as f:
    event = json.load(f)
resumed = time.perf_counter()
module.lambda_handler(event, Context())
done = time.perf_counter()
print(json.dumps({
    "import": imported - started,
    "total": (imported - started) + (done - resumed),
    "dynamodb": sum(1 for h in hosts if h == sys.argv[3]),
}))
"""
    + _EXIT
)

_BOTO3 = (
    """
import json, sys, time
started = time.perf_counter()
import boto3
client = boto3.client("dynamodb")
client.get_item(TableName=sys.argv[1], Key={"PK": {"S": "bench"}, "SK": {"S": "first-call"}})
done = time.perf_counter()
print(json.dumps({"import": 0.0, "total": done - started, "dynamodb": 1}))
"""
    + _EXIT
)


# What no handler can do without, and nothing of Accolade: the libraries a handler imports, its
# Powertools objects and decorators (tracing on), a pydantic model validated, a client and one
# GetItem; for HTTP also Powertools' resolver with one validated route answering the sample
# event; the collector paused, as in the handlers. A reference row (not a target): the floor
# that Accolade's own code adds to.
_LIBRARIES = (
    _CONTEXT
    + """
with open(sys.argv[2]) as f:
    event = json.load(f)
started = time.perf_counter()
import gc
gc.disable()  # as accolade.coldstart does in the handlers
from typing import Annotated
import botocore.session
import pynamodb.models
from aws_lambda_powertools import Logger, Metrics, Tracer
from pydantic import BaseModel
http = sys.argv[3] == "http"
if http:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
    from aws_lambda_powertools.event_handler.openapi.params import Query
logger, metrics = Logger(), Metrics(namespace="Bench")
tracer = Tracer(patch_modules=("botocore",))
class Key(BaseModel):
    PK: str
    SK: str
def get_item():
    client = botocore.session.get_session().create_client("dynamodb")
    key = Key.model_validate({"PK": "bench", "SK": "first-call"})
    client.get_item(TableName=sys.argv[1], Key={"PK": {"S": key.PK}, "SK": {"S": key.SK}})
    return key
if http:
    app = APIGatewayHttpResolver(enable_validation=True)
    @app.get("/v1/me/achievements")
    def page(status: Annotated[str | None, Query()] = None) -> Key:
        return get_item()
@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event, context):
    return app.resolve(event, context) if http else get_item()
handler(event, Context())
done = time.perf_counter()
print(json.dumps({"import": 0.0, "total": done - started, "dynamodb": 1}))
"""
    + _EXIT
)


@dataclass(frozen=True)
class FirstCall:
    name: str
    median_ms: float
    import_ms: float
    dynamodb_requests: int
    samples_ms: tuple[float, ...]
    reference: bool = False  # a libraries-only row: no target, it shows the floor


def build_layer(into: Path) -> Path:
    """The shared layer's package folder as ``sam build`` makes it (the sources compiled to
    bytecode by the layer's own Makefile), with this interpreter: what goes on PYTHONPATH."""
    layer = ROOT / "layers" / "shared"
    make = ["make", "-s", "-C", str(layer), "bytecode", f"ARTIFACTS_DIR={into}"]
    subprocess.run([*make, f"RUNTIME_PYTHON={sys.executable}"], check=True)
    return into / "python"


def _env(
    function_env: Mapping[str, str], extra: Mapping[str, str], task_root: Path
) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "POWERTOOLS_", "_X_AMZN", "LAMBDA_"))
    }
    env.update(function_env)
    env.pop("POWERTOOLS_TRACE_DISABLED", None)  # tracing on, as Tracing: Active asks
    env.update(extra)
    env.update(
        {
            "LAMBDA_TASK_ROOT": str(task_root),
            "AWS_LAMBDA_FUNCTION_NAME": "accolade-bench",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
            "_X_AMZN_TRACE_ID": "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1",
            "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
            "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2",
        }
    )
    return env


def _once(args: list[str], env: dict[str, str]) -> dict[str, float]:
    done = run_python(args, env, f"first call failed ({args[1:]})")
    answer: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


@dataclass(frozen=True)
class Subject:
    """A script run in a fresh interpreter: its arguments and environment."""

    name: str
    args: list[str]
    env: dict[str, str]
    reference: bool = False


def _medians(subjects: list[Subject], runs: int) -> list[FirstCall]:
    """Each subject's median over ``runs``, the runs taken in rounds (one of each subject per
    round, after a round that warms ``__pycache__``): on a shared machine whose load drifts,
    every row then sees the same load, the baseline included."""
    for subject in subjects:
        _once(subject.args, subject.env)
    samples: list[list[dict[str, float]]] = [[] for _ in subjects]
    for _ in range(runs):
        for subject, taken in zip(subjects, samples, strict=True):
            taken.append(_once(subject.args, subject.env))
    return [
        FirstCall(
            subject.name,
            statistics.median(s["total"] * 1000 for s in taken),
            statistics.median(s["import"] * 1000 for s in taken),
            int(taken[0]["dynamodb"]),
            tuple(round(s["total"] * 1000, 1) for s in taken),
            subject.reference,
        )
        for subject, taken in zip(subjects, samples, strict=True)
    ]


def measure(
    *,
    function_envs: Mapping[str, Mapping[str, str]],
    endpoints: Mapping[str, str],
    dynamodb_host: str,
    table_name: str,
    runs: int = 5,
    out: Callable[[str], None] = print,
) -> tuple[FirstCall, list[FirstCall]]:
    """(boto3 + GetItem, [the libraries-only floors, then each handler's first invocation]):
    medians over ``runs`` interpreters.

    ``function_envs`` maps a function folder to the variables the template gives it;
    ``endpoints`` are the AWS_ENDPOINT_URL* variables and fake credentials of the local stack.
    """
    out(f"  first invocation: {len(function_envs)} handlers + boto3, median of {runs} ...")
    with layer_subjects(function_envs, endpoints, dynamodb_host, table_name) as subjects:
        baseline, *rows = _medians(subjects, runs)
    for row in rows:
        out(f"    {row.name}: {row.median_ms:.0f} ms ({row.median_ms / baseline.median_ms:.1f}x)")
    return baseline, rows


@contextlib.contextmanager
def layer_subjects(
    function_envs: Mapping[str, Mapping[str, str]],
    endpoints: Mapping[str, str],
    dynamodb_host: str,
    table_name: str,
) -> Iterator[list[Subject]]:
    """The baseline, the two floors and each handler's first call, as scripts to run, the
    shared layer built beside them for as long as the block runs."""
    with tempfile.TemporaryDirectory(prefix="accolade-layer-") as layer:
        on_path = {**endpoints, "PYTHONPATH": str(build_layer(Path(layer)))}
        yield _subjects(function_envs, on_path, dynamodb_host, table_name)


def _subjects(
    function_envs: Mapping[str, Mapping[str, str]],
    endpoints: Mapping[str, str],
    dynamodb_host: str,
    table_name: str,
) -> list[Subject]:
    any_env = next(iter(function_envs.values()))
    subjects = [
        Subject(
            "import boto3 + GetItem", ["-c", _BOTO3, table_name], _env(any_env, endpoints, ROOT)
        )
    ]
    subjects += [
        Subject(
            f"libraries only, {kind} handler",
            ["-c", _LIBRARIES, table_name, str(ROOT / "events" / SAMPLES[sample]), kind],
            _env(function_envs[sample], endpoints, ROOT / "functions" / sample),
            reference=True,
        )
        for kind, sample in (("stream", "evaluate_events"), ("http", "api"))
    ]
    for name, function_env in sorted(function_envs.items()):
        app = ROOT / "functions" / name / "app.py"
        event = ROOT / "events" / SAMPLES[name]
        subjects.append(
            Subject(
                f"functions/{name}",
                ["-c", _HANDLER, str(app), str(event), dynamodb_host],
                _env(function_env, endpoints, app.parent),
            )
        )
    return subjects
