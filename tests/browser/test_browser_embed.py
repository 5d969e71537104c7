"""The embeddable components inside a plain host page (one script tag and a token provider), the
inbox's type filter, and the user's own pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from tests.browser.browser_console import Console

FIRST_CALL = {
    "name": "First call",
    "description": "Log a call.",
    "type": "event",
    "badge": "team",
    "event_type": "call",
    "certificate": True,
    "send_certificate": True,
}


def test_the_components_render_inside_a_plain_host_page(console: Console, drain: Any) -> None:
    admin = console.tenant.admin()
    console.call(
        "PUT", "/v1/admin/metrics/sales", admin, {"event_type": "sale", "aggregate": "count"}
    )
    console.call("PUT", "/v1/admin/users/user-1", admin, {"display_name": "Dana Demo"})
    first_call = console.call("POST", "/v1/admin/achievements", admin, FIRST_CALL)
    record = {
        "name": "Employee of the Month",
        "type": "manual",
        "category": "record",
        "period": "month",
    }
    manual = console.call("POST", "/v1/admin/achievements", admin, record)
    at = (datetime.now(UTC) - timedelta(seconds=5)).isoformat().replace("+00:00", "Z")
    events = [
        {"id": "call-1", "type": "call", "user_id": "user-1", "occurred_at": at},
        {"id": "sale-1", "type": "sale", "user_id": "user-1", "occurred_at": at},
    ]
    console.call("POST", "/v1/events", console.tenant.machine(), {"events": events})
    given = console.call(
        "POST", f"/v1/admin/achievements/{manual['id']}/awards", admin, {"user_id": "user-1"}
    )
    console.call("POST", f"/v1/admin/awards/{given['award_id']}/revoke", admin, {"reason": "oops"})
    drain()

    page = console.embed(console.tenant.user("user-1"))
    achievements = page.locator("accolade-achievements")
    expect(achievements.locator(f"[data-achievement-id='{first_call['id']}']")).to_have_attribute(
        "data-earned", "true"
    )
    accent = achievements.evaluate(
        "el => getComputedStyle(el.shadowRoot.querySelector('button.primary')).backgroundColor"
    )
    assert accent == "rgb(124, 45, 18)"  # the host's --accolade-color-accent
    expect(page.locator("accolade-leaderboard tr[data-user-id='user-1']")).to_contain_text(
        "Dana Demo"
    )
    inbox = page.locator("accolade-inbox")
    expect(inbox.locator("li[data-message-id]")).to_have_count(3)
    console.axe()
    console.shot("embedded")

    inbox.get_by_label("Message type").select_option("award_revoked")
    expect(inbox.locator("li[data-message-id]")).to_have_count(1)
    expect(inbox.locator("li[data-message-id]")).to_have_attribute("data-type", "award_revoked")
    inbox.get_by_label("Message type").select_option("achievement")
    expect(inbox.locator("li[data-type='achievement']")).to_have_count(2)
    expect(inbox.locator("li[data-type='award_revoked']")).to_have_count(0)


def test_a_user_sees_their_awards_with_the_certificate_and_sets_a_goal(
    console: Console, drain: Any
) -> None:
    admin = console.tenant.admin()
    console.call(
        "PUT", "/v1/admin/metrics/sales", admin, {"event_type": "sale", "aggregate": "count"}
    )
    console.call("POST", "/v1/admin/achievements", admin, FIRST_CALL)
    at = (datetime.now(UTC) - timedelta(seconds=5)).isoformat().replace("+00:00", "Z")
    event = {"id": "call-1", "type": "call", "user_id": "user-1", "occurred_at": at}
    console.call("POST", "/v1/events", console.tenant.machine(), {"events": [event]})
    drain()
    page = console.sign_in(console.tenant.user("user-1"), "/awards")
    row = page.locator("tr[data-award-id]")
    expect(row).to_contain_text("First call")
    expect(row.get_by_role("button", name="Open the certificate of First call")).to_be_visible()
    console.axe()
    console.shot("my-awards")

    console.go("/goals")
    page.get_by_label("Goal id").fill("daily-sales")
    page.get_by_label("Metric").fill("sales")
    page.get_by_label("Period").select_option("day")
    page.get_by_label("Target").fill("0")
    page.get_by_role("button", name="Save goal").click()
    expect(page.locator("[data-error-for='target']")).to_be_visible()
    page.get_by_label("Target").fill("3")
    page.get_by_role("button", name="Save goal").click()
    expect(page.locator("tr[data-goal-id='daily-sales']")).to_contain_text("0 / 3")
    console.axe()

    console.go("/inbox")
    expect(page.locator("accolade-inbox li[data-type='achievement']")).to_have_count(1)
    console.axe()
    console.shot("inbox")


def test_the_achievements_page_is_used_with_the_keyboard(console: Console) -> None:
    admin = console.tenant.admin()
    console.call("POST", "/v1/admin/achievements", admin, FIRST_CALL)
    page = console.embed(console.tenant.user("user-1"))
    achievements = page.locator("accolade-achievements")
    expect(achievements.locator("[data-achievement-id]")).to_have_count(1)
    sync = achievements.get_by_role("button", name="Sync Progress")
    focused = "el => el.shadowRoot.activeElement && el.shadowRoot.activeElement.textContent"
    for _ in range(8):  # Status, Sort by, Order, then the button
        page.keyboard.press("Tab")
        if achievements.evaluate(focused) == "Sync Progress":
            break
    assert achievements.evaluate(focused) == "Sync Progress"
    assert sync.evaluate("b => getComputedStyle(b).outlineStyle") == "solid"  # focus is visible
    page.keyboard.press("Enter")
    expect(achievements.get_by_role("status")).to_have_text("Progress is up to date.")
