"""Credentials over the running local stack: a sequence numbers a hand-given award, the
certificate function renders its PDF from the stream, its holder downloads it, the inbox carries
its link, anyone verifies it without a token, and after a revoke verification says revoked."""

from __future__ import annotations

import io
from collections.abc import Callable

import requests
from pypdf import PdfReader

from tests.stack_fixtures import Api, Tenant


def test_a_numbered_certificate_is_issued_downloaded_verified_and_revoked(
    api: Api, tenant: Tenant, drain: Callable[..., int]
) -> None:
    admin, holder, other = tenant.admin(), tenant.user("ana"), tenant.user("ben")
    sequence = {
        "name": "CPR",
        "start": 41,
        "padding": 5,
        "event_format": "CPR-{{year}}-{{sequence_number}}",
    }
    assert api.put("/v1/admin/sequences/cpr", token=admin, json=sequence).status_code == 200
    assert (
        api.put("/v1/admin/users/ana", token=admin, json={"display_name": "Ана Σοφία"}).status_code
        == 200
    )
    definition = {
        "name": "Basic Life Support",
        "type": "manual",
        "certificate": True,
        "send_certificate": True,
        "sequence_id": "cpr",
        "validity": {"amount": 5, "unit": "year"},
    }
    award = api.given_award(admin, definition, "ana")
    drain()

    link = api.get(f"/v1/me/awards/{award['award_id']}/certificate", token=holder)
    not_theirs = api.get(f"/v1/me/awards/{award['award_id']}/certificate", token=other)
    pdf = requests.get(link.json()["url"], timeout=10)
    inbox = api.get("/v1/me/messages", token=holder).json()["items"]
    verified = api.get(f"/v1/verify/{award['identifier']}?tenant={tenant.id}")

    assert award["identifier"].startswith("CPR-") and award["identifier"].endswith("-00041")
    assert link.status_code == 200 and not_theirs.status_code == 404
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "Ана Σοφία" in text and award["identifier"] in text
    assert inbox[0]["certificate_url"].endswith(f"/v1/me/awards/{award['award_id']}/certificate")
    assert verified.status_code == 200
    assert verified.json()["status"] == "valid"
    assert verified.json()["holder"] == {"display_name": "Ана Σοφία"}

    revoked = api.post(
        f"/v1/admin/awards/{award['award_id']}/revoke", token=admin, json={"reason": "fraud"}
    )
    drain()

    assert revoked.status_code == 200
    assert (
        api.get(f"/v1/verify/{award['identifier']}?tenant={tenant.id}").json()["status"]
        == "revoked"
    )
    assert (
        api.get(f"/v1/me/awards/{award['award_id']}/certificate", token=holder).status_code == 404
    )
    assert api.get(f"/v1/verify/CPR-1999-00001?tenant={tenant.id}").status_code == 404
