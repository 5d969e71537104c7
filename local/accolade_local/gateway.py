"""The HTTP API on 127.0.0.1: template routes, JWT authorizer, payload format 2.0 (its event
built here for the gateway and for tests that call handlers, its result mapped to the response).

Hand-written on the stdlib server: SAM's `local start-api` needs Docker, no maintained library
imitates API Gateway HTTP API's authorizer and 2.0 mapping, and werkzeug's server closes every
connection where API Gateway keeps it alive (the latency benchmark measures one connection).
"""

from __future__ import annotations

import base64
import json
import logging
import mimetypes
import re
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from accolade_local.runtime import FunctionError, Invoker
from accolade_local.template import HttpRoute
from accolade_local.tokens import LocalSigner, to_apigw_claims

__all__ = ["Gateway", "HttpResponse", "Router", "http_event", "map_response"]

log = logging.getLogger("accolade_local.gateway")

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload quota
INTEGRATION_TIMEOUT_S = 30.0  # HTTP API's maximum integration timeout


# Media types API Gateway passes as text; any other body arrives base64-encoded.
_TEXT_SUFFIXES = ("json", "xml", "/javascript", "/yaml", "/x-www-form-urlencoded", "/graphql")


def _is_text(content_type: str | None, body: bytes) -> bool:
    media = (content_type or "text/plain").split(";", 1)[0].strip().lower()
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return media.startswith("text/") or media.endswith(_TEXT_SUFFIXES)


