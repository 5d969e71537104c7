"""The local HTTP API: API Gateway HTTP API routing, JWT authorizer and payload format 2.0."""

from __future__ import annotations

import base64
import json
import textwrap
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from accolade_local.gateway import MAX_BODY_BYTES, Gateway, Router, http_event, map_response
from accolade_local.runtime import FunctionWorkers
from accolade_local.services import free_port
from accolade_local.template import HttpRoute, Template
from accolade_local.tokens import LocalSigner
from tests.local.stand_in import http_api, start

AUDIENCE = "accolade-local"

TEMPLATE = (
    start(timeout=5, variable="INVOCATION_LOG: LOG_PATH")
    + """Resources:
"""
    + http_api("EchoFunction", "functions/echo/")
    + """
        Item:
          Type: HttpApi
          Properties:
            ApiId: !Ref HttpApi
            Method: GET
            Path: /v1/items/{item_id}
  ShapesFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/shapes/
      Events:
        Shapes:
          Type: HttpApi
          Properties:
            ApiId: !Ref HttpApi
            Method: POST
            Path: /v1/shapes
            Auth:
              Authorizer: NONE
"""
)

ECHO = """
import json, os

def lambda_handler(event, context):
    with open(os.environ["INVOCATION_LOG"], "a") as log:
        log.write(event["routeKey"] + "\\n")
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps(event)}
"""

SHAPES = """
import base64

def lambda_handler(event, context):
    kind = event["queryStringParameters"]["kind"]
    if kind == "bare":
        return {"hello": "world"}
    if kind == "string":
        return "plain"
    if kind == "binary":
        return {"statusCode": 201, "isBase64Encoded": True,
                "headers": {"content-type": "application/octet-stream"},
                "cookies": ["a=1", "b=2"], "body": base64.b64encode(b"\\x00\\x01").decode()}
    if kind == "boom":
        raise RuntimeError("boom")
    return {"statusCode": "nope"}
"""


