"""Sequences, identifiers, certificates and verification with the in-memory fakes: formats and
their merge fields, the start that is only raised, identifiers taken as awards are written,
certificate links for their holder only, refresh, revocation and the public verification."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accolade.domain.certificates import CertificateContent
from accolade.domain.errors import ConflictError, InvalidInputError, NotFoundError
from accolade.domain.models import AwardStatus, CertificateStatus, Issuer, IssuerKind, UserProfile
from accolade.domain.sequences import Numbering, Sequence, check_format
from accolade.ports import InboxQuery
from accolade.services import admin, awards, certificates, credentials, deliver
from accolade_local.handlers import load_handler
from tests.fakes import FakeContainer
from tests.http_events import VERIFICATION_FIELDS, call, claims, http_event
from tests.unit.builders import ADMIN, TENANT, wired

api = load_handler("api")
ALICE = claims(TENANT, "alice")
BOB = claims(TENANT, "bob")
BASE = "https://api.example"
CPR = {"name": "CPR", "start": 5, "padding": 5, "event_format": "CPR-{{year}}-{{sequence_number}}"}


class RecordingRenderer:
    def __init__(self) -> None:
        self.rendered: list[CertificateContent] = []

    def render(self, content: CertificateContent) -> bytes:
        self.rendered.append(content)
        return b"%PDF-1.7 " + content.holder.encode()


def sequence(c: FakeContainer, sequence_id: str = "cpr", **fields: Any) -> Numbering:
    return wired(credentials.put_sequence, c, TENANT, {"sequence_id": sequence_id, **CPR, **fields})


def credential(c: FakeContainer, **extra: Any) -> str:
    definition = {"name": "Basic Life Support", "type": "manual", "sequence_id": "cpr", **extra}
    return wired(admin.create_achievement, c, TENANT, definition).achievement_id


def give(c: FakeContainer, achievement_id: str, user_id: str = "alice") -> Any:
    return wired(
        awards.give_award, c, TENANT, achievement_id, awards.Gift(user_id), given_by="root"
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("CPR {{sequence_number}}", "whitespace"),
        ("CPR-{{sequence_number}} ", "whitespace"),
        ("CPR-{{year}}", "{{sequence_number}}"),
        ("CPR-{{sequence_number}}-{{colour}}", "unknown merge field"),
        ("CPR/{{sequence_number}}", "text may hold only"),
        ("{{ sequence_number }}", "whitespace"),
    ],
)
def test_a_format_with_whitespace_no_number_or_an_unknown_field_is_refused(
    text: str, reason: str
) -> None:
    with pytest.raises(ValueError, match="format") as refused:
        Sequence(sequence_id="s", name="S", event_format="X-{{sequence_number}}", path_format=text)

    assert reason in str(refused.value)
    assert "path_format" in str(refused.value)


def test_formats_merge_number_year_codes_and_custom_fields() -> None:
    found = Sequence(
        sequence_id="s",
        name="S",
        padding=5,
        event_format="{{course_code}}-{{year}}-{{custom.site}}-{{sequence_number}}",
        path_format="P-{{path_code}}-{{sequence_number}}",
    )
    course = Issuer(kind=IssuerKind.COURSE_EVENT, id="e1", code="CPR", custom={"site": "Köln 1"})
    path = Issuer(kind=IssuerKind.LEARNING_PATH, id="p1", code="MED")
    moment = datetime(2026, 3, 1, tzinfo=UTC)

    assert check_format("A.{{sequence_number}}~:_-") == "A.{{sequence_number}}~:_-"
    assert found.identifier(5, moment, course) == "CPR-2026-K-ln-1-00005"
    assert found.identifier(6, moment, path) == "P-MED-00006"
    assert found.identifier(123456, moment, None) == "-2026--123456"


def test_put_sequence_over_http_refuses_bad_input_naming_the_field(fakes: FakeContainer) -> None:
    cases = {
        "event_format": {**CPR, "event_format": "CPR {{sequence_number}}"},
        "path_format": {**CPR, "path_format": "P-{{nope}}-{{sequence_number}}"},
        "padding": {**CPR, "padding": 13},
        "start": {**CPR, "start": 0},
        "name": {key: value for key, value in CPR.items() if key != "name"},
    }
    for field, body in cases.items():
        status, answer = call(
            api, http_event("PUT", "/v1/admin/sequences/cpr", body=body, claims=ADMIN)
        )

        assert status == 422, (field, answer)
        assert answer["error"]["message"].startswith(field), answer
    assert fakes.sequences.get_sequence(TENANT, "cpr") is None
    assert call(api, http_event("PUT", "/v1/admin/sequences/cpr", body=CPR, claims=ALICE))[0] == 403


def test_put_then_get_a_sequence(fakes: FakeContainer) -> None:
    put = call(api, http_event("PUT", "/v1/admin/sequences/cpr", body=CPR, claims=ADMIN))
    got = call(api, http_event("GET", "/v1/admin/sequences/cpr", claims=ADMIN))
    missing = call(api, http_event("GET", "/v1/admin/sequences/none", claims=ADMIN))

    assert put == got
    assert got[1] | {} == {
        "sequence_id": "cpr",
        **CPR,
        "path_format": None,
        "next_number": 5,
        "issued": 0,
    }
    assert missing[0] == 404


def test_start_is_raised_for_a_cut_over_but_never_lowered_to_an_issued_number(
    c: FakeContainer,
) -> None:
    sequence(c)
    ach = credential(c)
    for user in ("u1", "u2", "u3"):
        give(c, ach, user)  # numbers 5, 6, 7

    renamed = sequence(c, name="CPR renamed")  # the same start: numbering goes on
    with pytest.raises(ConflictError, match=r"^start: numbers up to 7"):
        sequence(c, start=7)
    with pytest.raises(ConflictError, match=r"^start"):
        sequence(c, start=1)
    raised = sequence(c, start=1000)
    after = give(c, ach, "u4")

    assert renamed.next_number == 8
    assert raised.next_number == 1000
    assert after.identifier == "CPR-2026-01000"


def test_start_of_a_sequence_that_issued_nothing_may_go_down(c: FakeContainer) -> None:
    sequence(c, start=50)

    assert sequence(c, start=2).next_number == 2


def test_an_achievement_must_name_an_existing_sequence(c: FakeContainer) -> None:
    with pytest.raises(InvalidInputError, match=r"^sequence_id"):
        credential(c)
    sequence(c)
    ach = credential(c)
    with pytest.raises(InvalidInputError, match=r"^sequence_id"):
        wired(admin.edit_achievement, c, TENANT, ach, {"sequence_id": "other"})

    assert wired(admin.get_achievement, c, TENANT, ach).sequence_id == "cpr"


def test_an_achievement_naming_a_missing_sequence_is_422_over_http(fakes: FakeContainer) -> None:
    body = {"name": "BLS", "type": "manual", "sequence_id": "ghost"}

    status, answer = call(
        api, http_event("POST", "/v1/admin/achievements", body=body, claims=ADMIN)
    )

    assert status == 422
    assert answer["error"]["message"].startswith("sequence_id")


def test_awards_take_consecutive_numbers_and_a_revoked_one_keeps_its_own(c: FakeContainer) -> None:
    sequence(c)
    ach = credential(c)

    first, second = give(c, ach, "ana"), give(c, ach, "ben")
    wired(awards.revoke_award, c, TENANT, second.award_id, "wrong person")
    third = give(c, ach, "cy")

    assert [a.identifier for a in (first, second, third)] == [
        "CPR-2026-00005",
        "CPR-2026-00006",
        "CPR-2026-00007",
    ]
    held = c.awards.award_by_identifier(TENANT, "CPR-2026-00006")
    assert held is not None and held.status is AwardStatus.REVOKED


def test_the_issuer_names_the_award_and_a_learning_path_uses_the_path_format(
    c: FakeContainer,
) -> None:
    sequence(
        c,
        event_format="E-{{course_code}}-{{sequence_number}}",
        path_format="P-{{path_code}}-{{sequence_number}}",
    )
    ach = credential(c)
    base = give(c, ach, "ana").model_copy(
        update={"identifier": None, "award_id": "x", "period_key": "G1", "user_id": "ben"}
    )
    course = Issuer(kind=IssuerKind.COURSE_EVENT, id="ev-9", code="CPR")
    path = Issuer(kind=IssuerKind.LEARNING_PATH, id="lp-1", code="MED")

    (by_course,) = c.awards.grant(
        TENANT, "ben", [base.model_copy(update={"award_id": base.key.award_id})], issuer=course
    )
    other = base.model_copy(update={"period_key": "G2", "user_id": "cy"})
    (by_path,) = c.awards.grant(
        TENANT, "cy", [other.model_copy(update={"award_id": other.key.award_id})], issuer=path
    )

    assert (by_course.identifier, by_course.issued_by) == ("E-CPR-00006", "course_event:ev-9")
    assert (by_path.identifier, by_path.issued_by) == ("P-MED-00007", "learning_path:lp-1")


def test_a_certificate_shows_holder_identifier_dates_and_the_verification_link(
    c: FakeContainer,
) -> None:
    sequence(c)
    ach = credential(c, certificate=True, validity={"amount": 5, "unit": "year"})
    admin.put_user(TENANT, UserProfile(user_id="alice", display_name="Ελένη"), users=c.users)
    given = give(c, ach)
    renderer = RecordingRenderer()

    issued = wired(
        certificates.issue_certificate, c, TENANT, given, renderer=renderer, public_base_url=BASE
    )
    again = wired(
        certificates.issue_certificate, c, TENANT, given, renderer=renderer, public_base_url=BASE
    )

    content = renderer.rendered[0]
    assert (issued, again) == (True, False)  # a redelivered record renders, but issues once
    assert content.holder == "Ελένη"
    assert content.identifier == "CPR-2026-00005"
    assert content.valid_until == given.valid_until
    assert content.verify_url == f"{BASE}/v1/verify/CPR-2026-00005?tenant={TENANT}"
    stored = c.awards.get_award(TENANT, given.key)
    assert stored is not None and stored.certificate_status is CertificateStatus.ISSUED


def issued_certificate(c: FakeContainer, user_id: str = "alice") -> Any:
    sequence(c)
    ach = credential(c, certificate=True)
    given = give(c, ach, user_id)
    wired(
        certificates.issue_certificate,
        c,
        TENANT,
        given,
        renderer=RecordingRenderer(),
        public_base_url=BASE,
    )
    return given


def test_the_certificate_link_is_for_its_holder_only(fakes: FakeContainer) -> None:
    given = issued_certificate(fakes)
    path = f"/v1/me/awards/{given.award_id}/certificate"

    mine = call(api, http_event("GET", path, claims=ALICE))
    theirs = call(api, http_event("GET", path, claims=BOB))
    other_tenant = call(api, http_event("GET", path, claims=claims("tenant-b", "alice")))
    anonymous = call(api, http_event("GET", path))

    assert mine[0] == 200
    assert mine[1]["url"].startswith("https://documents.example/certificates/")
    assert mine[1]["expires_in"] == 300
    assert [theirs[0], other_tenant[0], anonymous[0]] == [404, 404, 401]


def test_a_certificate_not_rendered_yet_is_409_and_none_at_all_is_404(
    fakes: FakeContainer,
) -> None:
    sequence(fakes)
    pending = give(fakes, credential(fakes, certificate=True))
    plain = give(fakes, credential(fakes))

    waiting = call(
        api, http_event("GET", f"/v1/me/awards/{pending.award_id}/certificate", claims=ALICE)
    )
    none = call(api, http_event("GET", f"/v1/me/awards/{plain.award_id}/certificate", claims=ALICE))
    garbage = call(api, http_event("GET", "/v1/me/awards/%%%/certificate", claims=ALICE))

    assert waiting[0] == 409
    assert none[0] == 404
    assert garbage[0] in (404, 422)


def test_refresh_documents_marks_the_certificate_pending_again(fakes: FakeContainer) -> None:
    given = issued_certificate(fakes)
    path = f"/v1/admin/awards/{given.award_id}/refresh-documents"

    first = call(api, http_event("POST", path, claims=ADMIN))
    second = call(api, http_event("POST", path, claims=ADMIN))
    as_user = call(api, http_event("POST", path, claims=ALICE))

    assert first == second == (202, {"award_id": given.award_id, "certificate_status": "pending"})
    assert as_user[0] == 403
    stored = fakes.awards.get_award(TENANT, given.key)
    assert stored is not None and stored.certificate_status is CertificateStatus.PENDING


def test_refresh_of_a_revoked_award_or_one_without_certificate_is_409(c: FakeContainer) -> None:
    given = issued_certificate(c)
    plain = give(c, credential(c), "ben")
    wired(awards.revoke_award, c, TENANT, given.award_id, "fraud")

    with pytest.raises(ConflictError, match="revoked"):
        wired(certificates.refresh_documents, c, TENANT, given.award_id)
    with pytest.raises(ConflictError, match="no certificate"):
        wired(certificates.refresh_documents, c, TENANT, plain.award_id)
    with pytest.raises(NotFoundError):
        wired(certificates.refresh_documents, c, TENANT, "bm9uZQ")


def test_revoking_marks_the_certificate_revoked_and_renders_nothing_more(c: FakeContainer) -> None:
    sequence(c)
    given = give(c, credential(c, certificate=True))
    renderer = RecordingRenderer()

    revoked = wired(awards.revoke_award, c, TENANT, given.award_id, "fraud")
    rendered = wired(
        certificates.issue_certificate, c, TENANT, revoked, renderer=renderer, public_base_url=BASE
    )

    assert revoked.certificate_status is CertificateStatus.REVOKED
    stored = c.awards.get_award(TENANT, given.key)
    assert stored is not None and stored.certificate_status is CertificateStatus.REVOKED
    assert (rendered, renderer.rendered) == (False, [])


def verify(identifier: str, tenant: str = TENANT) -> tuple[int, Any]:
    return call(api, http_event("GET", f"/v1/verify/{identifier}", query={"tenant": tenant}))


def test_verification_says_valid_expired_or_revoked_and_nothing_private(
    fakes: FakeContainer,
) -> None:
    sequence(fakes)
    admin.put_user(TENANT, UserProfile(user_id="alice", display_name="Alice A."), users=fakes.users)
    ach = credential(fakes, validity={"amount": 5, "unit": "year"})
    given = give(fakes, ach)

    valid = verify("CPR-2026-00005")
    fakes.clock.advance(timedelta(days=5 * 366))
    expired = verify("CPR-2026-00005")
    wired(awards.revoke_award, fakes, TENANT, given.award_id, "fraud")
    revoked = verify("CPR-2026-00005")

    assert given.valid_until is not None
    assert valid[0] == 200
    assert set(valid[1]) == VERIFICATION_FIELDS
    assert valid[1]["status"] == "valid"
    assert valid[1]["identifier"] == "CPR-2026-00005"
    assert valid[1]["achievement"] == {"name": "Basic Life Support"}
    assert valid[1]["holder"] == {"display_name": "Alice A."}
    assert datetime.fromisoformat(valid[1]["issued_at"]) == given.awarded_at
    assert datetime.fromisoformat(valid[1]["valid_until"]) == given.valid_until
    assert (expired[1]["status"], revoked[1]["status"]) == ("expired", "revoked")
    for answer in (valid, expired, revoked):
        text = str(answer[1])
        assert "alice" not in text and given.award_id not in text and TENANT not in text


def test_verification_of_unknown_or_bad_identifiers_is_4xx(fakes: FakeContainer) -> None:
    sequence(fakes)
    give(fakes, credential(fakes))

    assert verify("CPR-2026-00099")[0] == 404
    assert verify("CPR-2026-00005", tenant="tenant-b")[0] == 404
    assert verify("x" * 201)[0] == 422
    assert verify("CPR 2026")[0] in (404, 422)
    assert call(api, http_event("GET", "/v1/verify/CPR-2026-00005"))[0] == 422


def announce(c: FakeContainer, award: Any) -> Any:
    wired(deliver.announce, c, TENANT, award, public_base_url=BASE)
    return c.notifier.publications[-1], c.inbox.messages(
        TENANT, award.user_id, InboxQuery(limit=10)
    ).items[0]


@pytest.mark.parametrize("send", [True, False])
def test_the_award_notification_carries_the_certificate_link_only_when_asked(
    c: FakeContainer, send: bool
) -> None:
    sequence(c)
    given = give(c, credential(c, certificate=True, send_certificate=send))

    published, message = announce(c, given)

    link = f"{BASE}/v1/me/awards/{given.award_id}/certificate"
    assert published.payload.get("certificate_url") == (link if send else None)
    assert message.data.get("certificate_url") == (link if send else None)
    assert published.payload["identifier"] == "CPR-2026-00005"


def test_evaluated_awards_of_a_numbered_achievement_get_identifiers(c: FakeContainer) -> None:
    from tests.unit.builders import activity, ingest_and_evaluate

    sequence(c)
    wired(
        admin.create_achievement,
        c,
        TENANT,
        {
            "name": "Course passed",
            "type": "event",
            "event_type": "course.passed",
            "sequence_id": "cpr",
        },
    )

    result = ingest_and_evaluate(
        c,
        [
            activity("e1", "2026-11-24T09:00:00Z", type="course.passed", user_id="ana"),
            activity("e2", "2026-11-24T09:01:00Z", type="course.passed", user_id="ben"),
        ],
    )

    assert sorted(a.identifier or "" for a in result.granted) == [
        "CPR-2026-00005",
        "CPR-2026-00006",
    ]


def test_an_edit_racing_an_award_is_made_again_on_the_moved_numbering(c: FakeContainer) -> None:
    sequence(c)
    ach = credential(c)
    give(c, ach, "ana")  # 5 issued
    put = c.sequences.put_sequence
    raced: list[str] = []

    def award_first(tenant_id: str, numbering: Numbering, *, expected: Numbering | None) -> None:
        if not raced:  # an award takes number 6 between the edit's read and its write
            raced.append(give(c, ach, "ben").identifier or "")
        put(tenant_id, numbering, expected=expected)

    c.sequences.put_sequence = award_first  # type: ignore[method-assign]
    renamed = sequence(c, name="Renamed")
    with pytest.raises(ConflictError, match=r"^start: numbers up to 6"):
        sequence(c, start=6)

    assert raced == ["CPR-2026-00006"]
    assert (renamed.sequence.name, renamed.next_number, renamed.issued) == ("Renamed", 7, 2)
