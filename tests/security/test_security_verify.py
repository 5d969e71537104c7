"""The public verification over the local stack: no token, the tenant in the query, nothing
private in the answer, and whatever a stranger sends is a 4xx, never a 5xx."""

from __future__ import annotations

from collections.abc import Callable

from tests.http_events import VERIFICATION_FIELDS
from tests.stack_fixtures import Api


def test_verification_tells_status_name_and_holder_and_nothing_private(
    api: Api,
    tenant_id: str,
    admin_token: Callable[..., str],
    drain: Callable[..., int],
) -> None:
    admin = admin_token(tenant_id)
    profile = {"display_name": "Vera Public", "org_id": "org-secret", "groups": ["hidden-group"]}
    assert api.put("/v1/admin/users/vera-9", token=admin, json=profile).ok
    sequence = {"name": "S", "event_format": "V-{{sequence_number}}"}
    assert api.put("/v1/admin/sequences/s", token=admin, json=sequence).ok
    created = api.post(
        "/v1/admin/achievements",
        token=admin,
        json={"name": "Verified", "type": "manual", "sequence_id": "s"},
    )
    award = api.post(
        f"/v1/admin/achievements/{created.json()['id']}/awards",
        token=admin,
        json={"user_id": "vera-9", "note": "private note"},
    ).json()
    drain()

    answer = api.get(f"/v1/verify/V-1?tenant={tenant_id}")

    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == VERIFICATION_FIELDS
    assert body["holder"] == {"display_name": "Vera Public"}
    for private in ("vera-9", "org-secret", "hidden-group", "private note", award["award_id"]):
        assert private not in answer.text


def test_strangers_get_4xx_for_whatever_they_send(api: Api, tenant_id: str) -> None:
    probes = [
        f"/v1/verify/V-1?tenant={tenant_id}",  # unknown in this tenant
        "/v1/verify/V-1",  # no tenant
        "/v1/verify/V-1?tenant=",
        "/v1/verify/V-1?tenant=%00",
        f"/v1/verify/{'9' * 201}?tenant={tenant_id}",
        f"/v1/verify/a%2Fb?tenant={tenant_id}",
        f"/v1/verify/%F0%9F%92%A5?tenant={tenant_id}",
        f"/v1/verify/V-1?tenant={'t' * 129}",
        "/v1/verify/..?tenant=..",
    ]

    answers = {path: api.get(path) for path in probes}

    assert {p: r.status_code for p, r in answers.items() if not 400 <= r.status_code < 500} == {}
    assert answers[probes[0]].status_code == 404
