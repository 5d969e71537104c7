"""Awards exports with the fakes: the CSV, the filters, and the job's attempts (redelivered,
crashed, failed, taken over)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any

import pytest

from accolade.adapters.dynamo import keys
from accolade.domain.errors import InvalidInputError, NotFoundError
from accolade.domain.exports import (
    COLUMNS,
    MAX_ATTEMPTS,
    Export,
    ExportFilters,
    ExportStatus,
    csv_row,
    spreadsheet_safe,
)
from accolade.domain.models import Award, AwardStatus, UserProfile
from accolade.ports import PageRequest
from accolade.services import exports
from benchmarks.exports import event_award
from tests.fakes import FakeContainer
from tests.unit.builders import OTHER_TENANT, TENANT, at, event_achievement, wired

START = at("2026-03-02T09:00:00Z")


class Crash(BaseException):
    """The process stopped mid-job (a timeout, out of memory): nothing in the job catches it."""


def award(achievement_id: str, user_id: str, awarded_at: datetime, **fields: Any) -> Award:
    return event_award(achievement_id, user_id, "all", awarded_at, points=10, **fields)


def seed(c: FakeContainer, users: int, achievements: int = 2) -> list[Award]:
    """``users`` users in two organisations, each holding every one of ``achievements``."""
    ids = [
        event_achievement(c, f"Badge {n}", f"thing.done{n}").achievement_id
        for n in range(achievements)
    ]
    granted = []
    for n in range(users):
        user_id = f"u{n:04d}"
        c.users.put_user(
            TENANT, UserProfile(user_id=user_id, display_name=f"User {n}", org_id=f"org-{n % 2}")
        )
        for achievement_id in ids:
            given = award(achievement_id, user_id, START + timedelta(minutes=n))
            granted += c.awards.grant(TENANT, user_id, [given])
    return granted


def start(c: FakeContainer, **filters: Any) -> str:
    started = wired(exports.start_export, c, TENANT, ExportFilters(**filters), "admin-1")
    return started.export_id


def run(c: FakeContainer, export_id: str, **options: Any) -> Any:
    return wired(exports.run_export, c, TENANT, export_id, **options)


def stored(c: FakeContainer, export_id: str) -> Export:
    found = c.exports.get(TENANT, export_id)
    assert found is not None
    return found


def read_csv(c: FakeContainer, export_id: str) -> list[dict[str, str]]:
    body = c.export_files.files[keys.export_object_key(TENANT, export_id)]
    return list(csv.DictReader(io.StringIO(body.decode())))


def test_an_export_writes_every_award_with_its_holder_and_achievement(c: FakeContainer) -> None:
    granted = seed(c, users=30)
    export_id = start(c)

    finished = run(c, export_id)

    rows = read_csv(c, export_id)
    assert finished.status is ExportStatus.DONE and finished.rows == len(granted) == 60
    assert {row["award_id"] for row in rows} == {a.award_id for a in granted}
    assert list(rows[0]) == list(COLUMNS)
    first = next(row for row in rows if row["user_id"] == "u0003")
    assert first["display_name"] == "User 3" and first["org_id"] == "org-1"
    assert first["achievement_name"].startswith("Badge ")
    assert first["status"] == "active" and first["points"] == "10"
    assert first["awarded_at"] == "2026-03-02T09:03:00Z"


def test_the_csv_is_read_in_chunks_never_whole(c: FakeContainer) -> None:
    rows = ([f"cell-{n}"] * len(COLUMNS) for n in range(20_000))

    chunks = list(exports.csv_chunks(rows))

    assert len(chunks) > 10
    assert max(len(chunk) for chunk in chunks) < 2 * exports.CHUNK_BYTES
    parsed = list(csv.reader(io.StringIO(b"".join(chunks).decode())))
    assert parsed[0] == list(COLUMNS) and len(parsed) == 20_001


def test_filters_narrow_by_achievement_organisation_and_date(c: FakeContainer) -> None:
    granted = seed(c, users=10)
    achievement_id = granted[0].achievement_id
    window = {
        "awarded_from": START + timedelta(minutes=2),
        "awarded_to": START + timedelta(minutes=5),
    }
    export_id = start(c, achievement_id=achievement_id, org_id="org-0", **window)

    run(c, export_id)

    rows = read_csv(c, export_id)
    assert [(row["user_id"], row["achievement_id"]) for row in rows] == [
        ("u0002", achievement_id),
        ("u0004", achievement_id),
    ]


def test_the_status_filter_is_the_status_shown_when_the_job_reads(c: FakeContainer) -> None:
    a1 = event_achievement(c, "A", "a.done").achievement_id
    active = c.awards.grant(TENANT, "u1", [award(a1, "u1", START)])[0]
    lapsed = award(a1, "u2", START, valid_until=START + timedelta(days=1))
    c.awards.grant(TENANT, "u2", [lapsed])
    revoked = c.awards.grant(TENANT, "u3", [award(a1, "u3", START)])[0]
    c.awards.revoke(TENANT, revoked, reason="fraud", at=START + timedelta(hours=1))
    c.clock.set(START + timedelta(days=3))
    wanted = {status: start(c, status=status) for status in AwardStatus}

    for export_id in wanted.values():
        run(c, export_id)

    users = {s: [row["user_id"] for row in read_csv(c, e)] for s, e in wanted.items()}
    assert users == {
        AwardStatus.ACTIVE: ["u1"],
        AwardStatus.EXPIRED: ["u2"],
        AwardStatus.REVOKED: ["u3"],
    }
    [row] = read_csv(c, wanted[AwardStatus.REVOKED])
    assert row["revoked_at"] == "2026-03-02T10:00:00Z"
    assert active.award_id == read_csv(c, wanted[AwardStatus.ACTIVE])[0]["award_id"]


def test_from_after_to_is_refused_naming_to(c: FakeContainer) -> None:
    with pytest.raises(InvalidInputError) as refused:
        start(c, awarded_from=START, awarded_to=START - timedelta(seconds=1))

    assert refused.value.field == "to"
    assert wired(exports.list_exports, c, TENANT, page=PageRequest(10)).items == []


def test_an_unknown_achievement_is_refused_naming_it(c: FakeContainer) -> None:
    with pytest.raises(InvalidInputError) as refused:
        start(c, achievement_id="nope")

    assert refused.value.field == "achievement_id"


def test_cells_a_spreadsheet_would_run_are_written_as_text(c: FakeContainer) -> None:
    holder = UserProfile(user_id="u1", display_name='=HYPERLINK("http://evil","x")', org_id="@o")

    row = csv_row(award("a", "u1", START, note="n"), holder, "+1 Closer", START)

    cells = dict(zip(COLUMNS, row, strict=True))
    assert cells["display_name"] == '\'=HYPERLINK("http://evil","x")'
    assert cells["org_id"] == "'@o" and cells["achievement_name"] == "'+1 Closer"
    assert [spreadsheet_safe(s) for s in ("-2", "\tx", "plain")] == ["'-2", "'\tx", "plain"]


def test_a_redelivered_trigger_writes_no_second_file_nor_more_rows(c: FakeContainer) -> None:
    seed(c, users=5)
    export_id = start(c)
    first = run(c, export_id)

    again = run(c, export_id)

    assert again is None
    assert c.export_files.writes == 1
    assert stored(c, export_id).rows == first.rows == 10


def test_a_retry_after_a_crash_rewrites_the_one_file_and_counts_rows_once(c: FakeContainer) -> None:
    seed(c, users=400, achievements=5)
    export_id = start(c)
    c.export_files.fail_after_chunks, c.export_files.failure = 2, Crash()

    with pytest.raises(Crash):
        run(c, export_id, progress_rows=100)
    midway = stored(c, export_id)
    c.export_files.fail_after_chunks = None
    finished = run(c, export_id, progress_rows=100)

    assert midway.status is ExportStatus.RUNNING and 0 < midway.rows < 2000
    assert finished.status is ExportStatus.DONE and finished.rows == 2000 and finished.attempts == 2
    assert len(read_csv(c, export_id)) == 2000
    assert list(c.export_files.files) == [keys.export_object_key(TENANT, export_id)]


def test_a_job_that_fails_is_marked_failed_with_its_reason(c: FakeContainer) -> None:
    seed(c, users=3)
    export_id = start(c)
    c.export_files.fail_after_chunks = 1

    failed = run(c, export_id)

    assert failed.status is ExportStatus.FAILED
    assert failed.error == "OSError: injected S3 failure"
    assert c.export_files.files == {}
    assert wired(exports.export_link, c, TENANT, failed) is None


def test_an_export_that_keeps_crashing_is_failed_after_its_last_attempt(c: FakeContainer) -> None:
    seed(c, users=3)
    export_id = start(c)
    c.export_files.fail_after_chunks, c.export_files.failure = 1, Crash()
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(Crash):
            run(c, export_id)

    last = run(c, export_id)

    assert last.status is ExportStatus.FAILED and "3 attempts" in (last.error or "")
    assert c.export_files.writes == MAX_ATTEMPTS


def test_an_attempt_whose_claim_was_taken_over_stops_without_marking(c: FakeContainer) -> None:
    seed(c, users=1000)
    export_id = start(c)
    original_write = c.export_files.write

    def taken_over_midway(tenant_id: str, export: str, chunks: Any) -> None:
        def stream() -> Any:
            for number, chunk in enumerate(chunks):
                if number == 1:
                    c.exports.claim(TENANT, export_id, "another-attempt")
                yield chunk

        original_write(tenant_id, export, stream())

    c.export_files.write = taken_over_midway  # type: ignore[method-assign,assignment]

    outcome = run(c, export_id, progress_rows=10)

    assert outcome is None
    after = stored(c, export_id)
    assert after.status is ExportStatus.RUNNING and after.attempts == 2
    assert c.export_files.files == {}


def test_an_export_of_another_tenant_is_not_found(c: FakeContainer) -> None:
    export_id = start(c)

    with pytest.raises(NotFoundError):
        wired(exports.get_export, c, OTHER_TENANT, export_id)
    assert wired(exports.run_export, c, OTHER_TENANT, export_id) is None


def test_a_finished_export_links_its_file_for_fifteen_minutes(c: FakeContainer) -> None:
    seed(c, users=1)
    export_id = start(c)
    done = run(c, export_id)

    link = wired(exports.export_link, c, TENANT, done)

    assert link == f"https://documents.example/exports/{TENANT}/{export_id}.csv?expires_in=900"
