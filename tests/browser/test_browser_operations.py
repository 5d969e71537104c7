"""The admin operations in Chromium (issue 12's routes): Sync Progress granting what enabling late
left due, the inbox's unread filter and mark read, completion by organisation as a chart, an
export that completes and downloads, dry run and explain, and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from playwright.sync_api import expect

from tests.browser.browser_console import Console
from tests.http_events import sales_achievement

CLOSER = sales_achievement("Closer", "all_time", {5: 10, 10: 25}, badge="sales")


def sales(user: str, count: int) -> dict[str, Any]:
    at = (datetime.now(UTC) - timedelta(seconds=5)).isoformat().replace("+00:00", "Z")
    return {
        "events": [
            {"id": f"sale-{user}-{i}", "type": "sale", "user_id": user, "occurred_at": at}
            for i in range(count)
        ]
    }


def given(console: Console, *, enabled: bool = True) -> str:
    admin = console.tenant.admin()
    console.call(
        "PUT", "/v1/admin/metrics/sales", admin, {"event_type": "sale", "aggregate": "count"}
    )
    for user, org in (("user-1", "acme"), ("user-2", "acme"), ("user-3", "globex")):
        console.call("PUT", f"/v1/admin/users/{user}", admin, {"display_name": user, "org_id": org})
    created = console.call("POST", "/v1/admin/achievements", admin, {**CLOSER, "enabled": enabled})
    return str(created["id"])


def test_sync_progress_grants_what_enabling_late_left_due(console: Console, drain: Any) -> None:
    closer = given(console, enabled=False)
    admin = console.tenant.admin()
    console.call("POST", "/v1/events", console.tenant.machine(), sales("user-1", 6))
    drain()
    console.call("PATCH", f"/v1/admin/achievements/{closer}", admin, {"enabled": True})
    page = console.sign_in(console.tenant.user("user-1"))
    card = page.locator(f"[data-achievement-id='{closer}']")
    expect(card).to_have_attribute("data-earned", "false")

    page.get_by_role("button", name="Sync Progress").click()

    expect(page.locator("accolade-achievements").get_by_role("status")).to_have_text(
        "Sync granted 1 new award."
    )
    expect(card).to_have_attribute("data-earned", "true")
    page.get_by_role("button", name="Sync Progress").click()
    expect(page.locator("accolade-achievements").get_by_role("status")).to_have_text(
        "Progress is up to date."
    )


def test_the_inbox_filters_unread_messages_and_marks_them_read(
    console: Console, drain: Any
) -> None:
    given(console)
    console.call("POST", "/v1/events", console.tenant.machine(), sales("user-1", 10))
    drain()
    user = console.tenant.user("user-1")
    page = console.sign_in(user, "/inbox")
    inbox = page.locator("accolade-inbox")
    expect(inbox.locator("li[data-read='false']")).to_have_count(2)
    inbox.locator("li[data-read='false']").first.get_by_role("button", name="Mark read").click()
    expect(inbox.locator("li[data-read='true']")).to_have_count(1)
    inbox.get_by_label("Unread only").check()
    expect(inbox.locator("li[data-message-id]")).to_have_count(1)
    unread = console.call("GET", "/v1/me/messages?unread=true", user)["items"]
    assert len(unread) == 1
    console.axe()
    console.shot("inbox")


def test_completion_by_organisation_is_drawn_as_a_chart(console: Console, drain: Any) -> None:
    closer = given(console)
    console.call("POST", "/v1/events", console.tenant.machine(), sales("user-1", 5))
    console.call("POST", "/v1/events", console.tenant.machine(), sales("user-3", 5))
    drain()
    page = console.sign_in(console.tenant.admin(), "/admin/completion")
    page.get_by_label("Achievement").select_option(closer)
    page.get_by_role("button", name="Show").click()
    table = page.locator("table[data-completion]")
    expect(table.get_by_role("row", name="acme 2 1 50%")).to_be_visible()
    expect(table.get_by_role("row", name="globex 1 1 100%")).to_be_visible()
    expect(page.locator("canvas")).to_be_visible()
    console.axe()
    console.shot("completion")


def test_an_export_completes_and_downloads(console: Console, drain: Any) -> None:
    given(console)
    console.call("POST", "/v1/events", console.tenant.machine(), sales("user-1", 5))
    drain()
    page = console.sign_in(console.tenant.admin(), "/admin/exports")
    page.get_by_role("button", name="Start export").click()
    expect(page.locator("section[data-export]")).to_be_visible()
    drain()
    link = page.locator("[data-download]")
    expect(link).to_be_visible(timeout=30_000)
    expect(page.locator("section[data-export]")).to_have_attribute("data-status", "done")
    csv = requests.get(str(link.get_attribute("href")), timeout=30)
    assert csv.status_code == 200
    assert "user-1" in csv.text
    console.axe()
    console.shot("exports")


def test_dry_run_and_explain(console: Console, drain: Any) -> None:
    closer = given(console, enabled=False)
    console.call("POST", "/v1/events", console.tenant.machine(), sales("user-1", 6))
    drain()
    page = console.sign_in(console.tenant.admin(), "/admin/simulate")
    dry = page.get_by_role("form", name="Dry run")
    dry.get_by_label("Achievement").select_option(closer)
    dry.get_by_label("Users (comma-separated)").fill("user-1, user-2")
    dry.get_by_role("button", name="Run (writes nothing)").click()
    expect(page.locator("table[data-would-grant] tbody tr")).to_have_count(1)
    expect(page.locator("table[data-would-grant]")).to_contain_text("user-1")
    assert console.call("GET", "/v1/me/awards", console.tenant.user("user-1"))["items"] == []

    why = page.get_by_role("form", name="Explain")
    why.get_by_label("User id").fill("user-1")
    why.get_by_label("Achievement").select_option(closer)
    why.get_by_role("button", name="Explain").click()
    explained = page.locator("dl[data-explain]")
    expect(explained).to_contain_text("No")
    expect(explained.locator("li")).to_have_count(6)
    console.axe()
    console.shot("simulate")


def test_the_audit_log_shows_the_console_admins_changes(console: Console, drain: Any) -> None:
    closer = given(console)
    page = console.sign_in(console.tenant.admin(), "/admin/achievements")
    page.get_by_role("button", name="Disable Closer").click()
    expect(page.get_by_role("button", name="Enable Closer")).to_be_visible()
    drain()
    console.go("/admin/audit")
    rows = page.locator("table[data-audit] tbody tr")
    expect(rows.first).to_contain_text("admin-1")
    page.get_by_label("Id of what changed").fill(closer)
    page.get_by_role("button", name="Filter").click()
    expect(rows.first).to_contain_text("enabled")
    console.axe()
    console.shot("audit")


SQUARE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">'
    '<circle cx="64" cy="64" r="60" fill="#7c2d12"/></svg>'
)


def test_the_badge_picker_offers_the_built_in_families_and_an_uploaded_badge(
    console: Console, tmp_path: Any
) -> None:
    page = console.sign_in(console.tenant.admin(), "/admin/achievements/new")
    families = console.call("GET", "/v1/badges?limit=100", console.tenant.admin())["items"]
    first = families[0]
    picker = page.get_by_role("radiogroup", name="Badge family")
    expect(picker.get_by_role("radio")).to_have_count(len(families))
    picker.get_by_role("radio", name=f"{first['name']} ({first['badge']})").check()
    expect(page.get_by_label("Badge (family or custom badge id)")).to_have_value(first["badge"])
    art = picker.locator("accolade-badge img").first
    expect(art).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=art.element_handle())

    image = tmp_path / "star.svg"
    image.write_text(SQUARE_SVG)
    upload = page.get_by_role("form", name="Custom badge")
    upload.get_by_label("Badge name").fill("Star")
    upload.locator("input[type=file]").set_input_files(str(image))
    upload.get_by_role("button", name="Upload badge").click()
    expect(page.get_by_role("status")).to_have_text("Badge Star is ready and picked.")
    badge = page.get_by_label("Badge (family or custom badge id)").input_value()
    assert badge.startswith("custom:")
    form = page.get_by_role("form", name="Achievement")
    page.get_by_label("Type", exact=True).select_option("manual")
    form.get_by_label("Name", exact=True).fill("Star of the week")
    form.get_by_role("button", name="Create achievement").click()
    expect(page.get_by_role("status")).to_have_text("Saved Star of the week (version 1).")
    console.axe()
    console.shot("builder-badges")
