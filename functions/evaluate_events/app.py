"""Stream of new events: move counters exactly once and grant what they earn."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from accolade.adapters.dynamo.stream import evaluate_records
from accolade.bootstrap import container
from accolade.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


class EventNotEvaluatedError(Exception):
    """The event's counters or awards were not all written; the stream redelivers it."""


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # The batch is evaluated as a whole (one transaction per many events); the processor then
    # reports each record that did not finish, so Lambda retries from the first of them.
    failed = evaluate_records(event.get("Records", []), container())

    def record_handler(record: DynamoDBRecord) -> None:
        if record.dynamodb and record.dynamodb.sequence_number in failed:
            raise EventNotEvaluatedError(record.dynamodb.sequence_number)

    return process_partial_response(event, record_handler, processor, context)
