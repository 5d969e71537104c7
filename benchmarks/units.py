"""DynamoDB write and read units per request, computed from DynamoDB's item size rules.

On-demand tables bill request units, not requests. DynamoDB Local's ConsumedCapacity is right
for single-item requests but reports one item's units for a whole TransactWriteItems, so the
benchmark computes units itself, in a botocore hook on every client it is attached to:

- ``before-parameter-build.dynamodb`` keeps the request's parameters (typed AttributeValues);
- ``before-call.dynamodb`` reads, with an uncounted strongly consistent BatchGetItem on a
  separate client, the items a write is about to change (their size before the write);
- ``after-call.dynamodb`` (fired with the parsed response, also for errors) reads the items an
  update changed (their size after) and charges the request.

The rules (AWS Developer Guide: "DynamoDB item sizes and formats", "DynamoDB read and write
operations", "Global secondary indexes: writes"), all in ``Rules`` below:

- item size = sum over attributes of UTF-8 name bytes + value size: strings their UTF-8 bytes,
  numbers 1 byte per two significant digits + 1 (digits paired on the decimal point, leading
  and trailing zeros trimmed; + 1 for a negative number), binary its raw bytes, null and
  boolean 1, lists and maps 3 + 1 per element + the elements (a map element counts its name);
- a write costs ceil(size / 1 KB) WRU, at least 1: PutItem the larger of the replaced item and
  the new one, UpdateItem the larger of the item before and after, DeleteItem the deleted
  item; BatchWriteItem each item on its own; a write whose condition fails still costs the
  larger of the existing item and the one proposed (an update's proposal is unknown: the
  existing item is taken), and writes no index;
- TransactWriteItems costs 2x per item (prepare + commit), a ConditionCheck too (on the item
  it reads); a cancelled transaction is charged the same way on its items, without indexes;
- each global secondary index the item is projected into costs the index entry's units
  (index keys + table keys + projected attributes, rounded per 1 KB): a put when the item
  enters the index, a delete when it leaves it, a delete + a put when an index key changes,
  one write when only projected attributes change, nothing when the entry is unchanged or the
  item is not in the index. Index writes are not doubled inside a transaction (only the table
  arm is; measured against DynamoDB by the dynoxide conformance work, nubo-db/dynoxide#188);
- a read costs ceil(size / 4 KB) RRU, at least 1 (a missing item too), half when eventually
  consistent, 2x in TransactGetItems; the whole item counts whatever the projection;
  BatchGetItem rounds each item; Query and Scan sum the sizes of the items (or index entries)
  they read, before any filter, and round the sum once per page.

Where a projection or a filter hides what was read, the hook reads it again uncounted (the full
item by key; a Query / Scan page replayed without filter or projection). The extra reads go to
a client without hooks and are marked so the process-wide call audit skips them. The benchmark
is sequential, so nothing changes an item between the hook's read and the write.
"""

from __future__ import annotations

import decimal
import json
import math
import re
import threading
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

WRITE_UNIT = 1024
READ_UNIT = 4096
Item = Mapping[str, Any]  # a DynamoDB item in the wire format: {"name": {"S": "..."}}
UNCOUNTED = "_bench_uncounted"  # set on the meter's own client: CallAudit skips it

_SK_PREFIXES = {
    "CNT#": "counter",
    "AWD#": "award",
    "LEDGER#": "ledger",
    "MSG#": "message",
    "METRIC#": "metric",
    "ACH#": "achievement",
    "WIN#": "winner_slot",
    "WALLET": "wallet",
    "PROFILE": "user",
    "SETTINGS": "settings",
    "EVT#": "event",
}


# --- sizes --------------------------------------------------------------------------------------


def number_size(text: str) -> int:
    """Bytes of a DynamoDB number: base-100 digits paired on the decimal point, + 1 (+ 1 if < 0)."""
    value = Decimal(text)
    if value == 0:
        return 1
    sign, digit_tuple, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    digits = list(digit_tuple)
    while digits and digits[-1] == 0:  # trailing zeros (no normalize(): it rounds to 28 digits)
        digits.pop()
        exponent += 1
    while digits and digits[0] == 0:
        digits.pop(0)
    # Pad so that the digit string splits into pairs aligned on the decimal point.
    string = "".join(map(str, digits))
    if exponent % 2:
        string += "0"
        exponent -= 1
    if len(string) % 2:
        string = "0" + string
    pairs = [string[i : i + 2] for i in range(0, len(string), 2)]
    while pairs and pairs[0] == "00":
        pairs.pop(0)
    while pairs and pairs[-1] == "00":
        pairs.pop()
    return len(pairs) + 1 + (1 if sign else 0)


