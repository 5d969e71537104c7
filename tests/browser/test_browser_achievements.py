"""A user's achievements page and the leaderboard, in Chromium: grey to colour, progress first,
the featured badge next to the name, TV mode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from tests.browser.browser_console import Console
from tests.http_events import sales_achievement

CLOSER = sales_achievement(
    "Closer",
    "week",
    {5: 50, 10: 100, 15: 200},
    description="Close sales in a week: 5 for I, 10 for II, 15 for III.",
    badge="sales",
)
CONNECTED = {
    "name": "Connected",
    "description": "Turn on notifications in the mobile app.",
    "type": "event",
    "badge": "team",
    "event_type": "notifications.enabled",
    "show_next_to_name": True,
}


def sales(user: str, first: int, count: int) -> dict[str, Any]:
    at = (datetime.now(UTC) - timedelta(seconds=5)).isoformat().replace("+00:00", "Z")
    return {
        "events": [
            {"id": f"sale-{user}-{i}", "type": "sale", "user_id": user, "occurred_at": at}
            for i in range(first, first + count)
        ]
    }


def define(console: Console) -> dict[str, str]:
    admin = console.tenant.admin()
    console.call(
        "PUT", "/v1/admin/metrics/sales", admin, {"event_type": "sale", "aggregate": "count"}
    )
    for user, name in (("user-1", "Dana Demo"), ("user-2", "Sam Seller")):
        console.call(
            "PUT", f"/v1/admin/users/{user}", admin, {"display_name": name, "org_id": "acme"}
        )
    ids: dict[str, str] = {}
    for definition in (CLOSER, CONNECTED):
        created = console.call("POST", "/v1/admin/achievements", admin, definition)
        ids[str(definition["name"])] = created["id"]
    return ids


def test_a_badge_turns_from_grey_to_colour_with_the_progress_bar_moving_first(
    console: Console, drain: Any
) -> None:
    ids = define(console)
    machine = console.tenant.machine()
    page = console.sign_in(console.tenant.user("user-1"))
    card = page.locator(f"[data-achievement-id='{ids['Closer']}']")
    expect(card).to_have_attribute("data-earned", "false")
    expect(card.locator("[data-status]")).to_have_text("Not completed")
    bar = card.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    console.axe()

    console.call("POST", "/v1/events", machine, sales("user-1", 0, 3))
    drain()
    page.get_by_role("button", name="Sync Progress").click()
    expect(bar).to_have_attribute("aria-valuenow", "3")
    expect(card.locator("[data-progress-text]")).to_have_text("2 more sales this week")
    expect(card).to_have_attribute("data-earned", "false")
    assert (
        card.locator("accolade-badge").evaluate(
            "b => getComputedStyle(b.shadowRoot.querySelector('.art')).filter"
        )
        != "none"
    )

    console.call("POST", "/v1/events", machine, sales("user-1", 3, 4))
    drain()
    page.get_by_role("button", name="Sync Progress").click()
    expect(card).to_have_attribute("data-earned", "true")
    expect(card.locator("[data-status]")).to_have_text("Completed")
    expect(card.locator("[data-progress-text]")).to_have_text("3 more sales this week")
    assert (
        card.locator("accolade-badge").evaluate(
            "b => getComputedStyle(b.shadowRoot.querySelector('.art')).filter"
        )
        == "none"
    )
    expect(card.locator("[data-points]")).to_contain_text("50 / 350 points")
    expect(page.locator("[data-total-points]")).to_have_text("50 points")
    console.axe()
    console.shot("achievements")

    page.get_by_label("Status").select_option("completed")
    expect(page.locator("[data-achievement-id]")).to_have_count(1)
    page.get_by_label("Status").select_option("")
    page.get_by_label("Sort by").select_option("points")
    page.get_by_label("Order").select_option("desc")
    expect(page.locator("[data-achievement-id]").first).to_have_attribute(
        "data-achievement-id", ids["Closer"]
    )


def test_the_featured_badge_appears_on_the_leaderboard_and_in_tv_mode(
    console: Console, drain: Any
) -> None:
    ids = define(console)
    machine = console.tenant.machine()
    console.call("POST", "/v1/events", machine, sales("user-1", 0, 6))
    console.call("POST", "/v1/events", machine, sales("user-2", 0, 11))
    at = (datetime.now(UTC) - timedelta(seconds=5)).isoformat().replace("+00:00", "Z")
    event = {"id": "app-1", "type": "notifications.enabled", "user_id": "user-1", "occurred_at": at}
    console.call("POST", "/v1/events", machine, {"events": [event]})
    drain()
    page = console.sign_in(console.tenant.user("user-1"))
    card = page.locator(f"[data-achievement-id='{ids['Closer']}']")
    card.get_by_role("button", name="Feature this badge: Closer").click()
    expect(card.locator("[data-featured]")).to_have_text("★ Featured badge")

    console.go("/leaderboards")
    page.get_by_label("Metric").fill("sales")
    page.get_by_role("button", name="Show").click()
    row = page.locator("tr[data-user-id='user-1']")
    expect(row).to_contain_text("Dana Demo")
    expect(row.locator(f"[data-featured='{ids['Closer']}']")).to_have_count(1)
    expect(row.locator(f"[data-badge='{ids['Connected']}']")).to_have_count(1)
    first = page.locator("tr[data-user-id]").first
    expect(first).to_have_attribute("data-user-id", "user-2")
    expect(first.locator("td.rank")).to_have_text("1")
    console.axe()
    console.shot("leaderboard")

    page.get_by_role("button", name="This month").click()
    expect(page.get_by_role("heading", name="sales · This month")).to_be_visible()
    board = page.locator("accolade-leaderboard")
    board.evaluate("board => { board.interval = 1; }")
    page.get_by_role("button", name="TV mode").click()
    expect(board).to_have_attribute("tv", "")
    expect(page.get_by_role("heading", name="sales · This month")).to_be_visible()
    expect(row.locator(f"[data-featured='{ids['Closer']}']")).to_have_count(1)
    console.shot("leaderboard-tv")
    expect(page.get_by_role("heading", name="sales · All time")).to_be_visible()
    expect(page.get_by_text("Board 3 of 3")).to_be_visible()
    page.keyboard.press("Escape")
    expect(board).not_to_have_attribute("tv", "")
