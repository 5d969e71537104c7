"""Stream records in, service calls out: Lambda's DynamoDB stream batches turned into calls of
the evaluate, deliver and certificate services."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from accolade.adapters.dynamo.awards import award_from_image
from accolade.adapters.dynamo.events import event_from_image
from accolade.bootstrap import Container
from accolade.observability import count, logger
from accolade.services.certificates import issue_certificate
from accolade.services.deliver import announce_award
from accolade.services.evaluate import StreamedEvent, evaluate_events

Record = Mapping[str, Any]


def _sequence(record: Record) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


def evaluate_batch(records: Iterable[Record], c: Container) -> dict[str, Any]:
    """Evaluate a stream batch at once (one transaction serves many events) and answer Lambda's
    partial batch response: the records whose events did not finish, retried from the first."""
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
    result = evaluate_events(
        parsed,
        config=c.config,
        users=c.users,
        progress=c.progress,
        awards=c.awards,
        clock=c.clock,
    )
    for key in result.failed:
        failed.update(sequences.get(key, []))
    logger.info("evaluated", extra={"events": len(parsed), "granted": len(result.granted)})
    count("EventsEvaluated", len(parsed))
    count("AwardsGranted", len(result.granted))
    count("EventsRetried", len(failed))
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in sorted(failed)]}


def deliver_record(record: Record, c: Container) -> bool:
    """Announce the award of one stream record (new awards only); True when it published."""
    if record.get("eventName") != "INSERT":
        return False
    tenant_id, award = award_from_image(record["dynamodb"]["NewImage"])
    announced = announce_award(
        tenant_id, award, config=c.config, inbox=c.inbox, notifier=c.notifier, clock=c.clock
    )
    count("AwardsAnnounced", int(announced))
    return announced


def certificate_record(record: Record, c: Container) -> bool:
    """Issue the certificate of one award record whose certificate is pending."""
    tenant_id, award = award_from_image(record["dynamodb"]["NewImage"])
    issued = issue_certificate(
        tenant_id, award, config=c.config, users=c.users, awards=c.awards, documents=c.documents
    )
    count("CertificatesIssued", int(issued))
    return issued
