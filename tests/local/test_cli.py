"""`accolade local ...` and the stack it runs, on a small stand-in project."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from accolade_local.cli import main
from accolade_local.runtime import FunctionError
from accolade_local.services import free_port
from accolade_local.stack import AUDIENCE, LocalStack, issuer_for
from accolade_local.tokens import LocalSigner
from tests.local.stand_in import http_api, start

CLI = (sys.executable, "-m", "accolade_local")

TEMPLATE = (
    start(timeout=10, variable="TABLE_NAME: !Ref Table")
    + """Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: PK, AttributeType: S}
        - {AttributeName: SK, AttributeType: S}
      KeySchema:
        - {AttributeName: PK, KeyType: HASH}
        - {AttributeName: SK, KeyType: RANGE}
      StreamSpecification:
        StreamViewType: NEW_AND_OLD_IMAGES
  StreamFailuresQueue:
    Type: AWS::SQS::Queue
"""
    + http_api("ApiFunction", "functions/api/")
    + """
  CountFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/count/
      Events:
        NewItems:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 10
            MaximumBatchingWindowInSeconds: 1
            MaximumRetryAttempts: 1
            FunctionResponseTypes: [ReportBatchItemFailures]
            FilterCriteria:
              Filters:
                - Pattern: >-
                    {"eventName": ["INSERT"],
                     "dynamodb": {"NewImage": {"entity": {"S": ["item"]}}}}
            DestinationConfig:
              OnFailure:
                Type: SQS
                Destination: !GetAtt StreamFailuresQueue.Arn
        Weekly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: cron(5 0 ? * MON *)
            Input: '{"period": "week"}'
"""
)

API = """
import json, os
import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])

def lambda_handler(event, context):
    if event["routeKey"] == "GET /v1/health":
        return {"status": "ok"}
    item_id = event["pathParameters"]["proxy"].split("/")[-1]
    if event["requestContext"]["http"]["method"] == "PUT":
        table.put_item(Item={"PK": item_id, "SK": "#", "entity": "item"})
        return {"statusCode": 202, "body": ""}
    seen = table.get_item(Key={"PK": item_id, "SK": "seen"}).get("Item")
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    return {"seen": bool(seen), "tenant": claims["tenant_id"]}
"""

COUNT = """
import os
import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])

def lambda_handler(event, context):
    if "period" in event:
        return {"period": event["period"], "table": os.environ["TABLE_NAME"]}
    if event.get("fail"):
        raise RuntimeError("asked to fail")
    for record in event["Records"]:
        pk = record["dynamodb"]["Keys"]["PK"]["S"]
        table.put_item(Item={"PK": pk, "SK": "seen", "entity": "seen"})
    return {"batchItemFailures": []}
