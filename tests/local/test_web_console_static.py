"""The local gateway serves the console's build under /console/, as CloudFront serves it from S3
in AWS, and nothing outside it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from accolade_local.gateway import Gateway
from accolade_local.services import free_port
from accolade_local.tokens import LocalSigner


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    dist = tmp_path / "web" / "dist"
    dist.mkdir(parents=True)
    (dist / "index.html").write_text("<accolade-console></accolade-console>")
    (dist / "console.js").write_text("export {};")
    (tmp_path / "secret.txt").write_text("not the console's")
    signer = LocalSigner(tmp_path / "jwt", "http://127.0.0.1/local-issuer", "accolade-local")
    gateway = Gateway([], {}, signer, port=free_port(), web_dir=dist).start()
    try:
        yield gateway.url
    finally:
        gateway.stop()


def test_the_console_is_served_with_its_media_types(served: str) -> None:
    page = requests.get(f"{served}/console/", timeout=5)
    script = requests.get(f"{served}/console/console.js", timeout=5)

    assert (page.status_code, page.headers["content-type"]) == (200, "text/html")
    assert page.text == "<accolade-console></accolade-console>"
    assert script.status_code == 200
    assert script.headers["content-type"] in ("text/javascript", "application/javascript")


def test_the_console_without_its_slash_is_redirected(served: str) -> None:
    answer = requests.get(f"{served}/console", allow_redirects=False, timeout=5)

    assert (answer.status_code, answer.headers["location"]) == (301, "/console/")


@pytest.mark.parametrize(
    "path", ["/console/../secret.txt", "/console/%2e%2e/secret.txt", "/console/nope.js"]
)
def test_nothing_outside_the_build_is_served(served: str, path: str) -> None:
    answer = requests.get(served + path, timeout=5)

    assert answer.status_code == 404
    assert "not the console" not in answer.text
