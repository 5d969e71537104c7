"""Awards exports (issue 12): rows per second and peak memory of an export job.

Two pipelines, both through ``services.exports.run_export`` and the real S3 writer (multipart
upload of 8 MiB parts) into the bench's moto S3:

- **DynamoDB Local**: the awards and profiles are seeded (BatchWriteItem, as the adapters store
  them) and the job reads them with the real adapter (GSI1 holders, BatchGetItem of profiles).
- **generated**: the same row shape (awards and profiles made in memory, page by page, as the
  adapter hands them over) when seeding DynamoDB Local would dominate the run (a million rows
  would take it minutes): it measures the CSV writer and the S3 multipart upload alone.

Peak memory is tracemalloc's peak of Python allocations during the job (the interpreter's
baseline and the botocore models loaded before it are not counted); rows per second come from a
second run without tracemalloc, which slows allocation-heavy code.
"""

from __future__ import annotations

import concurrent.futures
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from accolade.domain.exports import Export, ExportFilters, ExportStatus
from accolade.domain.models import Award, AwardKey, UserProfile
from accolade.ports import Page

# The bench (benchmarks.throughput.Bench) is typed Any: its module is left out of the tests' mypy
# run, which reaches this module through the integration test's seeder.
Bench = Any

BASE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
WRITE_BATCH = 25  # BatchWriteItem's limit
WRITERS = 4


def event_award(
    achievement_id: str, user_id: str, period_key: str, awarded_at: datetime, **fields: Any
) -> Award:
    """A level-1 award of an event achievement (version 1): the row an export writes."""
    key = AwardKey(user_id, achievement_id, period_key, 1)
    return Award(
        award_id=key.award_id,
        user_id=user_id,
        achievement_id=achievement_id,
        achievement_type="event",
        achievement_version=1,
        level=1,
        period_key=period_key,
        awarded_at=awarded_at,
        **fields,
    )


def award_of(n: int, achievement_id: str) -> Award:
    """User n's award of ``achievement_id``: the row shape of every export measured."""
    return event_award(
        achievement_id,
        f"u{n:06d}",
        "all_time",
        BASE + timedelta(seconds=n),
        valid_until=BASE + timedelta(days=365 + n % 400),
        points=10 + n % 90,
        coins=n % 5,
    )


def profile_of(n: int) -> UserProfile:
    return UserProfile(
        user_id=f"u{n:06d}", display_name=f"Partner User {n}", org_id=f"org-{n % 97:03d}"
    )


def seed(
    bench_client: Any, table_name: str, tenant_id: str, users: int, achievement_ids: Sequence[str]
) -> float:
    """Write ``users`` profiles and each user's award of every achievement (items exactly as
    the adapters store them) with BatchWriteItem on a few threads; the seconds it took."""
    from accolade.adapters.dynamo import keys
    from accolade.adapters.dynamo.awards import _award_item
    from accolade.adapters.dynamo.models import UserItem

    def items() -> Iterator[dict[str, Any]]:
        for n in range(users):
            profile = profile_of(n)
            yield UserItem(
                keys.user_pk(tenant_id, profile.user_id),
                keys.PROFILE,
                tenant_id=tenant_id,
                doc=profile.model_dump(mode="json", exclude={"featured_award_id"}),
            ).serialize()
            for achievement_id in achievement_ids:
                yield _award_item(tenant_id, award_of(n, achievement_id)).serialize()

    def write(chunk: list[dict[str, Any]]) -> None:
        requests = [{"PutRequest": {"Item": item}} for item in chunk]
        while requests:
            answer = bench_client.batch_write_item(RequestItems={table_name: requests})
            requests = answer.get("UnprocessedItems", {}).get(table_name, [])

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(WRITERS) as pool:
        pending: set[concurrent.futures.Future[None]] = set()
        chunk: list[dict[str, Any]] = []
        for item in items():
            chunk.append(item)
            if len(chunk) == WRITE_BATCH:
                pending.add(pool.submit(write, chunk))
                chunk = []
            if len(pending) >= 4 * WRITERS:  # bounded: the seeder holds a few batches only
                done, pending = concurrent.futures.wait(
                    pending, return_when=concurrent.futures.FIRST_COMPLETED
                )
                for future in done:
                    future.result()
        if chunk:
            pending.add(pool.submit(write, chunk))
        for future in pending:
            future.result()
    return time.perf_counter() - started


def measured(job: Callable[[], Any]) -> tuple[Any, float, int]:
    """What ``job`` returned, its seconds, and tracemalloc's peak bytes while it ran."""
    tracemalloc.start()
    try:
        started = time.perf_counter()
        result = job()
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, seconds, peak


# --- the generated source: the same rows, made page by page -----------------------------------


