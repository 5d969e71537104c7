"""DynamoDB stream pollers: Lambda's event source mapping, one poller per template mapping.

Hand-written: no maintained library replays Lambda's ESM semantics (filtering before batching,
batching window, partial batch responses, bisection, retry quota, on-failure destination).
What it follows, from the Lambda developer guide:

* shards are read in lineage order (a child only after its parent is fully processed);
* records not matching any filter pattern are dropped and count as processed;
* a batch is sent when it holds `batch_size` matching records, when the batching window has
  passed since its first record, or when the shard has closed;
* a successful invocation checkpoints the whole batch; `batchItemFailures` (when the mapping
  reports them) checkpoints before the lowest failed sequence number and retries from there;
  an empty or unknown `itemIdentifier` fails the whole batch;
* a function error bisects the batch when `bisect` is on (splitting does not count towards the
  retry quota), else retries it; after `max_retries` retries (-1: forever) the batch's metadata
  goes to the on-failure queue and the poller moves on;
* checkpoints persist in a JSON file, so a restart resumes instead of replaying.
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

from accolade_local.runtime import FunctionError, Invoker
from accolade_local.template import StreamMapping, match_any

__all__ = [
    "CheckpointStore",
    "StreamPoller",
    "to_lambda_record",
]

log = logging.getLogger("accolade_local.pollers")

_GET_RECORDS_LIMIT = 1000
_SHARD_REFRESH_S = 5.0
_IDLE_EMPTY_POLLS = 2


class CheckpointStore:
    """Last processed sequence number per (mapping, stream, shard), in a JSON file or in memory."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._data: dict[str, dict[str, Any]] = {}
        if path is not None and path.exists():
            with contextlib.suppress(ValueError):
                loaded = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    self._data = loaded

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            value = self._data.get(key)
            return dict(value) if value else None

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
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def to_lambda_record(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    """One GetRecords record as it appears in a Lambda DynamoDB event's `Records`."""
    out: dict[str, Any] = {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": record.get("eventSource", "aws:dynamodb"),
        "awsRegion": record.get("awsRegion", "us-east-1"),
        "dynamodb": _jsonable(record["dynamodb"]),
        "eventSourceARN": stream_arn,
    }
    if "userIdentity" in record:
        out["userIdentity"] = _jsonable(record["userIdentity"])
    return out


class StreamReader:
    """Reads a table's stream from its start, every shard, as Lambda-shaped records.

    For tests and benchmarks that invoke the handlers themselves: ``read()`` returns what was
    written since the previous call, in each shard's order; an expired iterator resumes after
    the last record read.
    """

    def __init__(self, streams: Any, stream_arn: str) -> None:
        self._streams = streams
        self._arn = stream_arn
        self._iterators: dict[str, str | None] = {}
        self._last: dict[str, str] = {}

    def read(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for shard_id in self._shard_ids():
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self._iterator(shard_id)
        for shard_id, iterator in list(self._iterators.items()):
            self._iterators[shard_id] = self._read_shard(shard_id, iterator, out)
        return out

    def _shard_ids(self) -> list[str]:
        found: list[str] = []
        kwargs: dict[str, Any] = {"StreamArn": self._arn}
        while True:
            description = self._streams.describe_stream(**kwargs)["StreamDescription"]
            found += [shard["ShardId"] for shard in description.get("Shards", [])]
            last = description.get("LastEvaluatedShardId")
            if not last:
                return found
            kwargs["ExclusiveStartShardId"] = last

    def _iterator(self, shard_id: str) -> str | None:
        kwargs: dict[str, Any] = {"StreamArn": self._arn, "ShardId": shard_id}
        if shard_id in self._last:
            kwargs.update(
                ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=self._last[shard_id]
            )
        else:
            kwargs["ShardIteratorType"] = "TRIM_HORIZON"
        iterator: str | None = self._streams.get_shard_iterator(**kwargs).get("ShardIterator")
        return iterator

    def _read_shard(
        self, shard_id: str, iterator: str | None, out: list[dict[str, Any]]
    ) -> str | None:
        """Read a shard up to its end; the iterator to go on from (None: the shard closed)."""
        while iterator:
            try:
                response = self._streams.get_records(ShardIterator=iterator, Limit=1000)
            except self._streams.exceptions.ExpiredIteratorException:
                iterator = self._iterator(shard_id)
                continue
            records = response.get("Records", [])
            for raw in records:
                out.append(to_lambda_record(raw, self._arn))
                self._last[shard_id] = raw["dynamodb"]["SequenceNumber"]
            iterator = response.get("NextShardIterator")
            if not records:
                break
        return iterator


@dataclass
class _Record:
    event: dict[str, Any]
    matched: bool
    arrived: float

    @property
    def sequence_number(self) -> str:
        return str(self.event["dynamodb"]["SequenceNumber"])


@dataclass
class _Shard:
    shard_id: str
    parent_id: str | None
    closed: bool
    checkpoint: str | None = None
    iterator: str | None = None
    ended: bool = False
    done: bool = False
    buffer: list[_Record] = field(default_factory=list)
    empty_polls: int = 0


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    # Index of the first record to retry (partial batch response); None when all succeeded.
    retry_from: int | None = None
    error: dict[str, Any] | None = None


class StreamPoller:
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
        self.mapping = mapping
        self.invoker = invoker
        self.streams = streams
        self.stream_arn = stream_arn
        self.checkpoints = checkpoints or CheckpointStore()
        self.on_failure = on_failure
        self.function_arn = function_arn or f"function:{mapping.function_id}"
        self.poll_interval_s = poll_interval_s
        self.retry_delay_s = retry_delay_s
        self.processed = 0  # records handled: delivered, filtered out or sent to on-failure
        self.failures_sent = 0
        self._shards: dict[str, _Shard] = {}
        self._refreshed_at = 0.0
        self._in_flight = False
        self._state = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._tick_lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"{self.mapping.function_id}.{self.mapping.event_name}"

    def _key(self, shard_id: str) -> str:
        return f"{self.name}|{self.stream_arn}|{shard_id}"

    # -- lifecycle

    def start(self) -> StreamPoller:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name=f"poller-{self.name}")
            self._thread.daemon = True
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.tick()
            except Exception:
                if self._stop.is_set():
                    return
                log.exception("%s: polling failed; retrying in 1s", self.name)
                self._stop.wait(1.0)
                continue
            if not busy:
                self._stop.wait(self.poll_interval_s)

    # -- idleness

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

    def _reset_idle(self) -> None:
        with self._state:
            self._refreshed_at = 0.0  # also rediscover shards
            for shard in self._shards.values():
                shard.empty_polls = 0

    def run_until_idle(self, timeout: float = 30.0) -> int:
        """Poll in the calling thread until idle; the number of records processed meanwhile."""
        self._reset_idle()
        before = self.processed
        deadline = time.monotonic() + timeout
        while not self.idle:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: stream not drained within {timeout}s")
            if not self.tick():
                time.sleep(min(self.poll_interval_s, 0.05))
        return self.processed - before

    def drain(self, timeout: float = 30.0) -> int:
        """Wait until every record written before this call has been processed."""
        if self._thread is None:
            return self.run_until_idle(timeout)
        self._reset_idle()
        before = self.processed
        deadline = time.monotonic() + timeout
        while not self.idle:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: stream not drained within {timeout}s")
            time.sleep(0.05)
        return self.processed - before

    # -- polling

    def tick(self) -> bool:
        """One pass over the shards; True when records were read or delivered."""
        with self._tick_lock:
            now = time.monotonic()
            if now - self._refreshed_at >= _SHARD_REFRESH_S:
                self._refresh_shards()
            busy = False
            for shard in self._eligible():
                busy |= self._poll(shard)
                busy |= self._flush(shard, force=False)
            return busy

    def _eligible(self) -> list[_Shard]:
        """Shards whose parent is processed (or gone), in lineage order."""
        out = []
        for shard in self._shards.values():
            parent = self._shards.get(shard.parent_id or "")
            if parent is None or parent.done:
                out.append(shard)
        return out

    def _refresh_shards(self) -> None:
        shards: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn}
        while True:
            description = self.streams.describe_stream(**kwargs)["StreamDescription"]
            shards.extend(description.get("Shards", []))
            last = description.get("LastEvaluatedShardId")
            if not last:
                break
            kwargs["ExclusiveStartShardId"] = last
        with self._state:
            for raw in shards:
                shard_id = raw["ShardId"]
                closed = "EndingSequenceNumber" in raw.get("SequenceNumberRange", {})
                known = self._shards.get(shard_id)
                if known is not None:
                    known.closed = closed
                    continue
                shard = _Shard(shard_id, raw.get("ParentShardId"), closed)
                saved = self.checkpoints.get(self._key(shard_id))
                if saved:
                    shard.checkpoint = saved.get("sequence_number")
                    shard.done = bool(saved.get("done"))
                self._shards[shard_id] = shard
            self._refreshed_at = time.monotonic()

    def _iterator(self, shard: _Shard) -> str | None:
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": shard.shard_id}
        if shard.checkpoint:
            kwargs.update(
                ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=shard.checkpoint
            )
        else:
            kwargs["ShardIteratorType"] = self.mapping.starting_position
        iterator: str | None = self.streams.get_shard_iterator(**kwargs).get("ShardIterator")
        return iterator

    def _poll(self, shard: _Shard) -> bool:
        if shard.done or shard.ended or len(shard.buffer) >= _GET_RECORDS_LIMIT:
            return False
        if shard.iterator is None:
            shard.iterator = self._iterator(shard)
            if shard.iterator is None:
                self._end(shard)
                return False
        try:
            response = self.streams.get_records(
                ShardIterator=shard.iterator, Limit=_GET_RECORDS_LIMIT
            )
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
            if code == "ExpiredIteratorException":
                shard.iterator = None
                return True
            if code == "TrimmedDataAccessException":
                shard.checkpoint, shard.iterator = None, None
                return True
            if code == "ResourceNotFoundException":
                self._end(shard)
                return False
            raise
        raw_records = response.get("Records", [])
        shard.iterator = response.get("NextShardIterator")
        now = time.monotonic()
        with self._state:
            for raw in raw_records:
                event = to_lambda_record(raw, self.stream_arn)
                matched = match_any(self.mapping.filter_patterns, event)
                shard.buffer.append(_Record(event, matched, now))
            shard.empty_polls = 0 if raw_records else shard.empty_polls + 1
            if shard.iterator is None:
                shard.ended = True
        if shard.ended and not shard.buffer:
            self._end(shard)
        return bool(raw_records)

    def _end(self, shard: _Shard) -> None:
        with self._state:
            shard.ended, shard.done = True, True
        self.checkpoints.set(self._key(shard.shard_id), shard.checkpoint, done=True)

    def _checkpoint(self, shard: _Shard, record: _Record) -> None:
        shard.checkpoint = record.sequence_number
        self.checkpoints.set(self._key(shard.shard_id), shard.checkpoint)

    def _flush(self, shard: _Shard, *, force: bool) -> bool:
        """Send the next batch when it is full, its window has passed or the shard has ended."""
        if not shard.buffer:
            return False
        matched = [r for r in shard.buffer if r.matched]
        if not matched:
            # Filtered-out records are processed as far as the mapping is concerned.
            with self._state:
                region, shard.buffer = shard.buffer, []
            self._checkpoint(shard, region[-1])
            self.processed += len(region)
            if shard.ended:
                self._end(shard)
            return True
        window_over = time.monotonic() - matched[0].arrived >= self.mapping.batching_window_s
        full = len(matched) >= self.mapping.batch_size
        if not (force or full or window_over or shard.ended):
            return False
        # The batch: leading records up to the batch_size-th matching one.
        count, end = 0, len(shard.buffer)
        for index, record in enumerate(shard.buffer):
            count += record.matched
            if count == self.mapping.batch_size:
                end = index + 1
                break
        with self._state:
            region = shard.buffer[:end]
            self._in_flight = True
        try:
            self._deliver(shard, region)
        finally:
            with self._state:
                shard.buffer = shard.buffer[end:]
                self._in_flight = False
        self.processed += len(region)
        if shard.ended and not shard.buffer:
            self._end(shard)
        return True

    # -- delivery

    def _deliver(self, shard: _Shard, region: list[_Record]) -> None:
        batch = [r for r in region if r.matched]
        segments: deque[tuple[list[_Record], int]] = deque([(batch, 0)])
        while segments:
            if self._stop.is_set():
                raise InterruptedError("poller stopping")
            records, retries = segments.popleft()
            outcome = self._invoke(records)
            if outcome.ok and outcome.retry_from is None:
                self._checkpoint(shard, records[-1])
                continue
            if outcome.ok and outcome.retry_from is not None:
                # Partial success: checkpoint before the first failure, retry only the rest.
                if outcome.retry_from > 0:
                    self._checkpoint(shard, records[outcome.retry_from - 1])
                records = records[outcome.retry_from :]
                retries += 1
            elif self.mapping.bisect and len(records) > 1:
                half = len(records) // 2
                segments.appendleft((records[half:], retries))
                segments.appendleft((records[:half], retries))
                continue
            else:
                retries += 1
            if 0 <= self.mapping.max_retries < retries:
                self._send_failure(shard, records, retries, outcome)
                self._checkpoint(shard, records[-1])
                continue
            segments.appendleft((records, retries))
            self._stop.wait(self.retry_delay_s)
        # Filtered-out records trailing the last matching one are processed too.
        self._checkpoint(shard, region[-1])

    def _invoke(self, records: list[_Record]) -> _Outcome:
        event = {"Records": [r.event for r in records]}
        try:
            result = self.invoker.invoke(event)
        except FunctionError as exc:
            log.warning("%s: function error on %d records: %s", self.name, len(records), exc)
            return _Outcome(ok=False, error=exc.payload)
        if not self.mapping.report_batch_item_failures:
            return _Outcome(ok=True)
        failures = result.get("batchItemFailures") if isinstance(result, dict) else None
        if not failures:
            return _Outcome(ok=True)
        positions = {r.sequence_number: index for index, r in enumerate(records)}
        indexes: list[int] = []
        for failure in failures:
            identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
            if not identifier or str(identifier) not in positions:
                # Lambda treats a malformed partial response as a failure of the whole batch.
                message = f"invalid batchItemFailures itemIdentifier {identifier!r}"
                error = {"errorType": "Lambda.MalformedResponse", "errorMessage": message}
                return _Outcome(ok=False, error=error)
            indexes.append(positions[str(identifier)])
        log.info("%s: %d of %d records reported failed", self.name, len(indexes), len(records))
        return _Outcome(ok=True, retry_from=min(indexes))

    def _send_failure(
        self, shard: _Shard, records: list[_Record], retries: int, outcome: _Outcome
    ) -> None:
        """The invocation record Lambda sends to an on-failure destination for a stream batch."""
        first, last = records[0].event["dynamodb"], records[-1].event["dynamodb"]
        response_context: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
        if not outcome.ok:
            response_context["functionError"] = "Unhandled"
        message = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": self.function_arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": retries,
            },
            "responseContext": response_context,
            "version": "1.0",
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "DDBStreamBatchInfo": {
                "shardId": shard.shard_id,
                "startSequenceNumber": str(first["SequenceNumber"]),
                "endSequenceNumber": str(last["SequenceNumber"]),
                "approximateArrivalOfFirstRecord": _iso(first.get("ApproximateCreationDateTime")),
                "approximateArrivalOfLastRecord": _iso(last.get("ApproximateCreationDateTime")),
                "batchSize": len(records),
                "streamArn": self.stream_arn,
            },
        }
        log.error(
            "%s: retries exhausted, %d records (%s..%s) sent to the on-failure destination",
            self.name,
            len(records),
            first["SequenceNumber"],
            last["SequenceNumber"],
        )
        self.failures_sent += 1
        if self.on_failure is not None:
            self.on_failure(message)


def _iso(epoch: Any) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(float(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sqs_sender(sqs: Any, queue_url: str) -> Callable[[dict[str, Any]], None]:
    """An on-failure destination that sends the invocation record to an SQS queue."""

    def send(message: dict[str, Any]) -> None:
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(message))

    return send
