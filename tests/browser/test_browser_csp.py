"""The console runs under the content security policy the template deploys it with (CloudFront's
response headers policy): no script, style, image or connection of the pages is refused."""

from __future__ import annotations

import re

from cfnlint.decode import decode
from playwright.sync_api import Route, expect

from tests.browser.browser_console import Console
from tests.stack_fixtures import ROOT


def deployed_policy() -> str:
    template, problems = decode(str(ROOT / "template.yaml"))
    assert not problems and template is not None
    policy = template["Resources"]["ConsoleHeadersPolicy"]["Properties"]
    text = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]
    # The API and Cognito hosts of a deployment; here the API is the console's own origin.
    return re.sub(r"\$\{[^}]+\}", "example", str(text["ContentSecurityPolicy"]["Fn::Sub"]))


def test_the_console_runs_under_the_deployed_content_security_policy(console: Console) -> None:
    policy = deployed_policy()
    assert "script-src 'self'" in policy and "style-src 'self'" in policy

    def with_policy(route: Route) -> None:
        response = route.fetch()
        route.fulfill(
            response=response, headers={**response.headers, "content-security-policy": policy}
        )

    refused: list[str] = []
    page = console.page
    page.route(f"{console.api_url}/console/**", with_policy)
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    admin = console.tenant.admin()
    console.call(
        "PUT", "/v1/admin/metrics/sales", admin, {"event_type": "sale", "aggregate": "count"}
    )
    console.sign_in(admin, "/admin/achievements/new")
    expect(page.get_by_role("form", name="Achievement")).to_be_visible()
    for path in ("/", "/leaderboards", "/admin/completion", "/admin/settings", "/inbox"):
        console.go(path)
        expect(page.locator("main h1")).to_be_visible()
    assert refused == []

    # The policy is in force: an inline script is refused.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.append(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.ran") is None
    assert len(refused) == 1 and "script-src" in refused[0]
