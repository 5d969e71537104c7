"""The HTTP API on 127.0.0.1: template routes, JWT authorizer, payload format 2.0.

Hand-written on the stdlib server: SAM's `local start-api` needs Docker, and no maintained
library imitates API Gateway HTTP API's route selection, authorizer and 2.0 mapping.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from accolade_local.runtime import FunctionError, Invoker
from accolade_local.template import HttpRoute
from accolade_local.tokens import to_apigw_claims

__all__ = ["Gateway", "RouteMatch", "Router", "TokenVerifier", "http_event", "map_response"]

log = logging.getLogger("accolade_local.gateway")

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload quota
INTEGRATION_TIMEOUT_S = 30.0  # HTTP API's maximum integration timeout
_TEXT_TYPES = (
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
    "application/graphql",
    "application/yaml",
)


class TokenVerifier(Protocol):
    def verify(self, token: str) -> dict[str, Any]: ...

    def jwks(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class RouteMatch:
    route: HttpRoute
    path_parameters: dict[str, str]

    @property
    def route_key(self) -> str:
        return f"{self.route.method} {self.route.path}"


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s != ""]


def _match_path(template: str, path: str) -> tuple[tuple[int, ...], dict[str, str]] | None:
    """(specificity, path parameters) when `path` fits `template`, else None.

    Specificity ranks segment by segment: a literal beats {param}, which beats {proxy+}.
    """
    want, got = _segments(template), _segments(path)
    params: dict[str, str] = {}
    rank: list[int] = []
    for index, segment in enumerate(want):
        if segment.startswith("{") and segment.endswith("+}"):
            if index != len(want) - 1 or index >= len(got):
                return None
            params[segment[1:-2]] = unquote("/".join(got[index:]))
            rank.append(0)
            return tuple(rank), params
        if index >= len(got):
            return None
        if segment.startswith("{") and segment.endswith("}"):
            params[segment[1:-1]] = unquote(got[index])
            rank.append(1)
        elif segment == got[index]:
            rank.append(2)
        else:
            return None
    if len(got) != len(want):
        return None
    # A trailing slash is a different route on HTTP APIs.
    if path.endswith("/") != template.endswith("/") and path != "/":
        return None
    return tuple(rank), params


class Router:
    """HTTP API route selection: the most specific path wins, then an exact method beats ANY."""

    def __init__(self, routes: Sequence[HttpRoute]) -> None:
        self.routes = list(routes)

    def match(self, method: str, path: str) -> RouteMatch | None:
        best: tuple[tuple[tuple[int, ...], int], RouteMatch] | None = None
        for route in self.routes:
            if route.method not in ("ANY", method.upper()):
                continue
            found = _match_path(route.path, path)
            if found is None:
                continue
            rank, params = found
            key = (rank, 0 if route.method == "ANY" else 1)
            if best is None or key > best[0]:
                best = (key, RouteMatch(route, params))
        return best[1] if best else None


# --- request -> event -------------------------------------------------------------------------


def _is_text(content_type: str | None, body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if not content_type:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return (
        media.startswith("text/")
        or media in _TEXT_TYPES
        or media.endswith(("+json", "+xml", "/json", "/xml"))
    )


def _query_parameters(raw_query: str) -> dict[str, str]:
    params: dict[str, list[str]] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        params.setdefault(name, []).append(value)
    # Payload 2.0 joins repeated parameters with commas.
    return {key: ",".join(values) for key, values in params.items()}


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
    now: datetime | None = None,
) -> dict[str, Any]:
    """The payload format 2.0 event API Gateway HTTP API gives a Lambda integration.

    `claims` are the JWT authorizer's (every value a string); none means an unauthorised route.
    """
    now = now or datetime.now(UTC)
    merged: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
        else:
            merged[key] = f"{merged[key]},{value}" if key in merged else value
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
        event["queryStringParameters"] = _query_parameters(query)
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if raw and _is_text(merged.get("content-type"), raw):
        event["body"] = raw.decode("utf-8")
    elif raw:
        event["body"], event["isBase64Encoded"] = base64.b64encode(raw).decode("ascii"), True
    return event


# --- result -> response -----------------------------------------------------------------------


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def _json_response(status: int, payload: Any) -> HttpResponse:
    return HttpResponse(
        status, [("content-type", "application/json")], json.dumps(payload).encode("utf-8")
    )


def map_response(result: Any) -> HttpResponse:
    """Payload 2.0 response mapping, including the "no statusCode means 200 JSON" inference."""
    if not (isinstance(result, dict) and "statusCode" in result):
        return HttpResponse(
            200, [("content-type", "application/json")], json.dumps(result).encode("utf-8")
        )
    status = result["statusCode"]
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise ValueError(f"invalid statusCode {status!r}")
    headers: list[tuple[str, str]] = []
    for name, value in (result.get("headers") or {}).items():
        headers.append((str(name), str(value)))
    for name, values in (result.get("multiValueHeaders") or {}).items():
        if not any(h[0].lower() == str(name).lower() for h in headers):
            headers.append((str(name), ",".join(str(v) for v in values)))
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


# --- the server -------------------------------------------------------------------------------


class _BadRequestError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Gateway:
    """The local HTTP API: serves until stop(), in a background thread."""

    def __init__(
        self,
        routes: Sequence[HttpRoute],
        invokers: Mapping[str, Invoker],
        verifier: TokenVerifier | None,
        *,
        host: str = "127.0.0.1",
        port: int = 3000,
    ) -> None:
        self.router = Router(routes)
        self.invokers = dict(invokers)
        self.verifier = verifier
        self._server = ThreadingHTTPServer((host, port), _handler_class(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Gateway:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.2},
                name="accolade-gateway",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.server_close()

    def handle(
        self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes, ip: str
    ) -> HttpResponse:
        request_id = base64.b32encode(uuid.uuid4().bytes[:10]).decode().rstrip("=")
        response = self._handle(method, target, headers, body, ip, request_id)
        response.headers.append(("apigw-requestid", request_id))
        return response

    def _handle(
        self,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]],
        body: bytes,
        ip: str,
        request_id: str,
    ) -> HttpResponse:
        split = urlsplit(target)
        path = split.path or "/"
        jwks_paths = ("/.well-known/jwks.json", "/local-issuer/.well-known/jwks.json")
        if method == "GET" and self.verifier is not None and path in jwks_paths:
            return _json_response(200, self.verifier.jwks())
        match = self.router.match(method, path)
        if match is None:
            return _json_response(404, {"message": "Not Found"})
        claims: dict[str, str] | None = None
        if match.route.auth_required:
            verified = self._authorize(headers)
            if verified is None:
                return _json_response(401, {"message": "Unauthorized"})
            claims = to_apigw_claims(verified)
        invoker = self.invokers.get(match.route.function_id)
        if invoker is None:
            log.error("no workers for %s", match.route.function_id)
            return _json_response(500, {"message": "Internal Server Error"})
        event = http_event(
            method,
            path,
            query=split.query,
            headers=headers,
            body=body,
            route_key=match.route_key,
            path_parameters=match.path_parameters,
            claims=claims,
            source_ip=ip,
            domain_name=_header(headers, "host") or f"127.0.0.1:{self.port}",
            request_id=request_id,
        )
        started = time.monotonic()
        try:
            return map_response(invoker.invoke(event, timeout=None))
        except FunctionError as exc:
            log.error("%s failed: %s", match.route.function_id, json.dumps(exc.payload))
            if time.monotonic() - started >= INTEGRATION_TIMEOUT_S:
                return _json_response(503, {"message": "Service Unavailable"})
        except (ValueError, binascii.Error) as exc:
            log.error("%s returned a malformed response: %s", match.route.function_id, exc)
        return _json_response(500, {"message": "Internal Server Error"})

    def _authorize(self, headers: Sequence[tuple[str, str]]) -> dict[str, Any] | None:
        value = (_header(headers, "authorization") or "").strip()
        # API Gateway accepts the token with or without the "Bearer " prefix.
        token = value[7:].strip() if value[:7].lower() == "bearer " else value
        if not token or self.verifier is None:
            return None
        try:
            return dict(self.verifier.verify(token))
        except Exception as exc:
            log.info("JWT rejected: %s", exc)
            return None


def _header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)


def _handler_class(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "accolade-local"

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s %s", self.address_string(), format % args)

        def _read_body(self) -> bytes:
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                chunks: list[bytes] = []
                total = 0
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return b"".join(chunks)
                    total += size
                    if total > MAX_BODY_BYTES:
                        raise _BadRequestError(413, "Request Entity Too Large")
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                # Read and drop the body so the client gets the 413, not a broken pipe.
                while length > 0:
                    chunk = self.rfile.read(min(length, 1 << 20))
                    if not chunk:
                        break
                    length -= len(chunk)
                raise _BadRequestError(413, "Request Entity Too Large")
            return self.rfile.read(length) if length > 0 else b""

        def _serve(self) -> None:
            try:
                body = self._read_body()
            except _BadRequestError as exc:
                self.close_connection = True
                self._send(_json_response(exc.status, {"message": str(exc)}))
                return
            except ValueError:
                self.close_connection = True
                self._send(_json_response(400, {"message": "Bad Request"}))
                return
            headers = [(k, v) for k, v in self.headers.items()]
            started = time.monotonic()
            try:
                response = gateway.handle(
                    self.command, self.path, headers, body, self.client_address[0]
                )
            except Exception:
                log.exception("gateway error")
                response = _json_response(500, {"message": "Internal Server Error"})
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

    return Handler