def value_size(value: Mapping[str, Any]) -> int:
    (kind, content), *_ = value.items()
    if kind == "S":
        return len(str(content).encode())
    if kind == "N":
        return number_size(str(content))
    if kind == "B":
        return len(_raw(content))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(str(s).encode()) for s in content)
    if kind == "NS":
        return sum(number_size(str(n)) for n in content)
    if kind == "BS":
        return sum(len(_raw(b)) for b in content)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in content)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(v) for k, v in content.items())
    raise ValueError(f"unknown attribute type {kind}")


def _raw(content: Any) -> bytes:
    if isinstance(content, bytes | bytearray):
        return bytes(content)
    import base64

    return base64.b64decode(content)  # the wire format carries binary as base64


def item_size(item: Item | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / WRITE_UNIT))


def read_units(size: int) -> int:
    return max(1, math.ceil(size / READ_UNIT))


def label(item: Item | None, key: Item | None = None) -> str:
    """The entity of an item (its `entity` attribute, else guessed from its sort key)."""
    found = (item or {}).get("entity") or {}
    if "S" in found:
        return str(found["S"])
    sk = ((item or key or {}).get("SK") or {}).get("S")
    if sk is not None:
        for prefix, name in _SK_PREFIXES.items():
            if str(sk).startswith(prefix):
                return name
    return "other"


# --- table schema -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, ...]
    projection: str  # ALL, KEYS_ONLY, INCLUDE
    include: tuple[str, ...] = ()

    def entry(self, item: Item | None, table_keys: tuple[str, ...]) -> dict[str, Any] | None:
        """The item's entry in this index, None when the item lacks an index key (sparse)."""
        if not item or any(k not in item for k in self.keys):
            return None
        if self.projection == "ALL":
            return dict(item)
        names = {*self.keys, *table_keys, *(self.include if self.projection == "INCLUDE" else ())}
        return {name: value for name, value in item.items() if name in names}


@dataclass(frozen=True)
class Schema:
    keys: tuple[str, ...]
    indexes: tuple[Index, ...]

    @classmethod
    def from_description(cls, table: Mapping[str, Any]) -> Schema:
        indexes = tuple(
            Index(
                gsi["IndexName"],
                tuple(k["AttributeName"] for k in gsi["KeySchema"]),
                gsi["Projection"]["ProjectionType"],
                tuple(gsi["Projection"].get("NonKeyAttributes", ())),
            )
            for gsi in table.get("GlobalSecondaryIndexes", ())
        )
        return cls(tuple(k["AttributeName"] for k in table["KeySchema"]), indexes)

    def key(self, item: Item) -> dict[str, Any]:
        return {name: item[name] for name in self.keys}

    def index_writes(self, before: Item | None, after: Item | None) -> list[tuple[str, int]]:
        """(index, WRU) of the index maintenance a change from ``before`` to ``after`` costs."""
        out: list[tuple[str, int]] = []
        for index in self.indexes:
            old, new = index.entry(before, self.keys), index.entry(after, self.keys)
            if (old is None and new is None) or old == new:
                continue
            if old is None:
                units = write_units(item_size(new))
            elif new is None:
                units = write_units(item_size(old))
            elif any(old[k] != new[k] for k in index.keys):
                units = write_units(item_size(old)) + write_units(item_size(new))
            else:
                units = write_units(max(item_size(old), item_size(new)))
            out.append((index.name, units))
        return out


# --- what was charged ---------------------------------------------------------------------------


K = TypeVar("K", bound=Hashable)


class Tally(dict[K, float]):
    """Units by key (a Counter of floats: units come in halves)."""

    def add(self, key: K, units: float) -> None:
        self[key] = self.get(key, 0.0) + units

    def update_from(self, other: Mapping[K, float], sign: float = 1.0) -> None:
        for key, units in other.items():
            self.add(key, sign * units)

    def combined(self, other: Mapping[K, float], sign: float = 1.0) -> Tally[K]:
        out: Tally[K] = Tally(self)
        out.update_from(other, sign)
        return Tally({k: v for k, v in out.items() if v})