class GeneratedAwards:
    """An ExportRepository and UserRepository over awards made on the fly (user n holds one
    award of each achievement), handed over in the adapter's pages of 100."""

    def __init__(self, users: int) -> None:
        self.users = users
        self._export: Export | None = None
        self._attempt: str | None = None

    def create(self, tenant_id: str, export: Export) -> None:
        self._export = export

    def get(self, tenant_id: str, export_id: str) -> Export | None:
        return self._export

    def exports_page(self, tenant_id: str, *, limit: int, after: str | None) -> Page[Export]:
        return Page([self._export] if self._export else [])

    def claim(self, tenant_id: str, export_id: str, attempt: str) -> Export | None:
        if self._export is None or self._export.status is not ExportStatus.RUNNING:
            return None
        self._attempt = attempt
        self._export = self._export.model_copy(update={"attempts": self._export.attempts + 1})
        return self._export

    def progress(self, tenant_id: str, export_id: str, attempt: str, rows: int) -> bool:
        return self._set(attempt, rows=rows)

    def finish(self, tenant_id: str, export_id: str, attempt: str, rows: int, at: datetime) -> bool:
        return self._set(attempt, rows=rows, status=ExportStatus.DONE, finished_at=at)

    def fail(self, tenant_id: str, export_id: str, attempt: str, error: str, at: datetime) -> bool:
        return self._set(attempt, status=ExportStatus.FAILED, error=error, finished_at=at)

    def _set(self, attempt: str, **changes: Any) -> bool:
        if self._export is None or attempt != self._attempt:
            return False
        self._export = self._export.model_copy(update=changes)
        return True

    def award_pages(
        self, tenant_id: str, achievement_ids: Sequence[str], filters: ExportFilters, now: datetime
    ) -> Iterator[list[Award]]:
        for achievement_id in achievement_ids:
            for start in range(0, self.users, 100):
                end = min(start + 100, self.users)
                yield [award_of(n, achievement_id) for n in range(start, end)]

    def get_users(self, tenant_id: str, user_ids: Any) -> dict[str, UserProfile]:
        return {u: profile_of(int(u[1:])) for u in user_ids}


@dataclass(frozen=True)
class ExportRun:
    rows: int
    source: str
    seconds: float  # without tracemalloc
    peak_bytes: int
    csv_bytes: int
    parts: int
    seed_seconds: float | None = None

    @property
    def per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _run(c: Any, tenant_id: str, *, exports: Any = None, users: Any = None) -> Export:
    from accolade.bootstrap import inject
    from accolade.services.exports import run_export, start_export

    repository = exports or c.exports
    started = start_export(
        tenant_id, ExportFilters(), "bench", exports=repository, config=c.config, clock=c.clock
    )
    done = inject(run_export, c)(
        tenant_id, started.export_id, exports=repository, users=users or c.users
    )
    assert done is not None and done.status is ExportStatus.DONE, done
    return done


def _object(bench: Bench, tenant_id: str, export_id: str) -> tuple[int, int]:
    from accolade.adapters.dynamo.keys import export_object_key

    s3 = bench.container.export_files._client
    head = s3.head_object(
        Bucket=bench.container.settings.bucket_name, Key=export_object_key(tenant_id, export_id)
    )
    etag = head["ETag"].strip('"')
    return int(head["ContentLength"]), int(etag.split("-")[1]) if "-" in etag else 1


def measure(
    bench: Bench,
    table_rows: int = 100_000,
    generated_rows: Sequence[int] = (100_000, 1_000_000),
    out: Callable[[str], None] = print,
) -> list[ExportRun]:
    """Exports of ``table_rows`` awards read from the bench's table (none: skipped), then of
    each of ``generated_rows`` generated awards (10 achievements; rows / 10 users)."""
    c = bench.container
    _run(c, f"warm-{uuid.uuid4().hex[:8]}")  # the clients and models a job builds once
    runs = []
    if table_rows:
        tenant_id, ids = _tenant(c, "exp")
        out(f"  exports: seeding {table_rows:,} awards into {bench.backend} ...")
        users = table_rows // len(ids)
        seed_seconds = seed(bench.reader, bench.table_name, tenant_id, users, ids)
        out(f"  exports: {table_rows:,} rows from {bench.backend} ...")
        runs.append(_timed(bench, tenant_id, bench.backend, seed_seconds=seed_seconds))
        out(f"    {render(runs[-1:])[-1]}")
    for rows in generated_rows:
        out(f"  exports: {rows:,} generated rows ...")
        tenant_id, ids = _tenant(c, "gen")
        source = GeneratedAwards(rows // len(ids))
        runs.append(_timed(bench, tenant_id, "generated", source=source))
        out(f"    {render(runs[-1:])[-1]}")
    return runs


def _tenant(c: Any, prefix: str, achievements: int = 10) -> tuple[str, list[str]]:
    from accolade.bootstrap import inject
    from accolade.services import admin

    tenant_id = f"{prefix}-{uuid.uuid4().hex[:8]}"
    ids = [
        inject(admin.create_achievement, c)(
            tenant_id, {"name": f"Badge {k}", "type": "event", "event_type": f"task.done{k}"}
        ).achievement_id
        for k in range(achievements)
    ]
    return tenant_id, ids


def _timed(
    bench: Bench,
    tenant_id: str,
    label: str,
    *,
    source: GeneratedAwards | None = None,
    seed_seconds: float | None = None,
) -> ExportRun:
    """A run under tracemalloc for the peak, then one without for the time."""
    c = bench.container
    _, _, peak = measured(lambda: _run(c, tenant_id, exports=source, users=source))
    started = time.perf_counter()
    done = _run(c, tenant_id, exports=source, users=source)
    seconds = time.perf_counter() - started
    size, parts = _object(bench, tenant_id, done.export_id)
    return ExportRun(done.rows, label, seconds, peak, size, parts, seed_seconds)


def render(runs: Sequence[ExportRun]) -> list[str]:
    lines = [
        "**Awards exports** (run_export in one process: awards read page by page, joined with "
        "their holders' profiles, written as CSV through an S3 multipart upload of 8 MiB parts "
        "into moto; peak = tracemalloc's peak of Python allocations during the job, from a run "
        "of its own)",
        "",
        "| rows | awards read from | rows / s | peak memory | CSV | parts | seeding |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {r.rows:,} | {r.source} | {r.per_s:,.0f} | {r.peak_bytes / 2**20:.1f} MiB | "
        f"{r.csv_bytes / 2**20:.1f} MiB | {r.parts} | "
        f"{f'{r.seed_seconds:.0f} s' if r.seed_seconds is not None else '-'} |"
        for r in runs
    ]
    return lines
