"""The admin console in Chromium: the type-aware builder and the API's field errors beside their
fields, holders with give award (a second holder of a record refused) and revoke, a learner's
awards with expiry editing and refresh, and admin pages closed to a user's token."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.browser_console import Console


def test_an_admin_builds_a_leveled_achievement_and_sees_the_api_error_beside_its_field(
    console: Console,
) -> None:
    admin = console.tenant.admin()
    console.call(
        "PUT", "/v1/admin/metrics/sales", admin, {"event_type": "sale", "aggregate": "count"}
    )
    page = console.sign_in(admin, "/admin/achievements/new")
    form = page.get_by_role("form", name="Achievement")
    page.get_by_label("Type", exact=True).select_option("event")
    expect(form.get_by_label("Event type")).to_be_visible()
    expect(form.get_by_label("Metric")).to_have_count(0)
    expect(form.get_by_label("Level I threshold")).to_have_count(0)

    page.get_by_label("Type", exact=True).select_option("metric_threshold")
    expect(form.get_by_label("Event type")).to_have_count(0)
    form.get_by_label("Name", exact=True).fill("Closer")
    form.get_by_label("Metric").select_option("sales")
    form.get_by_label("Time range").select_option("week")
    form.get_by_label("Level I threshold").fill("10")
    form.get_by_label("Level II threshold").fill("5")
    form.get_by_label("Level III threshold").fill("15")
    form.get_by_label("Level III points").fill("200")
    form.get_by_role("radio", name="Closer (sales)").check()
    form.get_by_label("Audience groups (comma-separated; empty: everyone)").fill("partners, emea")
    form.get_by_role("button", name="Create achievement").click()

    error = form.locator("fieldset[data-field='levels'] [data-error-for='levels']")
    expect(error).to_have_text("thresholds must strictly increase from level I to III")
    expect(page.locator("[data-page-error]")).to_be_visible()
    console.axe()
    console.shot("builder-error")
    assert console.call("GET", "/v1/admin/achievements", admin)["items"] == []

    form.get_by_label("Level I threshold").fill("5")
    form.get_by_label("Level II threshold").fill("10")
    form.get_by_role("button", name="Create achievement").click()
    expect(page.get_by_role("status")).to_have_text("Saved Closer (version 1).")
    expect(error).to_have_count(0)
    (stored,) = console.call("GET", "/v1/admin/achievements", admin)["items"]
    assert [level["threshold"] for level in stored["levels"]] == [5, 10, 15]
    assert stored["levels"][2]["points"] == 200
    assert stored["badge"] == "sales"
    assert stored["audience"] == {"groups": ["partners", "emea"]}
    expect(page.get_by_label("Type", exact=True)).to_be_disabled()
    console.shot("builder")

    console.go("/admin/achievements")
    row = page.locator(f"tr[data-achievement-id='{stored['id']}']")
    row.get_by_role("button", name="Disable Closer").click()
    expect(row.get_by_role("button", name="Enable Closer")).to_be_visible()
    assert console.call("GET", f"/v1/admin/achievements/{stored['id']}", admin)["enabled"] is False
    console.axe()
    console.shot("achievements-admin")


def test_an_admin_gives_a_record_is_refused_a_second_holder_and_revokes_it(
    console: Console,
) -> None:
    admin = console.tenant.admin()
    page = console.sign_in(admin, "/admin/achievements/new")
    form = page.get_by_role("form", name="Achievement")
    page.get_by_label("Type", exact=True).select_option("manual")
    form.get_by_label("Name", exact=True).fill("Employee of the Month")
    form.get_by_label("Category").select_option("record")
    form.get_by_label("Held per").select_option("month")
    form.get_by_label("Points").fill("250")
    form.get_by_label("Issue a certificate").check()
    form.get_by_role("button", name="Create achievement").click()
    expect(page.get_by_role("status")).to_have_text("Saved Employee of the Month (version 1).")

    page.get_by_role("link", name="Holders of this achievement").click()
    give = page.get_by_role("form", name="Give award")
    give.get_by_label("User id").fill("user-1")
    give.get_by_label("Note").fill("Best quarter ever")
    give.get_by_role("button", name="Give award").click()
    holder = page.locator("tr[data-user-id='user-1']")
    expect(holder).to_have_attribute("data-status", "active")

    give.get_by_label("User id").fill("user-2")
    give.get_by_role("button", name="Give award").click()
    expect(page.locator("[data-page-error]")).to_be_visible()
    expect(page.locator("tr[data-user-id='user-2']")).to_have_count(0)
    console.axe()
    console.shot("holders")

    holder.get_by_role("button", name="Revoke the award of user-1").click()
    revoke = page.get_by_role("form", name="Revoke award")
    revoke.get_by_label("Reason").fill("Given by mistake")
    revoke.get_by_role("button", name="Confirm revoke").click()
    expect(holder).to_have_attribute("data-status", "revoked")
    expect(holder).to_contain_text("Given by mistake")
    awards = console.call("GET", "/v1/me/awards", console.tenant.user("user-1"))["items"]
    assert awards == []

    give.get_by_label("User id").fill("user-2")
    give.get_by_role("button", name="Give award").click()
    expect(page.locator("tr[data-user-id='user-2']")).to_have_attribute("data-status", "active")


def test_an_admin_edits_the_expiry_of_a_learners_award_and_refreshes_its_certificate(
    console: Console, drain: Any
) -> None:
    admin = console.tenant.admin()
    definition = {"name": "Employee of the Month", "type": "manual", "certificate": True}
    created = console.call("POST", "/v1/admin/achievements", admin, definition)
    console.call(
        "POST", f"/v1/admin/achievements/{created['id']}/awards", admin, {"user_id": "user-2"}
    )
    drain()

    page = console.sign_in(admin, "/admin/users/user-2")
    award = page.locator("tr[data-status='active']")
    expect(award).to_contain_text("Employee of the Month")
    expect(award.get_by_role("link", name="Certificate")).to_be_visible()
    award.get_by_role("button", name="Edit expiry").click()
    page.get_by_label("Valid until (UTC; empty: never)").fill("2031-06-30T12:00")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Expiry saved.")
    expect(award).to_contain_text("2031")
    (stored,) = console.call("GET", "/v1/admin/users/user-2/awards", admin)["items"]
    assert stored["valid_until"].startswith("2031-06-30T12:00")
    award.get_by_role("button", name="Refresh documents").click()
    expect(page.get_by_role("status")).to_have_text("The certificate is being rendered again.")
    console.axe()
    console.shot("user-awards")


def test_a_user_token_cannot_open_the_admin_pages(console: Console) -> None:
    user = console.tenant.user("user-1")
    page = console.sign_in(user, "/admin/achievements")
    expect(page.locator("[data-forbidden]")).to_be_visible()
    expect(page.get_by_role("navigation", name="Pages")).not_to_contain_text("Settings")
    forbidden = console.api.get("/v1/admin/achievements", token=user)
    assert forbidden.status_code == 403
    console.go("/admin/settings")
    expect(page.locator("[data-forbidden]")).to_be_visible()
    expect(page.get_by_label("Time zone (IANA name)")).to_have_count(0)


def test_settings_and_metrics_are_saved_from_their_pages(console: Console) -> None:
    admin = console.tenant.admin()
    page = console.sign_in(admin, "/admin/settings")
    page.get_by_label("Time zone (IANA name)").fill("Mars/Olympus")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("[data-error-for='timezone']")).to_be_visible()
    page.get_by_label("Time zone (IANA name)").fill("Europe/Paris")
    page.get_by_label("Coins (badges can grant coins)").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_have_text("Settings saved.")
    settings = console.call("GET", "/v1/admin/settings", admin)
    assert settings["timezone"] == "Europe/Paris" and settings["features"]["coins"] is True
    console.axe()
    console.shot("settings")

    console.go("/admin/metrics")
    form = page.get_by_role("form", name="Metric")
    form.get_by_label("Metric id").fill("revenue")
    form.get_by_label("Event type").fill("sale")
    form.get_by_label("Aggregate").select_option("sum")
    form.get_by_role("button", name="Save metric").click()
    expect(page.get_by_role("status")).to_have_text("Metric revenue saved.")
    expect(page.get_by_role("cell", name="sum", exact=False)).to_be_visible()
    assert console.call("GET", "/v1/admin/metrics/revenue", admin)["aggregate"] == "sum"
    console.axe()
    console.shot("metrics")