@dataclass
class Usage:
    """Units and requests, by operation and by (entity, where: table or index name)."""

    requests: Counter[str] = field(default_factory=Counter)
    wru: Tally[str] = field(default_factory=Tally)  # by operation
    rru: Tally[str] = field(default_factory=Tally)  # by operation
    wru_by: Tally[tuple[str, str]] = field(default_factory=Tally)  # (entity, table|index name)
    rru_by: Tally[tuple[str, str]] = field(default_factory=Tally)  # (entity, operation)
    cancelled: int = 0  # transactions cancelled (charged as documented above)
    failed_conditions: int = 0  # single-item writes whose condition failed
    queries: Counter[str] = field(default_factory=Counter)  # Query requests by index ("table")
    index_rru: Tally[str] = field(default_factory=Tally)  # RRU of Query / Scan by index

    @property
    def total_wru(self) -> float:
        return sum(self.wru.values())

    @property
    def total_rru(self) -> float:
        return sum(self.rru.values())

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    def _combined(self, other: Usage, sign: int) -> Usage:
        def counts(a: Counter[str], b: Counter[str]) -> Counter[str]:
            out = Counter(a)
            out.update({k: sign * v for k, v in b.items()})
            return Counter({k: v for k, v in out.items() if v})

        return Usage(
            counts(self.requests, other.requests),
            self.wru.combined(other.wru, sign),
            self.rru.combined(other.rru, sign),
            self.wru_by.combined(other.wru_by, sign),
            self.rru_by.combined(other.rru_by, sign),
            self.cancelled + sign * other.cancelled,
            self.failed_conditions + sign * other.failed_conditions,
            counts(self.queries, other.queries),
            self.index_rru.combined(other.index_rru, sign),
        )

    def copy(self) -> Usage:
        return self._combined(Usage(), 1)

    def __sub__(self, other: Usage) -> Usage:
        return self._combined(other, -1)

    def __add__(self, other: Usage) -> Usage:
        return self._combined(other, 1)

    def fill(self, other: Usage) -> None:
        self.requests.update(other.requests)
        self.wru.update_from(other.wru)
        self.rru.update_from(other.rru)
        self.wru_by.update_from(other.wru_by)
        self.rru_by.update_from(other.rru_by)
        self.cancelled += other.cancelled
        self.failed_conditions += other.failed_conditions
        self.queries.update(other.queries)
        self.index_rru.update_from(other.index_rru)


@dataclass(frozen=True)
class Call:
    """One DynamoDB request as botocore saw it, with the items it touched before and after."""

    client: Any
    operation: str
    params: Mapping[str, Any]
    parsed: Mapping[str, Any]
    before: Mapping[str, Mapping[str, Item]]
    after: Mapping[str, Mapping[str, Item]]


@dataclass
class Charge:
    """One request's units (what the hook computed for it)."""

    operation: str
    wru: float = 0.0
    rru: float = 0.0
    wru_by: Tally[tuple[str, str]] = field(default_factory=Tally)
    rru_by: Tally[tuple[str, str]] = field(default_factory=Tally)
    index_wru: Tally[str] = field(default_factory=Tally)  # by index name
    index_rru: Tally[str] = field(default_factory=Tally)  # by index name

    def write(self, entity: str, where: str, units: float) -> None:
        self.wru += units
        self.wru_by.add((entity, where), units)
        if where != "table":
            self.index_wru.add(where, units)

    def read(self, entity: str, units: float, index: str | None = None) -> None:
        self.rru += units
        self.rru_by.add((entity, self.operation), units)
        if index is not None:
            self.index_rru.add(index, units)


# --- the meter ----------------------------------------------------------------------------------

_PARAMS = "bench_unit_params"
_BEFORE = "bench_unit_before"