def http_event(
    method: str,
    path: str,
    *,
    query: str = "",
    headers: Sequence[tuple[str, str]] = (),
    body: bytes | str | None = None,
    route_key: str = "$default",
    path_parameters: Mapping[str, str] | None = None,
    claims: Mapping[str, str] | None = None,
    source_ip: str = "127.0.0.1",
    domain_name: str = "127.0.0.1",
    request_id: str | None = None,
) -> dict[str, Any]:
    """The payload 2.0 event of a Lambda integration; `claims` are the JWT authorizer's (every
    value a string), None on an unauthorised route."""
    now = datetime.now(UTC)
    # Payload 2.0 joins a repeated header or query parameter with commas, and lists cookies.
    received = MultiDict((name.lower(), value) for name, value in headers)
    cookies = [c.strip() for v in received.poplist("cookie") for c in v.split(";") if c.strip()]
    merged = {name: ",".join(values) for name, values in received.lists()}
    context: dict[str, Any] = {
        "accountId": "000000000000",
        "apiId": "local",
        "domainName": domain_name,
        "domainPrefix": domain_name.split(".", 1)[0],
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": merged.get("user-agent", ""),
        },
        "requestId": request_id or str(uuid.uuid4()),
        "routeKey": route_key,
        "stage": "$default",
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(now.timestamp() * 1000),
    }
    if claims is not None:
        scopes = str(claims.get("scope") or "").split() or None
        context["authorizer"] = {"jwt": {"claims": dict(claims), "scopes": scopes}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": merged,
        "requestContext": context,
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        params = MultiDict(parse_qsl(query, keep_blank_values=True))
        event["queryStringParameters"] = {k: ",".join(v) for k, v in params.lists()}
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if raw and _is_text(merged.get("content-type"), raw):
        event["body"] = raw.decode("utf-8")
    elif raw:
        event["body"], event["isBase64Encoded"] = base64.b64encode(raw).decode("ascii"), True
    return event


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def json_response(status: int, payload: Any) -> HttpResponse:
    return HttpResponse(
        status, [("content-type", "application/json")], json.dumps(payload).encode("utf-8")
    )


def refusal(status: HTTPStatus) -> HttpResponse:
    """API Gateway's own answer, `{"message": <the status's phrase>}`."""
    return json_response(status, {"message": status.phrase})


def map_response(result: Any) -> HttpResponse:
    """Payload 2.0 response mapping, including the "no statusCode means 200 JSON" inference."""
    if not (isinstance(result, dict) and "statusCode" in result):
        return json_response(200, result)
    status = result["statusCode"]
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise ValueError(f"invalid statusCode {status!r}")
    headers = [(str(name), str(value)) for name, value in (result.get("headers") or {}).items()]
    headers.extend(("set-cookie", str(cookie)) for cookie in result.get("cookies") or [])
    body = result.get("body")
    if body is None:
        raw = b""
    elif result.get("isBase64Encoded"):
        raw = base64.b64decode(str(body), validate=True)
    else:
        raw = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
    if raw and not any(h[0].lower() == "content-type" for h in headers):
        # HTTP API answers text/plain when the function does not say.
        headers.append(("content-type", "text/plain; charset=utf-8"))
    return HttpResponse(status, headers, raw)


def static(root: Path, name: str) -> HttpResponse:
    """A file under `root` (the console's build; in AWS, S3 behind CloudFront serves it)."""
    if not name:  # the console's relative links need the slash
        return HttpResponse(HTTPStatus.MOVED_PERMANENTLY, [("location", "/console/")], b"")
    file = (root / (unquote(name).lstrip("/") or "index.html")).resolve()
    if root not in file.parents or not file.is_file():
        return refusal(HTTPStatus.NOT_FOUND)
    media = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return HttpResponse(HTTPStatus.OK, [("content-type", media)], file.read_bytes())


class Router:
    """HTTP API route selection, by werkzeug's router: the most specific path wins."""

    def __init__(self, routes: Sequence[HttpRoute]) -> None:
        # {id} is werkzeug's <id>, {proxy+} its <path:proxy>; of two rules on one path, the first
        # added wins, so an exact method is added before ANY.
        rules = [
            Rule(
                re.sub(r"\{(\w+)\}", r"<\1>", re.sub(r"\{(\w+)\+\}", r"<path:\1>", route.path)),
                endpoint=route,
                methods=None if route.method == "ANY" else [route.method],
            )
            for route in sorted(routes, key=lambda r: r.method == "ANY")
        ]
        self._urls = Map(rules).bind("local")

    def match(self, method: str, path: str) -> tuple[HttpRoute, dict[str, str]] | None:
        """The route and its path parameters."""
        try:
            route, params = self._urls.match(unquote(path), method=method.upper())
        except HTTPException:  # no route, or a redirect werkzeug would suggest
            return None
        return route, dict(params)


class Gateway(ThreadingHTTPServer):
    """The local HTTP API: serves until stop(), in a background thread."""

    daemon_threads = True

    def __init__(
        self,
        routes: Sequence[HttpRoute],
        invokers: Mapping[str, Invoker],
        verifier: LocalSigner,
        *,
        port: int = 3000,
        web_dir: Path | None = None,  # the console's build, served under /console/
    ) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.web_dir = web_dir.resolve() if web_dir else None
        self.router = Router(routes)
        self.invokers = dict(invokers)
        self.verifier = verifier
        self._thread: threading.Thread | None = None
        self.port = int(self.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> Gateway:
        if self._thread is None:
            self._thread = threading.Thread(target=self.serve_forever, args=(0.2,), daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self.server_close()

    def handle(self, request: _Handler, request_id: str) -> HttpResponse:
        body = request.read_body()
        if isinstance(body, HttpResponse):
            request.close_connection = True  # what is left of the body is not read
            return body
        method, headers, split = request.command, request.headers, urlsplit(request.path)
        path, host = split.path or "/", headers.get("host") or f"127.0.0.1:{self.port}"
        issuer, jwks = self.verifier.issuer, "/.well-known/jwks.json"
        under = urlsplit(issuer).path  # the issuer's discovery documents live under its path
        if method == "GET" and path in (jwks, under + jwks):
            return json_response(200, self.verifier.jwks())
        if method == "GET" and path == under + "/.well-known/openid-configuration":
            return json_response(200, {"issuer": issuer, "jwks_uri": issuer + jwks})
        if self.web_dir and method in ("GET", "HEAD") and path.split("/")[1] == "console":
            return static(self.web_dir, path.removeprefix("/console"))
        match = self.router.match(method, path)
        if match is None:
            return refusal(HTTPStatus.NOT_FOUND)
        route, path_parameters = match
        claims = self._authorize(headers) if route.auth_required else None
        if route.auth_required and claims is None:
            return refusal(HTTPStatus.UNAUTHORIZED)
        event = http_event(
            method,
            path,
            query=split.query,
            headers=headers.items(),
            body=body,
            route_key=route.key,
            path_parameters=path_parameters,
            claims=claims,
            source_ip=request.client_address[0],
            domain_name=host,
            request_id=request_id,
        )
        started = time.monotonic()
        try:
            return map_response(self.invokers[route.function_id].invoke(event))
        except FunctionError as exc:
            log.error("%s failed: %s", route.function_id, json.dumps(exc.payload))
            if time.monotonic() - started >= INTEGRATION_TIMEOUT_S:
                return refusal(HTTPStatus.SERVICE_UNAVAILABLE)
        except ValueError as exc:  # binascii.Error included
            log.error("%s returned a malformed response: %s", route.function_id, exc)
        return refusal(HTTPStatus.INTERNAL_SERVER_ERROR)

    def _authorize(self, headers: Message) -> dict[str, str] | None:
        """The token's claims as the JWT authorizer passes them on; None when it is refused."""
        value = (headers.get("authorization") or "").strip()
        # API Gateway accepts the token with or without the "Bearer " prefix.
        token = value[7:].strip() if value[:7].lower() == "bearer " else value
        try:
            return to_apigw_claims(self.verifier.verify(token))
        except Exception as exc:
            log.info("JWT rejected: %s", exc)
            return None


class _Handler(BaseHTTPRequestHandler):
    server: Gateway

    protocol_version = "HTTP/1.1"
    server_version = "accolade-local"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def read_body(self) -> bytes | HttpResponse:
        """The request body, or the response refusing it."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:  # malformed: refused below as a negative one is
            length = -1
        if self.headers.get("Transfer-Encoding") or length < 0:
            return refusal(HTTPStatus.BAD_REQUEST)
        if length > MAX_BODY_BYTES:
            # Read and drop the body so the client gets the 413, not a broken pipe.
            while length > 0 and (chunk := self.rfile.read(min(length, 1 << 20))):
                length -= len(chunk)
            return refusal(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        return self.rfile.read(length)

    def _serve(self) -> None:
        started = time.monotonic()
        request_id = base64.b32encode(uuid.uuid4().bytes[:10]).decode().rstrip("=")
        try:
            response = self.server.handle(self, request_id)
        except Exception:
            log.exception("gateway error")
            response = refusal(HTTPStatus.INTERNAL_SERVER_ERROR)
        response.headers.append(("apigw-requestid", request_id))
        self._send(response)
        elapsed_ms = (time.monotonic() - started) * 1000
        log.info("%s %s %d %.0fms", self.command, self.path, response.status, elapsed_ms)

    def _send(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve
