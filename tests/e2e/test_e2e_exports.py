"""An awards export over the running local stack: asked for over HTTP, run by export_awards from
the table's stream (as the template maps it), followed to done, downloaded by its link."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import requests

from tests.stack_fixtures import Api


def test_an_export_runs_from_the_stream_and_its_link_downloads_the_csv(
    api: Api, tenant_id: str, admin_token: Callable[..., str], drain: Callable[..., int]
) -> None:
    admin = admin_token(tenant_id)
    for user_id, org in (("ana", "acme"), ("ben", "globex")):
        profile = {"display_name": f"=cmd|{user_id}", "org_id": org}
        assert api.put(f"/v1/admin/users/{user_id}", token=admin, json=profile).status_code == 200
    created = api.post(
        "/v1/admin/achievements", token=admin, json={"name": "Helper", "type": "manual"}
    )
    achievement_id = created.json()["id"]
    for user_id in ("ana", "ben"):
        given = api.post(
            f"/v1/admin/achievements/{achievement_id}/awards",
            token=admin,
            json={"user_id": user_id},
        )
        assert given.status_code == 201, given.text

    started = api.post("/v1/admin/exports", token=admin, json={"org_id": "acme"})
    drain()
    export = api.get(f"/v1/admin/exports/{started.json()['export_id']}", token=admin).json()
    listed = api.get("/v1/admin/exports?limit=1", token=admin).json()
    refused = api.post("/v1/admin/exports", token=admin, json={"status": "gone"})

    assert started.status_code == 202
    assert export["status"] == "done" and export["rows"] == 1, export
    rows = list(csv.DictReader(io.StringIO(requests.get(export["url"], timeout=10).text)))
    assert [(r["user_id"], r["org_id"], r["display_name"]) for r in rows] == [
        ("ana", "acme", "'=cmd|ana")
    ]
    assert rows[0]["achievement_name"] == "Helper" and rows[0]["status"] == "active"
    assert [e["export_id"] for e in listed["items"]] == [export["export_id"]]
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["field"] == "status"
