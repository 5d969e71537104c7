"""Stream records in, service calls out: Lambda's DynamoDB stream batches turned into calls of
the evaluate, deliver and certificate services."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from accolade.bootstrap import Container, container, inject
from accolade.observability import count, logger

if TYPE_CHECKING:
    from accolade.ports import CertificateRenderer

# Each function imports what its own stream needs, when its first record comes: the evaluator
# does not load the delivery or certificate services (and their adapters), nor they the
# evaluator's.

Record = Mapping[str, Any]


def _sequence(record: Record) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


def message_id(record: Record) -> str:
    """A queue message's identifier in Lambda's partial batch response."""
    return str(record["messageId"])


def _partial_response(failed: Iterable[str]) -> dict[str, Any]:
    return {"batchItemFailures": [{"itemIdentifier": identifier} for identifier in failed]}


def evaluate_batch(records: Iterable[Record], c: Container) -> dict[str, Any]:
    """Evaluate a stream batch at once (one request serves many events) and answer Lambda's
    partial batch response: the records whose events did not finish, retried from the first."""
    from accolade.adapters.dynamo.events import event_from_image
    from accolade.services.evaluate import StreamedEvent, evaluate_events

    failed: set[str] = set()
    parsed: list[StreamedEvent] = []
    sequences: dict[tuple[str, str], list[str]] = {}
    for record in records:
        try:
            tenant_id, event = event_from_image(record["dynamodb"]["NewImage"])
        except (KeyError, ValueError):
            logger.exception("unreadable event record", extra={"record": record})
            failed.add(_sequence(record))
            continue
        parsed.append(StreamedEvent(tenant_id, event, int(_sequence(record))))
        sequences.setdefault((tenant_id, event.event_id), []).append(_sequence(record))
    result = inject(evaluate_events, c)(parsed)
    for key in result.failed:
        failed.update(sequences.get(key, []))
    logger.info("evaluated", extra={"events": len(parsed), "granted": len(result.granted)})
    count("EventsEvaluated", len(parsed))
    count("AwardsGranted", len(result.granted))
    count("EventsRetried", len(failed))
    return _partial_response(sorted(failed))


def deliver_record(record: Record, c: Container) -> bool:
    """Announce the award of one stream record: a new award, or one just revoked (any later
    change of a revoked award finds its announcement made), or an expiring-soon notice; True
    when it published."""
    from accolade.adapters.dynamo.award_records import award_from_image

    entity = record["dynamodb"]["NewImage"].get("entity", {}).get("S")
    if entity == "message":
        return notice_record(record, c)
    if entity == "user":
        return profile_record(record, c)
    from accolade.domain.models import AwardStatus
    from accolade.services.deliver import announce

    tenant_id, award = award_from_image(record["dynamodb"]["NewImage"])
    # The completion report's counts first: idempotent, and retried with the record if it fails.
    from accolade.services.reports import count_award

    inject(count_award, c)(tenant_id, award)
    revoked = award.status is AwardStatus.REVOKED
    if record.get("eventName") != "INSERT" and not revoked:
        return False  # another change of an award (its certificate): announced already
    announced = inject(announce, c)(tenant_id, award, public_base_url=c.settings.public_base_url)
    count("RevocationsAnnounced" if revoked else "AwardsAnnounced", int(announced))
    return announced


def notice_record(record: Record, c: Container) -> bool:
    """Publish the expiring-soon notice of one new inbox message."""
    from accolade.adapters.dynamo.inbox import message_from_image
    from accolade.domain.expiry import EXPIRING_SOON
    from accolade.services.deliver import announce_notice

    tenant_id, message = message_from_image(record["dynamodb"]["NewImage"])
    if record.get("eventName") != "INSERT" or message.type != EXPIRING_SOON:
        return False  # its lease and mark, or another kind of message: nothing to publish
    announced = inject(announce_notice, c)(tenant_id, message)
    count("ExpiryNoticesAnnounced", int(announced))
    return announced


def profile_record(record: Record, c: Container) -> bool:
    """Move the user's completion counts after a change of organisation or groups (``org_rev``
    moved): PUT /v1/admin/users moves them itself, and this finishes a move a crash cut short
    (moving again what is in place already writes nothing). True when it reconciled."""
    from accolade.adapters.dynamo.users import profile_change_from_record

    changed = profile_change_from_record(
        record["dynamodb"]["NewImage"], record["dynamodb"].get("OldImage")
    )
    if changed is None:
        return False  # the featured award, or an unchanged profile
    tenant_id, user_id = changed
    from accolade.services.reports import user_moved

    inject(user_moved, c)(tenant_id, user_id)
    count("ProfilesReconciled", 1)
    return True


def certificate_record(record: Record, c: Container, renderer: CertificateRenderer) -> bool:
    """Issue the certificate of one award record whose certificate is pending."""
    from accolade.adapters.dynamo.award_records import award_from_image
    from accolade.services.certificates import issue_certificate

    tenant_id, award = award_from_image(record["dynamodb"]["NewImage"])
    issued = inject(issue_certificate, c)(
        tenant_id, award, renderer=renderer, public_base_url=c.settings.public_base_url
    )
    count("CertificatesIssued", int(issued))
    return issued


class BatchFailed(Exception):
    """Every record of a batch failed: the invocation fails, and Lambda retries the batch."""


def process_each_record(
    event: Mapping[str, Any],
    context: Any,
    handle: Callable[[Record, Container], object],
    identify: Callable[[Record], str] = _sequence,
) -> dict[str, Any]:
    """Lambda's partial batch response for a batch handled a record at a time, each with the
    process's container: a record whose ``handle`` raises is logged and reported by
    ``identify`` (a stream record's sequence number, or ``message_id`` for a queue), so that
    Lambda retries the stream from it or redelivers the message; when every record raised,
    BatchFailed. ``context`` is Lambda's (or the local runtime's) context object.

    Our loop rather than Powertools' batch processor: importing that one builds its pydantic
    parser models for every event source (45 classes) whenever pydantic is loaded, which is
    about a fifth of these handlers' own share of a cold start (issue 9)."""
    records = event.get("Records", [])
    c = container()
    failed: list[str] = []
    for record in records:
        try:
            handle(record, c)
        except Exception:  # any failure of one record: logged, reported, retried
            logger.exception("record failed", extra={"record": identify(record)})
            failed.append(identify(record))
    if records and len(failed) == len(records):
        raise BatchFailed(f"all {len(records)} records of the batch failed")
    return _partial_response(failed)
