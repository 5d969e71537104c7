"""Reading a DynamoDB stream as Lambda does: shards, iterators, checkpoints, record shape.

Hand-written: boto3 has no stream reader (AWS's Kinesis Client Library adapter is Java).
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

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
class Shard:
    """One shard of a stream and the reader's place in it."""

    shard_id: str
    parent_id: str | None
    after: str | None = None  # the last sequence number read
    ended: bool = False  # its last record has been read
    iterator: str | None = None


ShardT = TypeVar("ShardT", bound=Shard)


class StreamReader:
    """Walks a stream's shards. Pollers read shard by shard; tests and benchmarks that invoke
    the handlers themselves call `read()`."""

    def __init__(self, streams: Any, stream_arn: str, start: str = "TRIM_HORIZON") -> None:
        self.streams, self.stream_arn, self.start = streams, stream_arn, start
        self.shards: dict[str, Shard] = {}

    def discover(self, known: dict[str, ShardT], new: Callable[[str, str | None], ShardT]) -> None:
        """Add the stream's shards that `known` lacks (parents first), each made by `new`."""
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn}
        while True:
            description = self.streams.describe_stream(**kwargs)["StreamDescription"]
            for raw in description.get("Shards", []):
                if raw["ShardId"] not in known:
                    known[raw["ShardId"]] = new(raw["ShardId"], raw.get("ParentShardId"))
            if not description.get("LastEvaluatedShardId"):
                return
            kwargs["ExclusiveStartShardId"] = description["LastEvaluatedShardId"]

    def read(self) -> list[dict[str, Any]]:
        """Every shard's new records, as they appear in a Lambda event's `Records`."""
        self.discover(self.shards, Shard)
        out: list[dict[str, Any]] = []
        for shard in self.shards.values():
            while records := self.read_shard(shard):
                out += (to_lambda_record(r, self.stream_arn) for r in records)
        return out

    def read_shard(self, shard: Shard, limit: int = GET_RECORDS_LIMIT) -> list[dict[str, Any]]:
        """The shard's next records; it has `ended` once its last record has been read."""
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
        records: list[dict[str, Any]] = response.get("Records", [])
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
