"""Sequences, certificates and verification on DynamoDB Local and the moto server: numbers taken
in the award's own transaction (50 racing awards, gap-free), none burnt by a grant that writes
nothing, the certificate rendered from the award's stream record into S3 and read back as text,
its link for its holder only, and verification through revocation."""

from __future__ import annotations

import io
import threading
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from accolade.bootstrap import inject
from accolade.domain.errors import ConflictError, NotFoundError
from accolade.domain.models import AwardStatus, CertificateStatus, UserProfile
from accolade.ports import AwardsToGrant
from accolade.services import admin, awards, certificates, credentials
from accolade_local.handlers import load_handler
from accolade_local.services import client
from tests.fakes import FakeClock
from tests.integration.helpers import batch, invoke

pytestmark = pytest.mark.usefixtures("aws_env")

CPR = {"name": "CPR", "start": 5, "padding": 5, "event_format": "CPR-{{year}}-{{sequence_number}}"}
RACERS = 50


def sequence(accolade: Any, tenant_id: str, **fields: Any) -> Any:
    return inject(credentials.put_sequence, accolade)(
        tenant_id, {"sequence_id": "cpr", **CPR, **fields}
    )


def credential(accolade: Any, tenant_id: str, **extra: Any) -> str:
    definition = {"name": "Basic Life Support", "type": "manual", "sequence_id": "cpr", **extra}
    return inject(admin.create_achievement, accolade)(tenant_id, definition).achievement_id


def give(accolade: Any, tenant_id: str, achievement_id: str, user_id: str = "alice") -> Any:
    gift = awards.Gift(user_id)
    return inject(awards.give_award, accolade)(tenant_id, achievement_id, gift, given_by="root")


def test_fifty_racing_awards_take_fifty_distinct_gap_free_numbers(
    accolade: Any, tenant_id: str
) -> None:
    sequence(accolade, tenant_id)
    ach = credential(accolade, tenant_id)
    start = threading.Barrier(RACERS)
    given: list[Any] = []
    errors: list[BaseException] = []

    def race(user_id: str) -> None:
        start.wait()
        try:
            given.append(give(accolade, tenant_id, ach, user_id))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=race, args=(f"u{n:02d}",)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    numbering = accolade.sequences.get_sequence(tenant_id, "cpr")

    assert errors == []
    identifiers = sorted(award.identifier for award in given)
    assert identifiers == [f"CPR-2026-{n:05d}" for n in range(5, 5 + RACERS)]
    assert (numbering.next_number, numbering.issued) == (5 + RACERS, RACERS)
    for award in given:
        held = accolade.awards.award_by_identifier(tenant_id, award.identifier)
        assert held is not None and held.user_id == award.user_id


def test_a_grant_that_writes_nothing_takes_no_number(accolade: Any, tenant_id: str) -> None:
    sequence(accolade, tenant_id)
    record = credential(accolade, tenant_id, category="record", period="month")
    first = give(accolade, tenant_id, record, "ana")

    with pytest.raises(ConflictError):
        give(accolade, tenant_id, record, "ben")  # the month's record is held: nothing written
    again = accolade.awards.grant(tenant_id, "ana", [first.model_copy(update={"identifier": None})])
    numbering = accolade.sequences.get_sequence(tenant_id, "cpr")

    assert first.identifier == "CPR-2026-00005"
    assert again == []  # a redelivered grant of the same award
    assert (numbering.next_number, numbering.issued) == (6, 1)


def test_start_is_never_lowered_to_an_issued_number(accolade: Any, tenant_id: str) -> None:
    sequence(accolade, tenant_id)
    ach = credential(accolade, tenant_id)
    give(accolade, tenant_id, ach, "ana")
    give(accolade, tenant_id, ach, "ben")

    with pytest.raises(ConflictError, match=r"^start"):
        sequence(accolade, tenant_id, start=6)
    raised = sequence(accolade, tenant_id, start=900)
    third = give(accolade, tenant_id, ach, "cy")

    assert raised.next_number == 900
    assert third.identifier == "CPR-2026-00900"


def certificate_records(stream: Any, tenant_id: str, count: int, names: tuple[str, ...]) -> Any:
    records = stream.records(tenant_id, entity="award", count=count, event_names=names)
    return [
        r
        for r in records
        if r["dynamodb"]["NewImage"].get("certificate_status", {}).get("S") == "pending"
    ]


def pdf_text(s3: Any, bucket: str, key: str) -> tuple[str, int]:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return PdfReader(io.BytesIO(body)).pages[0].extract_text(), len(body)


