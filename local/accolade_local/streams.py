"""DynamoDB streams as Lambda reads them: shards, iterators, checkpoints, record shape, and the
stream poller, one per template mapping.

Hand-written: boto3 has no stream reader (AWS's Kinesis Client Library adapter is Java), and no
maintained library replays Lambda's event source mapping. As the Lambda developer guide
describes: shards in lineage order; filtered-out records count as processed; a batch goes when
full, when its window has passed or when the shard closed; `batchItemFailures` retries from the
lowest failed record (an unknown id fails the whole batch); a function error bisects (not counted
as a retry) or retries; after `max_retries` the batch's metadata goes to the on-failure queue.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from accolade_local.pollers import Poller
from accolade_local.runtime import Invoker
from accolade_local.template import StreamMapping

__all__ = ["CheckpointStore", "StreamPoller", "StreamReader", "match_any", "to_lambda_record"]

log = logging.getLogger("accolade_local.streams")

_SHARD_REFRESH_S = 5.0
_IDLE_EMPTY_POLLS = 2

GET_RECORDS_LIMIT = 1000


class CheckpointStore:
    """Last processed sequence number per (mapping, stream, shard), in a JSON file or in memory."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._data: dict[str, dict[str, Any]] = {}
        if path is not None and path.exists():
            with contextlib.suppress(ValueError):
                self._data = dict(json.loads(path.read_text(encoding="utf-8")))

    def get(self, key: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._data.get(key) or {})

    def set(self, key: str, sequence_number: str | None, *, done: bool = False) -> None:
        with self._lock:
            self._data[key] = {"sequence_number": sequence_number, "done": done}
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.path.with_suffix(".tmp")
                tmp.write_text(json.dumps(self._data, indent=1, sort_keys=True), encoding="utf-8")
                tmp.replace(self.path)


def _jsonable(value: Any) -> Any:
    """boto3's parsed stream record back to the JSON Lambda delivers (B values base64)."""

    def default(item: Any) -> Any:
        if isinstance(item, datetime):
            return int(item.timestamp())
        return base64.b64encode(bytes(item)).decode("ascii")

    return json.loads(json.dumps(value, default=default))


def to_lambda_record(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    """One GetRecords record as it appears in a Lambda DynamoDB event's `Records`."""
    # A GetRecords record has the keys of Lambda's, but for the ARN (and, from some emulators,
    # the three defaulted here).
    defaults = {"eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": "us-east-1"}
    return {**defaults, **_jsonable(record), "eventSourceARN": stream_arn}


@dataclass
class _Record:
    event: dict[str, Any]
    matched: bool
    arrived: float
    sequence_number: str


@dataclass
class Shard:
    """One shard of a stream, the reader's place in it and what a poller holds of it."""

    shard_id: str
    parent_id: str | None
    after: str | None = None  # the last sequence number read
    ended: bool = False  # its last record has been read
    iterator: str | None = None
    done: bool = False  # every record processed: its children may go
    buffer: list[_Record] = field(default_factory=list)
    empty_polls: int = 0


class StreamReader:
    """Walks a stream's shards. Pollers read shard by shard; tests and benchmarks that invoke
    the handlers themselves call `read()`."""

    def __init__(self, streams: Any, stream_arn: str, start: str = "TRIM_HORIZON") -> None:
        self.streams, self.stream_arn, self.start = streams, stream_arn, start
        self.shards: dict[str, Shard] = {}

    def discover(self) -> list[Shard]:
        """Add the stream's shards not known yet (parents first); those added."""
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn}
        found: list[Shard] = []
        while True:
            description = self.streams.describe_stream(**kwargs)["StreamDescription"]
            for raw in description.get("Shards", []):
                if raw["ShardId"] not in self.shards:
                    found.append(Shard(raw["ShardId"], raw.get("ParentShardId")))
                    self.shards[raw["ShardId"]] = found[-1]
            if not description.get("LastEvaluatedShardId"):
                return found
            kwargs["ExclusiveStartShardId"] = description["LastEvaluatedShardId"]

    def read(self) -> list[dict[str, Any]]:
        """Every shard's new records, as they appear in a Lambda event's `Records`."""
        self.discover()
        out: list[dict[str, Any]] = []
        for shard in self.shards.values():
            while records := self.read_shard(shard):
                out += records
        return out

    def read_shard(self, shard: Shard, limit: int = GET_RECORDS_LIMIT) -> list[dict[str, Any]]:
        """The shard's next records, as in a Lambda event; it has `ended` once its last record has
        been read."""
        if shard.ended:
            return []
        shard.iterator = shard.iterator or self._iterator(shard)
        if shard.iterator is None:
            shard.ended = True
            return []
        try:
            response = self.streams.get_records(ShardIterator=shard.iterator, Limit=limit)
        except self.streams.exceptions.ExpiredIteratorException:
            shard.iterator = None
            return self.read_shard(shard, limit)
        except self.streams.exceptions.TrimmedDataAccessException:
            shard.after = shard.iterator = None
            return []
        except self.streams.exceptions.ResourceNotFoundException:
            shard.ended = True
            return []
        records = [to_lambda_record(r, self.stream_arn) for r in response.get("Records", [])]
        if records:
            shard.after = records[-1]["dynamodb"]["SequenceNumber"]
        shard.iterator = response.get("NextShardIterator")
        shard.ended = shard.iterator is None
        return records

    def _iterator(self, shard: Shard) -> str | None:
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": shard.shard_id}
        if shard.after:
            kwargs.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=shard.after)
        else:
            kwargs["ShardIteratorType"] = self.start
        iterator: str | None = self.streams.get_shard_iterator(**kwargs).get("ShardIterator")
        return iterator