"""


def _project(root: Path) -> Path:
    (root / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    for name, code in (("api", API), ("count", COUNT)):
        (root / "functions" / name).mkdir(parents=True, exist_ok=True)
        (root / "functions" / name / "app.py").write_text(textwrap.dedent(code), encoding="utf-8")
    return root


def _get(url: str, token: str | None = None, method: str = "GET") -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        children = {child for child, parent in parents.items() if parent in frontier}
        found |= children
        frontier = children
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# --- token ------------------------------------------------------------------------------------


def test_token_prints_a_jwt_the_local_api_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expires_in = 120
    code = main(
        [
            "--root",
            str(tmp_path),
            "local",
            "token",
            "--tenant",
            "t1",
            "--user",
            "u1",
            "--admin",
            "--scope",
            "events:write",
            "--expires-in",
            str(expires_in),
        ]
    )

    token = capsys.readouterr().out.strip()
    claims = LocalSigner(tmp_path / ".local" / "jwt", issuer_for(3000), AUDIENCE).verify(token)
    assert code == 0
    assert (claims["tenant_id"], claims["sub"], claims["roles"]) == ("t1", "u1", ["admin"])
    assert claims["scope"] == "events:write"
    assert claims["exp"] - claims["iat"] == expires_in


def test_token_works_as_a_console_script(tmp_path: Path) -> None:
    result = subprocess.run(
        [*CLI, "--root", str(tmp_path), "local", "token", "--tenant", "t", "--user", "u"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    signer = LocalSigner(tmp_path / ".local" / "jwt", issuer_for(3000), AUDIENCE)
    assert signer.verify(result.stdout.strip())["sub"] == "u"


# --- invoke -----------------------------------------------------------------------------------


def _fake_state(root: Path) -> None:
    (root / ".local").mkdir(parents=True, exist_ok=True)
    state = {
        "pid": os.getpid(),
        "root": str(root),
        "api_url": "http://127.0.0.1:1",
        "api_port": 1,
        "dynamodb_endpoint": "http://127.0.0.1:2",
        "aws_endpoint": "http://127.0.0.1:3",
        "data_dir": str(root / ".local"),
        "issuer": issuer_for(1),
        "started_at": "2026-11-24T00:00:00+00:00",
    }
    (root / ".local" / "stack.json").write_text(json.dumps(state), encoding="utf-8")


def test_invoke_runs_one_function_with_the_template_env(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _project(tmp_path)
    _fake_state(root)
    (root / "event.json").write_text('{"period": "month"}', encoding="utf-8")
    event = str(root / "event.json")

    code = main(["--root", str(root), "local", "invoke", "CountFunction", "--event", event])

    assert code == 0
    assert json.loads(capsys.readouterr().out) == {
        "period": "month",
        "table": "accolade-local-Table",
    }


def test_invoke_exits_non_zero_on_a_function_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    _fake_state(root)
    (root / "event.json").write_text('{"fail": true}', encoding="utf-8")
    monkeypatch.chdir(root)

    code = main(["local", "invoke", "CountFunction", "--event", "event.json"])

    assert code == 1
    assert json.loads(capsys.readouterr().out)["errorType"] == "RuntimeError"


def test_invoke_without_a_running_stack_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--root", str(_project(tmp_path)), "local", "invoke", "CountFunction"])

    assert code == 2
    assert "make run" in capsys.readouterr().err


# --- the stack --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    root = _project(tmp_path_factory.mktemp("stack"))
    with LocalStack(
        root,
        api_port=free_port(),
        dynamodb_port=free_port(),
        aws_port=free_port(),
        in_memory=True,
    ) as running:
        yield running


def test_the_stack_serves_routes_and_runs_stream_functions(stack: LocalStack) -> None:
    token = stack.token("demo", "user-1")

    assert _get(f"{stack.api_url}/v1/health") == (200, b'{"status": "ok"}')
    assert _get(f"{stack.api_url}/v1/items/i1", token, method="PUT")[0] == 202
    stack.drain(60)
    status, body = _get(f"{stack.api_url}/v1/items/i1", token)

    assert status == 200
    assert json.loads(body) == {"seen": True, "tenant": "demo"}


def test_the_stack_invokes_functions_and_reports_their_errors(stack: LocalStack) -> None:
    assert stack.invoke("CountFunction", {"period": "week"})["period"] == "week"
    with pytest.raises(FunctionError):
        stack.invoke("CountFunction", {"fail": True})


def test_the_banner_has_urls_and_tokens(stack: LocalStack) -> None:
    banner = stack.banner()

    assert f"{stack.api_url}/v1/swagger" in banner
    assert f"{stack.api_url}/v1/openapi.json" in banner
    tokens = [
        line.split()[-1]
        for line in banner.splitlines()
        if line.strip().startswith(("admin", "user", "machine"))
    ]
    claims = [stack.signer.verify(t) for t in tokens]
    assert [(c["sub"], "roles" in c, c.get("scope")) for c in claims] == [
        ("admin-1", True, None),
        ("user-1", False, None),
        ("ingest-client", False, "events:write"),
    ]


def test_a_taken_port_is_named_in_the_error(tmp_path: Path) -> None:
    import socket

    from accolade_local.services import PortInUseError

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        stack = LocalStack(_project(tmp_path), api_port=port, dynamodb_port=free_port())

        with pytest.raises(PortInUseError, match=rf"port {port} .*HTTP API.*--api-port"):
            stack.start()


def test_up_serves_then_ctrl_c_stops_everything(tmp_path: Path) -> None:
    root = _project(tmp_path)
    api_port = free_port()
    process = subprocess.Popen(
        [
            *CLI,
            *("--root", str(root), "local", "up", "--api-port", str(api_port)),
            *("--dynamodb-port", str(free_port()), "--aws-port", str(free_port())),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines: list[str] = []
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "Ctrl-C stops the stack" in line:
                break
        assert any(f"http://127.0.0.1:{api_port}/v1/swagger" in line for line in lines), lines
        assert _get(f"http://127.0.0.1:{api_port}/v1/health")[0] == 200
        assert (root / ".local" / "stack.json").exists()
        children = _descendants(process.pid)
        assert children

        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert code == 0
    assert [pid for pid in children if _alive(pid)] == []
    assert not (root / ".local" / "stack.json").exists()
    assert (root / ".local" / "dynamodb").is_dir()