@pytest.mark.parametrize("name", ["Ελένη Παπαδοπούλου", "Дмитрий Иванов", "Zoë Ångström"])
def test_the_certificate_is_rendered_from_the_stream_into_s3_with_holder_identifier_and_dates(
    accolade: Any,
    tenant_id: str,
    stream: Any,
    aws_endpoint: str,
    bucket_name: str,
    name: str,
) -> None:
    accolade.users.put_user(tenant_id, UserProfile(user_id="alice", display_name=name))
    sequence(accolade, tenant_id)
    ach = credential(accolade, tenant_id, certificate=True, validity={"amount": 5, "unit": "year"})
    given = give(accolade, tenant_id, ach)
    generate = load_handler("generate_certificates")

    response = invoke(generate, batch(certificate_records(stream, tenant_id, 1, ("INSERT",))))
    stored = accolade.awards.get_award(tenant_id, given.key)
    s3 = client("s3", aws_endpoint, accolade.settings.region)
    text, size = pdf_text(s3, bucket_name, stored.certificate_key)

    assert response == {"batchItemFailures": []}
    assert stored.certificate_status is CertificateStatus.ISSUED
    assert stored.certificate_key.startswith(f"certificates/{tenant_id}/alice/")
    flat = " ".join(text.split())
    assert name in flat
    assert "CPR-2026-00005" in flat
    assert f"Issued: {given.awarded_at:%Y-%m-%d}" in flat
    assert f"Valid until: {given.valid_until:%Y-%m-%d}" in flat
    assert "Basic Life Support" in flat
    assert "/v1/verify/CPR-2026-00005?tenant=" in flat
    assert "?" not in name and size < 100_000


def test_refresh_documents_renders_the_certificate_again_from_its_stream_record(
    accolade: Any, tenant_id: str, stream: Any, aws_endpoint: str, bucket_name: str
) -> None:
    sequence(accolade, tenant_id)
    given = give(accolade, tenant_id, credential(accolade, tenant_id, certificate=True))
    generate = load_handler("generate_certificates")
    invoke(generate, batch(certificate_records(stream, tenant_id, 1, ("INSERT",))))
    accolade.users.put_user(tenant_id, UserProfile(user_id="alice", display_name="Renamed Ren"))

    inject(certificates.refresh_documents, accolade)(tenant_id, given.award_id)
    inject(certificates.refresh_documents, accolade)(tenant_id, given.award_id)
    pending = certificate_records(stream, tenant_id, 4, ("INSERT", "MODIFY"))[1:]
    invoke(generate, batch(pending))
    stored = accolade.awards.get_award(tenant_id, given.key)
    s3 = client("s3", aws_endpoint, accolade.settings.region)

    assert len(pending) >= 1
    assert stored.certificate_status is CertificateStatus.ISSUED
    assert "Renamed Ren" in pdf_text(s3, bucket_name, stored.certificate_key)[0]


def test_the_certificate_link_serves_the_pdf_to_its_holder_only(
    accolade: Any, tenant_id: str, stream: Any
) -> None:
    sequence(accolade, tenant_id)
    given = give(accolade, tenant_id, credential(accolade, tenant_id, certificate=True))
    link = inject(certificates.my_certificate_link, accolade)
    with pytest.raises(ConflictError):
        link(tenant_id, "alice", given.award_id)  # not rendered yet
    invoke(
        load_handler("generate_certificates"),
        batch(certificate_records(stream, tenant_id, 1, ("INSERT",))),
    )

    url = link(tenant_id, "alice", given.award_id)
    with urllib.request.urlopen(url, timeout=10) as answer:
        body = answer.read()
    with pytest.raises(NotFoundError):
        link(tenant_id, "bob", given.award_id)
    with pytest.raises(NotFoundError):
        link("another-tenant", "alice", given.award_id)

    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert body.startswith(b"%PDF-")
    # SigV2 links say when they expire, SigV4 links for how long.
    expires = query.get("X-Amz-Expires") or [str(int(query["Expires"][0]) - int(time.time()))]
    assert 0 < int(expires[0]) <= 300


def test_verification_valid_then_expired_then_revoked_and_unknown(
    accolade: Any, tenant_id: str
) -> None:
    accolade.users.put_user(tenant_id, UserProfile(user_id="alice", display_name="Alice A."))
    sequence(accolade, tenant_id)
    ach = credential(accolade, tenant_id, certificate=True, validity={"amount": 1, "unit": "day"})
    given = give(accolade, tenant_id, ach)
    verify = inject(credentials.verify_identifier, accolade)

    valid = verify(tenant_id, "CPR-2026-00005")
    later = FakeClock(given.awarded_at + timedelta(days=2))
    expired = verify(tenant_id, "CPR-2026-00005", clock=later)
    revoked_award = inject(awards.revoke_award, accolade)(tenant_id, given.award_id, "fraud")
    revoked = verify(tenant_id, "CPR-2026-00005")

    assert (valid.status, expired.status, revoked.status) == (
        AwardStatus.ACTIVE,
        AwardStatus.EXPIRED,
        AwardStatus.REVOKED,
    )
    assert (valid.achievement_name, valid.holder_display_name) == ("Basic Life Support", "Alice A.")
    assert revoked_award.certificate_status is CertificateStatus.REVOKED
    with pytest.raises(NotFoundError):
        verify(tenant_id, "CPR-2026-00006")
    with pytest.raises(NotFoundError):
        verify("another-tenant", "CPR-2026-00005")


