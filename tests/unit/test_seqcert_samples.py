"""The sample payloads of sequences, verification and certificates drive the real handlers, with
a container of fakes (the certificate function renders a real PDF)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from accolade.adapters.dynamo.award_records import award_from_image
from accolade.domain.models import CertificateStatus, Issuer, IssuerKind, UserProfile
from accolade.services import admin, awards
from accolade_local.handlers import LambdaContext, load_handler
from accolade_local.template import Template
from tests.fakes import FakeContainer
from tests.unit.builders import wired

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"
DEMO = "demo"

api = load_handler("api")
generate = load_handler("generate_certificates")

pytestmark = pytest.mark.usefixtures("fakes")


def invoke(handler: Any, name: str) -> dict[str, Any]:
    event = json.loads((EVENTS / name).read_text())
    response: dict[str, Any] = handler.lambda_handler(event, LambdaContext())
    return response


def test_a_sequence_is_put_then_an_identifier_it_made_is_verified_without_a_token(
    fakes: FakeContainer,
) -> None:
    unknown = invoke(api, "api/verify.json")
    put = invoke(api, "api/put_sequence.json")
    fakes.users.put_user(DEMO, UserProfile(user_id="user-1", display_name="Dana Demo"))
    bls = wired(
        admin.create_achievement,
        fakes,
        DEMO,
        {"name": "Basic Life Support", "type": "manual", "sequence_id": "cpr"},
    )
    course = Issuer(kind=IssuerKind.COURSE_EVENT, id="cpr-2026-03", code="CPR")
    given = wired(
        awards.give_award,
        fakes,
        DEMO,
        bls.achievement_id,
        awards.Gift("user-1"),
        given_by="admin-1",
        issuer=course,
    )
    known = invoke(api, "api/verify.json")

    assert (unknown["statusCode"], put["statusCode"]) == (404, 200)
    assert (given.identifier, given.issued_by) == ("CPR-2026-00005", "course_event:cpr-2026-03")
    assert known["statusCode"] == 200
    answer = json.loads(known["body"])
    assert answer["status"] == "valid"
    assert answer["holder"] == {"display_name": "Dana Demo"}
    assert "user-1" not in known["body"]


def test_the_pending_certificate_record_renders_a_pdf_and_issues_it(fakes: FakeContainer) -> None:
    event = json.loads((EVENTS / "generate_certificates/award_pending.json").read_text())
    _, award = award_from_image(event["Records"][0]["dynamodb"]["NewImage"])
    fakes.awards.set_award(DEMO, award)
    fakes.users.put_user(DEMO, UserProfile(user_id="user-1", display_name="Ζωή Дарья"))

    response = invoke(generate, "generate_certificates/award_pending.json")
    again = invoke(generate, "generate_certificates/award_pending.json")  # redelivered

    stored = fakes.awards.get_award(DEMO, award.key)
    assert response == again == {"batchItemFailures": []}
    assert stored is not None and stored.certificate_status is CertificateStatus.ISSUED
    assert stored.certificate_key is not None
    text = PdfReader(io.BytesIO(fakes.documents.objects[stored.certificate_key])).pages[0]
    flat = " ".join(text.extract_text().split())
    assert "Ζωή Дарья" in flat and "CPR-2026-00005" in flat and "Issued: 2026-11-24" in flat


def test_the_local_gateway_lets_verification_through_without_a_token() -> None:
    routes = Template(ROOT / "template.yaml").http_routes()
    verify = [r for r in routes if r.path == "/v1/verify/{identifier}"]

    assert [(r.method, r.auth_required) for r in verify] == [("GET", False)]
