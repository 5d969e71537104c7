"""API Gateway HTTP API payload format 2.0: the event a Lambda integration gets, and its result
mapped to the HTTP response. Used by the local gateway and by tests that call handlers."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict

__all__ = ["HttpResponse", "http_event", "json_response", "map_response", "refusal"]

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
        # Payload 2.0 joins repeated parameters with commas.
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