def numbered_learners(accolade: Any, tenant_id: str, count: int) -> tuple[dict[str, Any], Any]:
    """``count`` learners' numbered awards of a new credential, not yet granted, by learner,
    with their holdings (none yet): what a batch grants together."""
    from accolade.domain.models import AwardKey
    from accolade.domain.rules import AwardIntent

    sequence(accolade, tenant_id)
    ach = credential(accolade, tenant_id)
    definition = accolade.config.get_achievement(tenant_id, ach)
    now = accolade.clock.now()
    by_user = {
        f"learner-{n:02d}": [
            AwardIntent(AwardKey(f"learner-{n:02d}", ach, "ONCE", 1), definition, None).to_award(
                now, coins_enabled=False
            )
        ]
        for n in range(count)
    }
    holdings = accolade.awards.holdings(tenant_id, [a.key for its in by_user.values() for a in its])
    return by_user, holdings


def test_the_batch_grant_numbers_awards_consecutively_across_its_transactions(
    accolade: Any, tenant_id: str
) -> None:
    """45 learners in one batch: three transactions of at most 19 numbered grants each, the
    numbers consecutive across them, the sequence moved once a transaction."""
    by_user, holdings = numbered_learners(accolade, tenant_id, 45)

    together = accolade.awards.grant_together(tenant_id, AwardsToGrant(by_user, holdings))

    assert together.unwritten == set()
    numbers = sorted(int(award.identifier.rsplit("-", 1)[1]) for award in together.granted)
    assert numbers == list(range(5, 50))
    assert accolade.awards.grant(tenant_id, "learner-00", by_user["learner-00"]) == []
    stored = {
        a.user_id: a.identifier for u in by_user for a in accolade.awards.user_awards(tenant_id, u)
    }
    assert stored == {a.user_id: a.identifier for a in together.granted}
    after = inject(credentials.get_sequence, accolade)(tenant_id, "cpr")
    assert (after.next_number, after.issued) == (50, 45)


def test_a_batch_whose_first_transaction_fails_numbers_nothing_and_leaves_no_gap(
    accolade: Any, tenant_id: str
) -> None:
    """A learner already holding the award fails the first transaction's condition: every later
    transaction then fails on the sequence it expected moved, and one-by-one grants take the
    numbers from where the sequence really is."""
    by_user, holdings = numbered_learners(accolade, tenant_id, 30)
    (racer,) = accolade.awards.grant(tenant_id, "learner-00", by_user["learner-00"])

    together = accolade.awards.grant_together(tenant_id, AwardsToGrant(by_user, holdings))
    alone = [
        award
        for user in sorted(together.unwritten)
        for award in accolade.awards.grant(tenant_id, user, by_user[user])
    ]

    assert together.granted == [] and together.unwritten == set(by_user)
    assert racer.identifier == "CPR-2026-00005"
    numbers = sorted(int(a.identifier.rsplit("-", 1)[1]) for a in [racer, *alone])
    assert numbers == list(range(5, 35))


def test_two_sequences_whose_formats_make_the_same_identifier_refuse_the_second(
    accolade: Any, tenant_id: str
) -> None:
    sequence(accolade, tenant_id)
    inject(credentials.put_sequence, accolade)(
        tenant_id, {"sequence_id": "twin", **CPR, "name": "Twin"}
    )
    first = give(accolade, tenant_id, credential(accolade, tenant_id))
    twin = credential(accolade, tenant_id, sequence_id="twin")

    with pytest.raises(ConflictError, match="held by another award"):
        give(accolade, tenant_id, twin, "ben")
    numbering = accolade.sequences.get_sequence(tenant_id, "twin")

    assert first.identifier == "CPR-2026-00005"
    assert (numbering.next_number, numbering.issued) == (5, 0)  # nothing written, nothing taken


def test_many_numbered_awards_of_one_user_fit_dynamodb_transactions(
    accolade: Any, tenant_id: str
) -> None:
    from accolade.domain.models import AwardKey
    from accolade.domain.rules import AwardIntent

    sequence(accolade, tenant_id)
    # Each award writes itself, a ledger entry and an identifier; each achievement a summary.
    definitions = [
        accolade.config.get_achievement(
            tenant_id, credential(accolade, tenant_id, levels=[{"points": 10}])
        )
        for _ in range(3)
    ]
    now = accolade.clock.now()
    many = [
        AwardIntent(
            AwardKey("ana", definitions[n % 3].achievement_id, f"G{n:03d}", 1),
            definitions[n % 3],
            None,
        ).to_award(now, coins_enabled=False)
        for n in range(40)
    ]

    granted = accolade.awards.grant(tenant_id, "ana", many)

    assert sorted(a.identifier for a in granted) == [f"CPR-2026-{n:05d}" for n in range(5, 45)]
    assert accolade.awards.wallet(tenant_id, "ana").points == 400
