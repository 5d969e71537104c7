"""The console of one tenant in one browser page, as the browser tests drive it."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.stack_fixtures import ROOT, Api, Tenant

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Playwright's own browser build cannot be downloaded here: Debian's Chromium, quietly.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WEB_DIST = ROOT / "web" / "dist"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
BLOCKING = ("serious", "critical")


@dataclass
class Console:
    """The console of one tenant in one browser page."""

    page: Page
    api_url: str
    tenant: Tenant
    api: Api

    def sign_in(self, token: str, path: str = "/") -> Page:
        """Open the console with a sign-in link, as `make run` prints them, then `path`."""
        self.page.goto(f"{self.api_url}/console/#token={token}")
        expect(self.page.get_by_role("button", name="Sign out")).to_be_visible()
        return self.go(path)

    def go(self, path: str) -> Page:
        self.page.evaluate("path => { location.hash = '#' + path; }", path)
        return self.page

    def embed(self, token: str) -> Page:
        """The plain host page that embeds the components (web/public/embed-demo.html)."""
        self.page.goto(f"{self.api_url}/console/embed-demo.html#token={token}")
        return self.page

    def axe(self) -> list[dict[str, Any]]:
        """axe-core's serious and critical violations on the page as it is now."""
        self.page.add_script_tag(path=str(AXE))
        found: list[dict[str, Any]] = self.page.evaluate(
            "async () => (await axe.run(document)).violations"
        )
        blocking = [v for v in found if v.get("impact") in BLOCKING]
        summary = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in blocking
        ]
        assert not blocking, json.dumps(summary, indent=1)
        return found

    def shot(self, name: str) -> Path:
        """A screenshot of the page for the README."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True, animations="disabled")
        return path

    def call(self, method: str, path: str, token: str, body: Any = None) -> Any:
        answer = self.api.request(method, path, token=token, json=body)
        assert answer.status_code < 300, (method, path, answer.status_code, answer.text)
        return answer.json() if answer.content else None