class UnitMeter:
    """Computes the WRU / RRU of every DynamoDB request of the clients it is attached to."""

    def __init__(self) -> None:
        self.usage = Usage()
        self.last: Charge | None = None  # the last request's charge (tests compare it)
        self._clients: dict[int, Any] = {}
        self._probes: dict[tuple[str, str], Any] = {}
        self._schemas: dict[str, Schema] = {}
        self._lock = threading.RLock()
        self._paused = False
        # Item images the meter has read or computed, by (table, key): None = known absent.
        self._images: dict[tuple[str, str], Item | None] = {}

    # attaching ---------------------------------------------------------------------------------

    def attach(self, clients: Iterable[Any]) -> None:
        for client in clients:
            if id(client) in self._clients:
                continue
            events = client.meta.events
            events.register("before-parameter-build.dynamodb", self._on_params)
            events.register("before-call.dynamodb", self._on_before)
            events.register("after-call.dynamodb", self._on_after)
            self._clients[id(client)] = client

    def detach(self) -> None:
        for client in self._clients.values():
            events = client.meta.events
            events.unregister("before-parameter-build.dynamodb", self._on_params)
            events.unregister("before-call.dynamodb", self._on_before)
            events.unregister("after-call.dynamodb", self._on_after)
        self._clients.clear()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Neither read nor charge inside the block (set-up writes: the meter's reads are slow)."""
        self._paused = True
        try:
            yield
        finally:
            self._paused = False
            self.forget()

    def forget(self) -> None:
        """Drop the item images the meter keeps. Call it after writing to the table through a
        client the meter is not attached to (it keeps the image of every item it saw written,
        so that it reads each item once instead of before every write)."""
        with self._lock:
            self._images.clear()

    def image(self, table: str, key: Item) -> Item | None:
        """The meter's idea of an item now (tests compare it with the table)."""
        return self._images.get((table, _key_id(key)))

    def snapshot(self) -> Usage:
        with self._lock:
            return self.usage.copy()

    @contextmanager
    def measure(self) -> Iterator[Usage]:
        """The usage of the requests sent inside the block (filled in when the block ends)."""
        before = self.snapshot()
        delta = Usage()
        try:
            yield delta
        finally:
            delta.fill(self.snapshot() - before)

    # the probe: an unhooked client for the reads the meter needs -------------------------------

    def _probe(self, client: Any) -> Any:
        key = (client.meta.endpoint_url, client.meta.region_name)
        probe = self._probes.get(key)
        if probe is None:
            import botocore.session
            from botocore.config import Config

            probe = botocore.session.get_session().create_client(
                "dynamodb",
                endpoint_url=key[0],
                region_name=key[1],
                aws_access_key_id="local",
                aws_secret_access_key="local",
                config=Config(retries={"max_attempts": 8, "mode": "standard"}),
            )
            setattr(probe, UNCOUNTED, True)
            self._probes[key] = probe
        return probe

    def schema(self, client: Any, table: str) -> Schema:
        found = self._schemas.get(table)
        if found is None:
            described = self._probe(client).describe_table(TableName=table)["Table"]
            found = self._schemas[table] = Schema.from_description(described)
        return found

    def _get_many(self, client: Any, table: str, keys: list[Item]) -> dict[str, Item]:
        """Full items by key (strongly consistent, uncounted), keyed by their canonical key."""
        found: dict[str, Item] = {}
        unique = {_key_id(k): k for k in keys}
        pending = list(unique.values())
        probe = self._probe(client)
        while pending:
            chunk, pending = pending[:100], pending[100:]
            request: dict[str, Any] = {table: {"Keys": chunk, "ConsistentRead": True}}
            while request:
                answer = probe.batch_get_item(RequestItems=request)
                schema = self.schema(client, table)
                for item in answer.get("Responses", {}).get(table, []):
                    found[_key_id(schema.key(item))] = item
                request = answer.get("UnprocessedKeys") or {}
        return found

    # hooks -------------------------------------------------------------------------------------

    def _on_params(self, params: Mapping[str, Any], context: dict[str, Any], **_: Any) -> None:
        if self._paused:
            return
        context[_PARAMS] = json.loads(json.dumps(params, default=_bytes_default))

    def _on_before(self, model: Any, context: dict[str, Any], **kwargs: Any) -> None:
        params = context.get(_PARAMS)
        client = self._client_of(kwargs)
        if params is None or client is None:
            return
        targets = self._targets(client, model.name, params)
        context[_BEFORE] = self._read(
            client, [(t, k) for t, k, kind, _ in targets if kind != "put-new"]
        )

    def _on_after(
        self, model: Any, parsed: Mapping[str, Any], context: dict[str, Any], **kwargs: Any
    ) -> None:
        params = context.pop(_PARAMS, None)
        client = self._client_of(kwargs)
        if params is None or client is None:
            return
        before: dict[str, dict[str, Item]] = context.pop(_BEFORE, {})
        error = (parsed.get("Error") or {}).get("Code")
        targets = self._targets(client, model.name, params)
        if model.name == "BatchExecuteStatement" and not error:
            targets, refused = _split_by_answer(targets, parsed.get("Responses") or [])
            late = self._read(client, [(t, k) for t, k, kind, _ in refused if kind == "put-new"])
            for table, items in late.items():
                before.setdefault(table, {}).update(items)
        after: dict[str, dict[str, Item]] = {}
        if error in ("ConditionalCheckFailedException", "TransactionCanceledException"):
            # Nothing was written: the puts that skipped the read before can read now.
            late = self._read(client, [(t, k) for t, k, kind, _ in targets if kind == "put-new"])
            for table, items in late.items():
                before.setdefault(table, {}).update(items)
        elif not error:
            after = self._after_updates(client, targets, before)
            self._remember(targets, after)
        elif targets:
            self.forget()  # an unexpected error: what was written is unknown
        charge = self.charge(Call(client, model.name, params, parsed, before, after))
        with self._lock:
            self.last = charge
            self.usage.requests[model.name] += 1
            if charge.wru:
                self.usage.wru.add(model.name, charge.wru)
            if charge.rru:
                self.usage.rru.add(model.name, charge.rru)
            self.usage.wru_by.update_from(charge.wru_by)
            self.usage.rru_by.update_from(charge.rru_by)
            self.usage.index_rru.update_from(charge.index_rru)
            if model.name == "Query":
                self.usage.queries[params.get("IndexName", "table")] += 1
            if error == "TransactionCanceledException":
                self.usage.cancelled += 1
            elif error == "ConditionalCheckFailedException":
                self.usage.failed_conditions += 1

    def _targets(
        self, client: Any, operation: str, params: Mapping[str, Any]
    ) -> list[tuple[str, Item, str, Any]]:
        """(table, key, kind, request body) of every item a write may change; kind says what to
        read when: a put conditioned on its key not existing cannot replace anything, so it is
        read only if the condition fails (``put-new``)."""
        out: list[tuple[str, Item, str, Any]] = []
        for table, body, kind in _write_targets(operation, params):
            schema = self.schema(client, table)
            if kind == "put":
                new = _creates_only(body, schema)
                out.append((table, schema.key(body["Item"]), "put-new" if new else "put", body))
            else:
                out.append((table, body["Key"], kind, body))
        return out

    def _read(self, client: Any, wanted: Sequence[tuple[str, Item]]) -> dict[str, dict[str, Item]]:
        """Items by table and key id, from the images kept, else read (and kept)."""
        out: dict[str, dict[str, Item]] = {}
        missing: dict[str, list[Item]] = {}
        for table, key in wanted:
            kid = _key_id(key)
            if (table, kid) in self._images:
                known = self._images[(table, kid)]
                if known is not None:
                    out.setdefault(table, {})[kid] = known
            else:
                missing.setdefault(table, []).append(key)
        for table, keys in missing.items():
            found = self._get_many(client, table, keys)
            for key in keys:
                kid = _key_id(key)
                self._images[(table, kid)] = found.get(kid)
                if kid in found:
                    out.setdefault(table, {})[kid] = found[kid]
        return out

    def _after_updates(
        self,
        client: Any,
        targets: list[tuple[str, Item, str, Any]],
        before: Mapping[str, Mapping[str, Item]],
    ) -> dict[str, dict[str, Item]]:
        """The items updates produced: computed from the image before and the update
        expression when it is a plain one (SET to a value, ADD, REMOVE), else read."""
        after: dict[str, dict[str, Item]] = {}
        unknown: list[tuple[str, Item]] = []
        for table, key, kind, body in targets:
            if kind != "update":
                continue
            kid = _key_id(key)
            try:
                item = apply_update(before.get(table, {}).get(kid), key, body)
            except UnsupportedUpdateError:
                self._images.pop((table, kid), None)
                unknown.append((table, key))
                continue
            after.setdefault(table, {})[kid] = item
        for table, items in self._read(client, unknown).items():
            after.setdefault(table, {}).update(items)
        return after

    def _client_of(self, kwargs: Mapping[str, Any]) -> Any:
        # botocore does not pass the client to these events; one endpoint serves every attached
        # client, so any of them reaches the same tables.
        del kwargs
        return next(iter(self._clients.values()), None)

    def _remember(
        self, targets: list[tuple[str, Item, str, Any]], after: Mapping[str, Mapping[str, Item]]
    ) -> None:
        for table, key, kind, body in targets:
            kid = _key_id(key)
            if kind in ("put", "put-new"):
                self._images[(table, kid)] = body["Item"]
            elif kind == "delete":
                self._images[(table, kid)] = None
            elif kind == "update":
                self._images[(table, kid)] = after.get(table, {}).get(kid)

    def charge(self, call: Call) -> Charge:
        charge, operation = Charge(call.operation), call.operation
        error = (call.parsed.get("Error") or {}).get("Code")
        if error and error not in (
            "ConditionalCheckFailedException",
            "TransactionCanceledException",
        ):
            return charge  # validation errors, throttling: no units
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            self._single_write(call, charge, operation, call.params, failed=bool(error))
        elif operation == "BatchWriteItem":
            self._batch_write(call, charge)
        elif operation == "TransactWriteItems":
            self._transact_write(call, charge, cancelled=bool(error))
        elif operation == "BatchExecuteStatement":
            self._statements(call, charge)
        elif operation == "GetItem":
            self._get(call, charge)
        elif operation == "BatchGetItem":
            self._batch_get(call, charge)
        elif operation == "TransactGetItems":
            self._transact_get(call, charge)
        elif operation in ("Query", "Scan"):
            self._query(call, charge)
        return charge

    def _single_write(
        self,
        call: Call,
        charge: Charge,
        operation: str,
        params: Mapping[str, Any],
        *,
        failed: bool,
        factor: int = 1,
        with_indexes: bool = True,
    ) -> None:
        """One item written by `operation` with `params`: the request's own, or one entry of a
        batch or transaction."""
        table = params["TableName"]
        schema = self.schema(call.client, table)
        key = params["Key"] if "Key" in params else schema.key(params["Item"])
        old = call.before.get(table, {}).get(_key_id(key))
        if operation == "PutItem":
            new: Item | None = params["Item"]
        elif operation == "DeleteItem" or failed:
            new = old if operation == "UpdateItem" else None
        else:
            new = call.after.get(table, {}).get(_key_id(key))
        entity = label(new or old, key)
        if failed:
            size = max(item_size(old), item_size(params.get("Item")))
            charge.write(entity, "table", factor * write_units(size))
            return
        size = max(item_size(old), item_size(new))
        charge.write(entity, "table", factor * write_units(size))
        if with_indexes:
            for index, units in schema.index_writes(old, new):
                charge.write(entity, index, units)

    def _batch_write(self, call: Call, charge: Charge) -> None:
        unprocessed = call.parsed.get("UnprocessedItems") or {}
        for table, requests in call.params["RequestItems"].items():
            skipped = {json.dumps(r, sort_keys=True) for r in unprocessed.get(table, [])}
            for request in requests:
                if json.dumps(request, sort_keys=True) in skipped:
                    continue
                if "PutRequest" in request:
                    single = {"TableName": table, "Item": request["PutRequest"]["Item"]}
                    self._single_write(call, charge, "PutItem", single, failed=False)
                else:
                    single = {"TableName": table, "Key": request["DeleteRequest"]["Key"]}
                    self._single_write(call, charge, "DeleteItem", single, failed=False)

    def _statements(self, call: Call, charge: Charge) -> None:
        """Each statement of a BatchExecuteStatement is billed as the single write it is; one
        that failed (its condition, or an INSERT of an existing item) like a failed condition."""
        answers = call.parsed.get("Responses") or []
        for statement, answer in zip(call.params["Statements"], answers, strict=True):
            _, body, kind = partiql_write(statement)
            operation = "PutItem" if kind == "put" else "UpdateItem"
            failed = "Error" in answer
            self._single_write(call, charge, operation, body, failed=failed)

    def _transact_write(self, call: Call, charge: Charge, *, cancelled: bool) -> None:
        operations = {
            "Put": "PutItem",
            "Update": "UpdateItem",
            "Delete": "DeleteItem",
            "ConditionCheck": "ConditionCheck",
        }
        for entry in call.params["TransactItems"]:
            (kind, body), *_ = entry.items()
            operation = operations[kind]
            if operation == "ConditionCheck":
                table = body["TableName"]
                old = call.before.get(table, {}).get(_key_id(body["Key"]))
                charge.write(label(old, body["Key"]), "table", 2 * write_units(item_size(old)))
                continue
            self._single_write(
                call,
                charge,
                operation,
                body,
                failed=cancelled,
                factor=2,
                with_indexes=not cancelled,
            )

    def _get(self, call: Call, charge: Charge) -> None:
        params = call.params
        table, key = params["TableName"], params["Key"]
        item = call.parsed.get("Item")
        if item and _projected(params):
            item = self._read(call.client, [(table, key)]).get(table, {}).get(_key_id(key))
        factor = 1.0 if params.get("ConsistentRead") else 0.5
        charge.read(_read_label(item, key), factor * read_units(item_size(item)))

    def _batch_get(self, call: Call, charge: Charge) -> None:
        responses = call.parsed.get("Responses") or {}
        unprocessed = call.parsed.get("UnprocessedKeys") or {}
        for table, request in call.params["RequestItems"].items():
            schema = self.schema(call.client, table)
            factor = 1.0 if request.get("ConsistentRead") else 0.5
            returned = {_key_id(schema.key(item)): item for item in responses.get(table, [])}
            if returned and _projected(request):
                wanted = [(table, schema.key(i)) for i in returned.values()]
                returned = self._read(call.client, wanted).get(table, {})
            skipped = {_key_id(k) for k in (unprocessed.get(table) or {}).get("Keys", [])}
            for key in request["Keys"]:
                kid = _key_id(key)
                if kid in skipped:
                    continue
                item = returned.get(kid)
                charge.read(_read_label(item, key), factor * read_units(item_size(item)))

    def _transact_get(self, call: Call, charge: Charge) -> None:
        answers = call.parsed.get("Responses") or []
        for entry, answer in zip(call.params["TransactItems"], answers, strict=False):
            get = entry["Get"]
            item = answer.get("Item")
            if item and _projected(get):
                item = self._get_many(call.client, get["TableName"], [get["Key"]]).get(
                    _key_id(get["Key"])
                )
            charge.read(_read_label(item, get["Key"]), 2 * read_units(item_size(item)))

    def _query(self, call: Call, charge: Charge) -> None:
        params = call.params
        items = call.parsed.get("Items") or []
        hidden = (
            _projected(params)
            or "FilterExpression" in params
            or "QueryFilter" in params
            or "ScanFilter" in params
            or params.get("Select") not in (None, "ALL_ATTRIBUTES", "ALL_PROJECTED")
        )
        if hidden:
            replay = {
                k: v
                for k, v in params.items()
                if k
                not in (
                    "FilterExpression",
                    "QueryFilter",
                    "ScanFilter",
                    "ConditionalOperator",
                    "ProjectionExpression",
                    "AttributesToGet",
                    "Select",
                    "ReturnConsumedCapacity",
                    "ExpressionAttributeNames",
                    "ExpressionAttributeValues",
                )
            }
            names, values = _used_placeholders(replay)
            if names:
                replay["ExpressionAttributeNames"] = {
                    k: v for k, v in params["ExpressionAttributeNames"].items() if k in names
                }
            if values:
                replay["ExpressionAttributeValues"] = {
                    k: v for k, v in params["ExpressionAttributeValues"].items() if k in values
                }
            probe = self._probe(call.client)
            read = probe.query if call.operation == "Query" else probe.scan
            items = read(**replay)["Items"]
        factor = 1.0 if params.get("ConsistentRead") else 0.5
        size = sum(item_size(item) for item in items)
        entities = sorted({label(item) for item in items}) or ["none"]
        charge.read("+".join(entities), factor * read_units(size), params.get("IndexName"))


def _read_label(item: Item | None, key: Item) -> str:
    # A read of a missing item costs a unit too; the breakdown says how many went to misses.
    return label(item, key) if item else f"{label(None, key)} (missing)"


def _projected(params: Mapping[str, Any]) -> bool:
    return "ProjectionExpression" in params or "AttributesToGet" in params


def _used_placeholders(params: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    text = " ".join(
        str(params.get(name, ""))
        for name in ("KeyConditionExpression", "KeyConditions")
        if name in params
    )
    return set(re.findall(r"#[A-Za-z0-9_]+", text)), set(re.findall(r":[A-Za-z0-9_]+", text))


def _write_targets(operation: str, params: Mapping[str, Any]) -> list[tuple[str, Any, str]]:
    """(table, request body, kind: put / update / delete / check) of each item a write touches."""
    out: list[tuple[str, Any, str]] = []
    if operation == "UpdateItem":
        out.append((params["TableName"], params, "update"))
    elif operation == "DeleteItem":
        out.append((params["TableName"], params, "delete"))
    elif operation == "PutItem":
        out.append((params["TableName"], params, "put"))
    elif operation == "BatchWriteItem":
        for table, requests in params["RequestItems"].items():
            for request in requests:
                if "PutRequest" in request:
                    out.append((table, request["PutRequest"], "put"))
                else:
                    out.append((table, request["DeleteRequest"], "delete"))
    elif operation == "TransactWriteItems":
        kinds = {"Put": "put", "Update": "update", "Delete": "delete", "ConditionCheck": "check"}
        for entry in params["TransactItems"]:
            (kind, body), *_ = entry.items()
            out.append((body["TableName"], body, kinds[kind]))
    elif operation == "BatchExecuteStatement":
        out += [partiql_write(statement) for statement in params["Statements"]]
    return out


_INSERT = re.compile(r'^INSERT INTO "([^"]+)" VALUE \{(.*)\}$', re.DOTALL)
_UPDATE = re.compile(r'^UPDATE "([^"]+)" (.*?) WHERE (.*)$', re.DOTALL)
_CLAUSE = re.compile(r'(SET|REMOVE) "([^"]+)"(?: = \?)?')
_EQUALS = re.compile(r'"([^"]+)" = \?')


class UnsupportedStatementError(ValueError):
    """A PartiQL statement of a form the meter does not read: refused, never guessed."""


def partiql_write(statement: Mapping[str, Any]) -> tuple[str, dict[str, Any], str]:
    """A PartiQL write as the equivalent PutItem / UpdateItem request (table, body, kind), for
    the two forms the engine sends: ``INSERT INTO "t" VALUE {'a': ?, ...}`` (fails when the item
    exists: a put conditioned on its key not existing) and ``UPDATE "t" SET "a" = ? ...
    REMOVE "b" ... WHERE "PK" = ? AND "SK" = ? [AND ...]``."""
    text, parameters = statement["Statement"], list(statement.get("Parameters") or [])
    if insert := _INSERT.match(text):
        names = re.findall(r"'([^']+)': \?", insert.group(2))
        body = {
            "TableName": insert.group(1),
            "Item": dict(zip(names, parameters, strict=True)),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
        return insert.group(1), body, "put"
    if update := _UPDATE.match(text):
        table, clauses, where = update.groups()
        sets: list[str] = []
        removes: list[str] = []
        values: dict[str, Any] = {}
        for verb, name in _CLAUSE.findall(clauses):
            if verb == "SET":
                values[f":v{len(values)}"] = parameters.pop(0)
                sets.append(f"{name} = :v{len(values) - 1}")
            else:
                removes.append(name)
        conditions = _EQUALS.findall(where)
        if conditions[:2] != ["PK", "SK"]:
            raise UnsupportedStatementError(text)
        expression = " ".join(
            part
            for part in (
                f"SET {', '.join(sets)}" if sets else "",
                f"REMOVE {', '.join(removes)}" if removes else "",
            )
            if part
        )
        body = {
            "TableName": table,
            "Key": {"PK": parameters[0], "SK": parameters[1]},
            "UpdateExpression": expression,
            "ExpressionAttributeValues": values,
        }
        return table, body, "update"
    raise UnsupportedStatementError(text)


_NOT_EXISTS = re.compile(r"^\s*attribute_not_exists\s*\(\s*([#\w]+)\s*\)\s*$")


def _creates_only(body: Mapping[str, Any], schema: Schema) -> bool:
    """Is this put conditioned on its key attribute not existing (so it never replaces)?"""
    match = _NOT_EXISTS.match(str(body.get("ConditionExpression", "")))
    if not match:
        return False
    name = match.group(1)
    name = (body.get("ExpressionAttributeNames") or {}).get(name, name)
    return name in schema.keys


def _split_by_answer(
    targets: list[tuple[str, Item, str, Any]], answers: Sequence[Mapping[str, Any]]
) -> tuple[list[tuple[str, Item, str, Any]], list[tuple[str, Item, str, Any]]]:
    """The targets of the statements that were written, and of those that were refused."""
    done = [t for t, answer in zip(targets, answers, strict=True) if "Error" not in answer]
    refused = [t for t, answer in zip(targets, answers, strict=True) if "Error" in answer]
    return done, refused


def _key_id(key: Item) -> str:
    return json.dumps(key, sort_keys=True)


def _bytes_default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        import base64

        return base64.b64encode(value).decode()
    raise TypeError(f"not JSON serialisable: {type(value)}")


class UnsupportedUpdateError(ValueError):
    """An update expression the meter does not evaluate (it reads the item instead)."""


_CLAUSES = re.compile(r"\b(SET|ADD|REMOVE|DELETE)\b", re.IGNORECASE)
_NUMBERS = decimal.Context(prec=40)


def apply_update(before: Item | None, key: Item, body: Mapping[str, Any]) -> dict[str, Any]:
    """The item an UpdateItem leaves, for plain expressions: SET path = :value, ADD path :value
    (numbers and sets), REMOVE path, DELETE path :set, on top-level attributes."""
    expression = body.get("UpdateExpression")
    if not expression:
        raise UnsupportedUpdateError("no UpdateExpression")
    names: Mapping[str, str] = body.get("ExpressionAttributeNames") or {}
    values: Mapping[str, Any] = body.get("ExpressionAttributeValues") or {}
    item: dict[str, Any] = dict(before) if before else dict(key)

    def name(path: str) -> str:
        path = path.strip()
        if not re.fullmatch(r"#?[A-Za-z0-9_]+", path):
            raise UnsupportedUpdateError(path)
        return names[path] if path.startswith("#") else path

    def value(operand: str) -> Any:
        operand = operand.strip()
        if operand not in values:
            raise UnsupportedUpdateError(operand)
        return values[operand]

    parts = _CLAUSES.split(expression)
    if parts[0].strip():
        raise UnsupportedUpdateError(expression)
    for action, text in zip(parts[1::2], parts[2::2], strict=True):
        if any(c in text for c in "()[]."):
            raise UnsupportedUpdateError(text)
        for clause in filter(None, (c.strip() for c in text.split(","))):
            verb = action.upper()
            if verb == "SET":
                path, equals, operand = clause.partition("=")
                if not equals:
                    raise UnsupportedUpdateError(clause)
                item[name(path)] = value(operand)
            elif verb == "REMOVE":
                item.pop(name(clause), None)
            else:
                path, _, operand = clause.partition(" ")
                attribute, delta = name(path), value(operand)
                item[attribute] = _add(item.get(attribute), delta, subtract=verb == "DELETE")
                if item[attribute] is None:
                    del item[attribute]
    return item


def _add(current: Any, delta: Mapping[str, Any], *, subtract: bool) -> Any:
    (kind, content), *_ = delta.items()
    if kind == "N" and not subtract:
        total = Decimal(content) + (Decimal(current["N"]) if current else 0)
        return {"N": _number(total)}
    if kind in ("SS", "NS", "BS"):
        existing = list(current[kind]) if current else []
        if subtract:
            remaining = [v for v in existing if v not in content]
            return {kind: remaining} if remaining else None
        return {kind: existing + [v for v in content if v not in existing]}
    raise UnsupportedUpdateError(kind)


def _number(value: Decimal) -> str:
    """A number as DynamoDB returns it: no trailing zeros, no exponent for ordinary values."""
    normal = _NUMBERS.normalize(value)
    text = format(normal, "f")
    return text
