"""Roles and the audit log over the running local stack: the record_audit function runs from
template.yaml on the table's stream, as Lambda's event source mapping would."""

from __future__ import annotations

from collections.abc import Callable

from tests.stack_fixtures import Api, Tenant


def test_a_managers_edit_is_logged_with_who_and_the_definition_before_and_after(
    api: Api, tenant: Tenant, drain: Callable[..., int]
) -> None:
    admin = tenant.admin()
    manager = tenant.user("mia", roles=["achievements_manager"])
    created = api.post(
        "/v1/admin/achievements", token=admin, json={"name": "Kudos", "type": "manual"}
    )
    achievement_id = created.json()["id"]

    edited = api.patch(
        f"/v1/admin/achievements/{achievement_id}", token=manager, json={"name": "Big kudos"}
    )
    refused = api.put("/v1/admin/settings", token=manager, json={"timezone": "UTC"})
    drain()
    log = api.get(f"/v1/admin/audit?target={achievement_id}", token=admin)
    hidden = api.get("/v1/admin/audit", token=manager)

    assert (created.status_code, edited.status_code, refused.status_code) == (201, 200, 403)
    assert hidden.status_code == 403
    edit, create = log.json()["items"]
    assert edit["actor"] == {"user_id": "mia", "roles": ["achievements_manager"]}
    assert edit["route"] == "PATCH /v1/admin/achievements/{achievement_id}"
    assert (edit["before"]["doc"]["name"], edit["after"]["doc"]["name"]) == ("Kudos", "Big kudos")
    assert create["actor"]["user_id"] == "admin-1" and create["before"] is None
