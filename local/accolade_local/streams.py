"""Reading a DynamoDB stream as Lambda does: shards, iterators, checkpoints, record shape.

Hand-written: boto3 has no stream reader (AWS's Kinesis Client Library adapter is Java).
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

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


class StreamReader:
    """A stream's shards and a read position in each. Pollers read shard by shard; tests and
    benchmarks that invoke the handlers themselves call `read()`."""

    def __init__(self, streams: Any, stream_arn: str, start: str = "TRIM_HORIZON") -> None:
        self.streams, self.stream_arn, self.start = streams, stream_arn, start
        self.after: dict[str, str | None] = {}  # last sequence number read, per shard
        self.ended: set[str] = set()
        self._iterators: dict[str, str | None] = {}

    def shards(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn}
        while True:
            description = self.streams.describe_stream(**kwargs)["StreamDescription"]
            found += description.get("Shards", [])
            if not description.get("LastEvaluatedShardId"):
                return found
            kwargs["ExclusiveStartShardId"] = description["LastEvaluatedShardId"]

    def read(self) -> list[dict[str, Any]]:
        """Every shard's new records, as they appear in a Lambda event's `Records`."""
        out: list[dict[str, Any]] = []
        for shard in self.shards():
            while shard["ShardId"] not in self.ended:
                records = self.read_shard(shard["ShardId"])
                out += (to_lambda_record(r, self.stream_arn) for r in records)
                if not records:
                    break
        return out

    def read_shard(self, shard_id: str, limit: int = GET_RECORDS_LIMIT) -> list[dict[str, Any]]:
        """The shard's next records; it is in `ended` once its last record has been read."""
        if shard_id in self.ended:
            return []
        iterator = self._iterators.get(shard_id) or self._iterator(shard_id)
        if iterator is None:
            self.ended.add(shard_id)
            return []
        try:
            response = self.streams.get_records(ShardIterator=iterator, Limit=limit)
        except self.streams.exceptions.ExpiredIteratorException:
            self._iterators[shard_id] = None
            return self.read_shard(shard_id, limit)
        except self.streams.exceptions.TrimmedDataAccessException:
            self.after[shard_id], self._iterators[shard_id] = None, None
            return []
        except self.streams.exceptions.ResourceNotFoundException:
            self.ended.add(shard_id)
            return []
        records: list[dict[str, Any]] = response.get("Records", [])
        if records:
            self.after[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]
        self._iterators[shard_id] = response.get("NextShardIterator")
        if self._iterators[shard_id] is None:
            self.ended.add(shard_id)
        return records

    def _iterator(self, shard_id: str) -> str | None:
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": shard_id}
        after = self.after.get(shard_id)
        if after:
            kwargs.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=after)
        else:
            kwargs["ShardIteratorType"] = self.start
        iterator: str | None = self.streams.get_shard_iterator(**kwargs).get("ShardIterator")
        return iterator