@dataclass
class Api:
    url: str
    signer: LocalSigner
    log: Path

    def invocations(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    root = tmp_path_factory.mktemp("gateway")
    log = root / "invocations.log"
    (root / "template.yaml").write_text(TEMPLATE.replace("LOG_PATH", str(log)), encoding="utf-8")
    for name, code in (("echo", ECHO), ("shapes", SHAPES)):
        (root / "functions" / name).mkdir(parents=True)
        (root / "functions" / name / "app.py").write_text(textwrap.dedent(code), encoding="utf-8")
    template = Template(root / "template.yaml")
    workers = {fid: FunctionWorkers(spec, spec.env) for fid, spec in template.functions().items()}
    port = free_port()
    signer = LocalSigner(root / "jwt", f"http://127.0.0.1:{port}/local-issuer", AUDIENCE)
    gateway = Gateway(template.http_routes(), workers, signer, port=port).start()
    yield Api(gateway.url, signer, log)
    gateway.stop()
    for pool in workers.values():
        pool.stop()


def _call(
    url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _event(api: Api, path: str, token: str | None = None, **kwargs: Any) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    status, _, body = _call(api.url + path, headers=headers, **kwargs)
    assert status == 200, body
    event: dict[str, Any] = json.loads(body)
    return event


# --- routing (no processes) -------------------------------------------------------------------


def _router() -> Router:
    return Router(
        [
            HttpRoute("GET", "/v1/health", "Health", auth_required=False),
            HttpRoute("POST", "/v1/events", "Ingest", auth_required=True),
            HttpRoute("GET", "/v1/items/{item_id}", "Item", auth_required=True),
            HttpRoute("ANY", "/v1/items/{item_id}", "AnyItem", auth_required=True),
            HttpRoute("ANY", "/v1/{proxy+}", "Proxy", auth_required=True),
        ]
    )


@pytest.mark.parametrize(
    ("method", "path", "function_id", "params"),
    [
        ("GET", "/v1/health", "Health", {}),
        ("POST", "/v1/events", "Ingest", {}),
        ("GET", "/v1/events", "Proxy", {"proxy": "events"}),
        ("GET", "/v1/items/42", "Item", {"item_id": "42"}),
        ("DELETE", "/v1/items/42", "AnyItem", {"item_id": "42"}),
        ("GET", "/v1/items/42/children", "Proxy", {"proxy": "items/42/children"}),
        ("GET", "/v1/items/a%20b", "Item", {"item_id": "a b"}),
    ],
)
def test_the_most_specific_route_wins(
    method: str, path: str, function_id: str, params: dict[str, str]
) -> None:
    match = _router().match(method, path)

    assert match is not None
    assert match[0].function_id == function_id
    assert match[1] == params


@pytest.mark.parametrize("path", ["/v1", "/v2/health", "/"])
def test_no_route_no_match(path: str) -> None:
    assert _router().match("GET", path) is None


def test_the_event_has_the_payload_2_0_shape() -> None:
    match = _router().match("POST", "/v1/events")
    assert match is not None

    event = http_event(
        "POST",
        "/v1/events",
        query="a=1&a=2&b=x%20y",
        headers=[("X-Thing", "1"), ("x-thing", "2"), ("Cookie", "c=1; d=2"), ("User-Agent", "t")],
        body=b"\xff\x00",
        route_key=match[0].key,
        source_ip="127.0.0.1",
        domain_name="127.0.0.1:3000",
        request_id="rid",
    )

    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /v1/events"
    assert event["rawQueryString"] == "a=1&a=2&b=x%20y"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x y"}
    assert event["headers"] == {"x-thing": "1,2", "user-agent": "t"}
    assert event["cookies"] == ["c=1", "d=2"]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\x00"
    assert "pathParameters" not in event
    context = event["requestContext"]
    assert context["http"] == {
        "method": "POST",
        "path": "/v1/events",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "t",
    }
    assert context["routeKey"] == "POST /v1/events"
    assert context["stage"] == "$default"
    assert context["requestId"] == "rid"
    assert isinstance(context["timeEpoch"], int)


def test_a_result_without_status_code_is_200_json() -> None:
    response = map_response({"ok": True})

    assert response.status == 200
    assert ("content-type", "application/json") in response.headers
    assert json.loads(response.body) == {"ok": True}


# --- over HTTP --------------------------------------------------------------------------------


def test_a_public_route_needs_no_token(api: Api) -> None:
    event = _event(api, "/v1/health?x=1")

    assert event["routeKey"] == "GET /v1/health"
    assert event["rawPath"] == "/v1/health"
    assert event["queryStringParameters"] == {"x": "1"}
    assert "authorizer" not in event["requestContext"]


def test_a_valid_token_reaches_the_handler_with_string_claims(api: Api) -> None:
    token = api.signer.mint("t1", "u1", admin=True, scopes=("events:write", "other"))

    event = _event(api, "/v1/items/7", token=token)

    jwt = event["requestContext"]["authorizer"]["jwt"]
    assert jwt["claims"]["sub"] == "u1"
    assert jwt["claims"]["tenant_id"] == "t1"
    assert jwt["claims"]["roles"] == "[admin]"
    assert isinstance(jwt["claims"]["exp"], str)
    assert jwt["scopes"] == ["events:write", "other"]
    assert event["pathParameters"] == {"item_id": "7"}
    assert event["routeKey"] == "GET /v1/items/{item_id}"


def test_a_token_without_scope_passes_null_scopes(api: Api) -> None:
    event = _event(api, "/v1/anything/else", token=api.signer.mint("t1", "u1"))

    assert event["requestContext"]["authorizer"]["jwt"]["scopes"] is None
    assert event["pathParameters"] == {"proxy": "anything/else"}


@pytest.mark.parametrize("case", ["missing", "garbage", "expired", "wrong_key", "wrong_audience"])
def test_a_bad_token_is_401_and_the_handler_is_not_invoked(
    api: Api, tmp_path: Path, case: str
) -> None:
    other = LocalSigner(tmp_path / "other", api.signer.issuer, AUDIENCE)
    tokens = {
        "missing": None,
        "garbage": "not-a-jwt",
        "expired": api.signer.mint("t1", "u1", expires_in=-120),
        "wrong_key": other.mint("t1", "u1"),
        "wrong_audience": LocalSigner(api.signer.key_dir, api.signer.issuer, "x").mint("t", "u"),
    }
    before = len(api.invocations())
    headers = {"Authorization": f"Bearer {tokens[case]}"} if tokens[case] else {}

    status, _, body = _call(api.url + "/v1/items/1", headers=headers)

    assert (status, json.loads(body)) == (401, {"message": "Unauthorized"})
    assert len(api.invocations()) == before


def test_an_unknown_route_is_404(api: Api) -> None:
    status, _, body = _call(api.url + "/nowhere")

    assert (status, json.loads(body)) == (404, {"message": "Not Found"})


def test_a_bare_dict_result_is_200_json(api: Api) -> None:
    status, headers, body = _call(api.url + "/v1/shapes?kind=bare", method="POST", body=b"{}")

    assert status == 200
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"hello": "world"}


def test_a_bare_string_result_is_its_json(api: Api) -> None:
    status, _, body = _call(api.url + "/v1/shapes?kind=string", method="POST", body=b"{}")

    assert (status, body) == (200, b'"plain"')


def test_a_binary_result_with_cookies(api: Api) -> None:
    request = urllib.request.Request(api.url + "/v1/shapes?kind=binary", data=b"{}", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        assert response.headers.get_all("set-cookie") == ["a=1", "b=2"]
        assert response.read() == b"\x00\x01"


@pytest.mark.parametrize("kind", ["boom", "malformed"])
def test_a_failing_or_malformed_function_is_500(api: Api, kind: str) -> None:
    status, _, body = _call(api.url + f"/v1/shapes?kind={kind}", method="POST", body=b"{}")

    assert (status, json.loads(body)) == (500, {"message": "Internal Server Error"})


def test_a_body_over_the_payload_quota_is_413(api: Api) -> None:
    status, _, body = _call(
        api.url + "/v1/shapes?kind=bare", method="POST", body=b"x" * (MAX_BODY_BYTES + 1)
    )

    assert status == 413
    assert json.loads(body) == {"message": "Request Entity Too Large"}


def test_jwks_is_served(api: Api) -> None:
    status, _, body = _call(api.url + "/.well-known/jwks.json")

    assert status == 200
    assert json.loads(body) == api.signer.jwks()


def test_the_issuer_publishes_its_discovery_document(api: Api) -> None:
    status, _, body = _call(api.url + "/local-issuer/.well-known/openid-configuration")

    assert status == 200
    document = json.loads(body)
    assert document["issuer"] == api.signer.issuer
    assert _call(document["jwks_uri"])[2] == _call(api.url + "/.well-known/jwks.json")[2]