class StreamPoller(Poller):
    """Polls one table stream for one mapping and invokes its function as Lambda would."""

    def __init__(
        self,
        mapping: StreamMapping,
        invoker: Invoker,
        streams: Any,
        stream_arn: str,
        *,
        checkpoints: CheckpointStore | None = None,
        on_failure: Callable[[dict[str, Any]], None] | None = None,
        function_arn: str | None = None,
        poll_interval_s: float = 0.25,
        retry_delay_s: float = 0.1,
    ) -> None:
        super().__init__(f"{mapping.function_id}.{mapping.event_name}")
        self.mapping, self.invoker = mapping, invoker
        self.reader = StreamReader(streams, stream_arn, mapping.starting_position)
        self.checkpoints = checkpoints or CheckpointStore()
        self.on_failure = on_failure
        self.function_arn = function_arn or f"function:{mapping.function_id}"
        self.poll_interval_s = poll_interval_s
        self.retry_delay_s = retry_delay_s
        self._refreshed_at = 0.0
        self._in_flight = False
        self._state = threading.Lock()

    def _key(self, shard_id: str) -> str:
        return f"{self.name}|{self.reader.stream_arn}|{shard_id}"

    @property
    def idle(self) -> bool:
        """Every open shard returned no records twice, nothing buffered, nothing in flight."""
        with self._state:
            if self._in_flight or self._refreshed_at == 0.0:
                return False
            return all(
                shard.done or (not shard.buffer and shard.empty_polls >= _IDLE_EMPTY_POLLS)
                for shard in self._eligible()
            )

    def drain(self, timeout: float = 30.0) -> int:
        """Every record written before this call processed; how many were."""
        with self._state:
            self._refreshed_at = 0.0  # also rediscover shards
            for shard in self.reader.shards.values():
                shard.empty_polls = 0
        return super().drain(timeout)

    def tick(self) -> bool:
        """One pass over the shards; True when records were read or delivered."""
        with self._tick_lock:
            if time.monotonic() - self._refreshed_at >= _SHARD_REFRESH_S:
                with self._state:
                    for shard in self.reader.discover():
                        self._resume(shard)
                    self._refreshed_at = time.monotonic()
            busy = False
            for shard in self._eligible():
                busy |= self._poll(shard)
                busy |= self._flush(shard)
            return busy

    def _eligible(self) -> list[Shard]:
        """Shards whose parent is processed (or gone), in lineage order."""
        shards = self.reader.shards
        return [
            shard
            for shard in shards.values()
            if shard.parent_id not in shards or shards[shard.parent_id].done
        ]

    def _resume(self, shard: Shard) -> None:
        """A shard found takes up from its checkpoint."""
        saved = self.checkpoints.get(self._key(shard.shard_id))
        shard.after, shard.done = saved.get("sequence_number"), bool(saved.get("done"))

    def _poll(self, shard: Shard) -> bool:
        if shard.done or shard.ended or len(shard.buffer) >= GET_RECORDS_LIMIT:
            if shard.ended and not shard.done and not shard.buffer:
                with self._state:
                    shard.done = True  # its last record read is processed
                self.checkpoints.set(self._key(shard.shard_id), shard.after, done=True)
            return False
        records = self.reader.read_shard(shard)
        now, patterns = time.monotonic(), self.mapping.filter_patterns
        with self._state:
            shard.buffer += (
                _Record(e, match_any(patterns, e), now, e["dynamodb"]["SequenceNumber"])
                for e in records
            )
            shard.empty_polls = 0 if records else shard.empty_polls + 1
        return bool(records)

    def _checkpoint(self, shard: Shard, record: _Record) -> None:
        self.checkpoints.set(self._key(shard.shard_id), record.sequence_number)

    def _flush(self, shard: Shard) -> bool:
        """Send the next batch when it is full, its window has passed or the shard has ended."""
        if not shard.buffer:
            return False
        matched = [r for r in shard.buffer if r.matched]
        window_over = bool(matched) and (
            time.monotonic() - matched[0].arrived >= self.mapping.batching_window_s
        )
        if matched and not (len(matched) >= self.mapping.batch_size or window_over or shard.ended):
            return False
        # The batch: leading records up to the batch_size-th matching one.
        end = len(shard.buffer)
        if len(matched) >= self.mapping.batch_size:
            last = matched[self.mapping.batch_size - 1]
            end = next(i for i, r in enumerate(shard.buffer) if r is last) + 1
        with self._state:
            region = shard.buffer[:end]
            self._in_flight = True
        try:
            if matched:
                self._deliver(shard, [r for r in region if r.matched])
            # Filtered-out records, here and after the batch's last one, are processed too.
            self._checkpoint(shard, region[-1])
        finally:
            with self._state:
                shard.buffer = shard.buffer[end:]
                self._in_flight = False
        self.processed += len(region)
        return True

    def _deliver(self, shard: Shard, batch: list[_Record]) -> None:
        segments: deque[tuple[list[_Record], int]] = deque([(batch, 0)])
        while segments:
            if self._stop.is_set():
                raise InterruptedError("poller stopping")
            records, retries = segments.popleft()
            succeeded = self._invoke(records)
            if succeeded == len(records):
                self._checkpoint(shard, records[-1])
                continue
            if succeeded is not None:
                # Partial success: checkpoint before the first failure, retry only the rest.
                if succeeded > 0:
                    self._checkpoint(shard, records[succeeded - 1])
                records = records[succeeded:]
            elif self.mapping.bisect and len(records) > 1:
                half = len(records) // 2
                segments.extendleft([(records[half:], retries), (records[:half], retries)])
                continue
            retries += 1
            if 0 <= self.mapping.max_retries < retries:
                self._send_failure(shard, records, retries, function_error=succeeded is None)
                self._checkpoint(shard, records[-1])
                continue
            segments.appendleft((records, retries))
            self._stop.wait(self.retry_delay_s)

    def _invoke(self, records: list[_Record]) -> int | None:
        """How many leading records succeeded; None when the function failed."""
        positions = {r.sequence_number: index for index, r in enumerate(records)}
        report = self.mapping.report_batch_item_failures
        failed = self._invoke_batch([r.event for r in records], set(positions), report)
        if failed is None:
            return None
        return min((positions[i] for i in failed), default=len(records))

    def _send_failure(
        self, shard: Shard, records: list[_Record], retries: int, *, function_error: bool
    ) -> None:
        """The invocation record Lambda sends to an on-failure destination for a stream batch."""
        first, last = records[0].event["dynamodb"], records[-1].event["dynamodb"]
        unhandled = {"functionError": "Unhandled"} if function_error else {}
        message = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": self.function_arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": retries,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", **unhandled},
            "version": "1.0",
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "DDBStreamBatchInfo": {
                "shardId": shard.shard_id,
                "startSequenceNumber": str(first["SequenceNumber"]),
                "endSequenceNumber": str(last["SequenceNumber"]),
                "approximateArrivalOfFirstRecord": _iso(first.get("ApproximateCreationDateTime")),
                "approximateArrivalOfLastRecord": _iso(last.get("ApproximateCreationDateTime")),
                "batchSize": len(records),
                "streamArn": self.reader.stream_arn,
            },
        }
        log.error(
            "%s: retries exhausted, %d records (%s..%s) sent to the on-failure destination",
            *(self.name, len(records), first["SequenceNumber"], last["SequenceNumber"]),
        )
        if self.on_failure is not None:
            self.on_failure(message)


def match_any(patterns: list[dict[str, Any]], record: Mapping[str, Any]) -> bool:
    """Lambda's event filtering (EventBridge's pattern syntax, which moto's matcher decides)."""
    from moto.events.models import EventPattern

    # Typed for EventBridge events, the matcher only walks a record's keys: any mapping fits.
    event: Any = dict(record)
    return not patterns or any(EventPattern(None, p).matches_event(event) for p in patterns)


def _iso(epoch: Any) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat()[:19] + "Z"
