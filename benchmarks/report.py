"""The benchmark's markdown: one document printed and written between the README markers."""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.awards_page import TARGET_RATIO as PAGE_TARGET_RATIO
from benchmarks.awards_page import PageTiming
from benchmarks.coldstart import ImportTime
from benchmarks.first_call import TARGET_RATIO as FIRST_CALL_TARGET_RATIO
from benchmarks.first_call import FirstCall
from benchmarks.latency import Latency
from benchmarks.throughput import Phase, RunResult
from benchmarks.ties import TARGET_QUERIES, TieRun

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
TARGET_REQUESTS_PER_EVENT = 0.25  # end to end at batch 100 (issue 9)
TARGET_WRU_RATIO = 1.0  # Accolade / naive at batch 100 (issue 9)
# DynamoDB on-demand list prices, us-east-1 (see benchmarks/README.md for the source).
USD_PER_MILLION_WRU = 0.625
USD_PER_MILLION_RRU = 0.125


@dataclass(frozen=True)
class Machine:
    nproc: int
    python: str
    load: str
    platform: str

    @classmethod
    def now(cls) -> Machine:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        return cls(
            os.cpu_count() or 0, platform.python_version(), load, platform.platform(terse=True)
        )


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> list[str]:
    marks = [("---" if (align[i : i + 1] or "r") == "l" else "---:") for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def throughput_section(backend: str, results: Sequence[RunResult], achievements: int) -> list[str]:
    if not results:
        return []
    users = results[0].users
    lines = [
        f"**Ingest + evaluate** ({backend}, in memory; one tenant per row: {achievements} "
        f"achievements over 5 metrics, {users} users with Zipf-like activity over 28 days; "
        "requests counted from botocore's `before-send` events)",
        "",
    ]
    rows = []
    for r in results:
        e2e = r.end_to_end
        rows.append(
            [
                str(r.batch_size),
                f"{r.ingest.events:,}",
                f"{r.active_users}",
                f"{r.awards:,}",
                f"{r.ingest.per_second:,.0f}",
                f"{r.ingest.per_event:.3f}",
                f"{r.evaluate.per_second:,.0f}",
                f"{r.evaluate.per_event:.3f}",
                f"{e2e.per_second:,.0f}",
                f"**{e2e.per_event:.3f}**",
            ]
        )
    lines += _table(
        [
            "batch",
            "events",
            "active users",
            "awards",
            "ingest ev/s",
            "ingest req/ev",
            "evaluate ev/s",
            "evaluate req/ev",
            "end-to-end ev/s",
            "end-to-end req/ev",
        ],
        rows,
    )
    lines += ["", "DynamoDB requests per event, by operation (ingest / evaluate):", ""]
    operations = sorted({op for r in results for op in (*r.ingest.requests, *r.evaluate.requests)})
    op_rows = []
    for op in operations:
        row = [f"`{op}`"]
        for r in results:
            row.append(
                f"{r.ingest.requests[op] / r.ingest.events:.3f} / "
                f"{r.evaluate.requests[op] / r.evaluate.events:.3f}"
            )
        op_rows.append(row)
    lines += _table(["operation", *[f"batch {r.batch_size}" for r in results]], op_rows, "l")
    me_ops = results[0].me_requests
    lines += [
        "",
        f"`GET /v1/me/achievements` (its service, for the most active user of the batch-100 tenant) "
        f"sends {sum(me_ops.values())} DynamoDB requests: "
        + ", ".join(f"{n} `{op}`" for op, n in sorted(me_ops.items()))
        + ".",
    ]
    failures = sum(r.ingest.failures + r.evaluate.failures for r in results)
    counted = sum(
        sum(r.ingest.requests.values()) + sum(r.evaluate.requests.values()) for r in results
    )
    audited = sum(r.audit_calls for r in results)
    lines += [
        "",
        f"Events not accepted or reported as batch item failures: {failures}. "
        f"Requests counted {counted:,}; DynamoDB API calls seen process-wide {audited:,}"
        + (
            " (every call was counted)."
            if counted == audited
            else " (SDK retries or an unhooked client: see benchmarks/README.md)."
        ),
    ]
    return lines


def coldstart_section(baseline: ImportTime, rows: Sequence[ImportTime], runs: int) -> list[str]:
    lines = [
        f"**Cold start**: import time of each handler module in a fresh interpreter (median of {runs}; "
        "Lambda-like env, tracing on), next to `import boto3` alone",
        "",
    ]
    body = [
        [
            f"`{baseline.name}`",
            f"{baseline.median_ms:.0f}",
            "1.0",
            "yes",
            ", ".join(f"{n} {ms:.0f}" for n, ms in baseline.heaviest),
        ]
    ]
    for row in rows:
        body.append(
            [
                f"`{row.name}`",
                f"{row.median_ms:.0f}",
                f"{row.median_ms / baseline.median_ms:.1f}",
                "yes" if row.imports_boto3 else "no",
                ", ".join(f"{n} {ms:.0f}" for n, ms in row.heaviest),
            ]
        )
    lines += _table(
        [
            "module",
            "import ms",
            "handler / boto3",
            "loads boto3",
            "heaviest packages (self ms, -X importtime)",
        ],
        body,
        "lrrll",
    )
    return lines


def latency_section(result: Latency) -> list[str]:
    lines = [
        "**GET /v1/me/achievements** through the local stack (gateway + JWT check + api worker + "
        f"DynamoDB Local), {result.requests} sequential requests after warm-up, one keep-alive connection",
        "",
    ]
    lines += _table(
        ["achievements", "user's awards", "body bytes", "p50 ms", "p90 ms", "p99 ms", "max ms"],
        [
            [
                str(result.achievements),
                str(result.user_awards),
                f"{result.body_bytes:,}",
                f"{result.p50_ms:.1f}",
                f"{result.p90_ms:.1f}",
                f"{result.p99_ms:.1f}",
                f"{result.max_ms:.1f}",
            ]
        ],
    )
    return lines


def document(
    command: str,
    machine: Machine,
    started: datetime,
    seconds: float,
    sections: Sequence[list[str]],
) -> str:
    lines = [
        f"`{command}` on {started.astimezone(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{machine.nproc} CPUs (nproc), Python {machine.python}, {machine.platform}; "
        f"load average at start {machine.load}; took {seconds:.0f} s.",
    ]
    for section in sections:
        if section:
            lines += ["", *section]
    return "\n".join(lines) + "\n"


def write_readme(readme: Path, text: str) -> None:
    """Replace what is between the bench markers (creating a README of just them if needed)."""
    current = readme.read_text(encoding="utf-8") if readme.exists() else f"{START}\n{END}\n"
    if START not in current or END not in current:
        current = current.rstrip("\n") + f"\n\n{START}\n{END}\n"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    replaced = pattern.sub(lambda _: f"{START}\n{text}{END}", current, count=1)
    readme.write_text(replaced, encoding="utf-8")


# --- issue 9: units, the achievements page, ties, first invocation ---------------------------


def usd_per_million_events(phase: Phase) -> float:
    return phase.wru_per_event * USD_PER_MILLION_WRU + phase.rru_per_event * USD_PER_MILLION_RRU


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"


def _met(ok: bool) -> str:
    return "met" if ok else "**NOT met**"


def _transaction_index_wru(phase: Phase) -> float:
    """Index writes made inside transactions: every index write but the counters' (counters are
    written by plain PartiQL statements; awards, ledgers, wallets, summaries in transactions)."""
    return sum(
        units
        for (entity, where), units in phase.units.wru_by.items()
        if where != "table" and entity != "counter"
    )


def units_verdicts(results: Sequence[RunResult]) -> list[str]:
    """One line per issue 9 target that the throughput runs decide (printed while running)."""
    first = results[0]
    e2e = first.end_to_end
    lines = [
        f"target <= {TARGET_REQUESTS_PER_EVENT} requests/event end to end at batch "
        f"{first.batch_size}: {e2e.per_event:.3f} ({_met(e2e.per_event <= TARGET_REQUESTS_PER_EVENT)})"
    ]
    if first.naive is not None:
        ratio = e2e.wru_per_event / first.naive.wru_per_event
        lines.append(
            f"target <= {TARGET_WRU_RATIO:.1f}x naive WRU/event at batch {first.batch_size}: "
            f"{ratio:.2f}x ({_met(ratio <= TARGET_WRU_RATIO)})"
        )
    return [line.replace("**", "") for line in lines]


def units_section(results: Sequence[RunResult]) -> list[str]:
    """Accolade (ingest + evaluate) next to the naive baseline, per batch size, and where the
    units go."""
    if not results or results[0].naive is None:
        return []
    lines = [
        "**DynamoDB units per event** (issue 9; same runs as above): write and read units computed "
        "from the item sizes of every request by `benchmarks/units.py` (DynamoDB's size rules; "
        "transactions 2x; index maintenance included; checked against DynamoDB Local on "
        "single-item requests by `tests/integration/test_unit_meter.py`). The naive baseline "
        "(`benchmarks/naive.py`: per event an idempotency put + complete, one UpdateItem ADD per "
        "counter, a GetItem per counter it needs, a conditional put per award + a wallet ADD) "
        "processes the same events in its own tenant and must end in the same counters, awards and "
        "wallet balances (checked, or the benchmark fails). $ at on-demand list prices, us-east-1: "
        f"${USD_PER_MILLION_WRU} per million WRU, ${USD_PER_MILLION_RRU} per million RRU.",
        "",
    ]
    rows = []
    for r in results:
        if r.naive is None:
            continue
        ours, naive = r.end_to_end, r.naive
        rows.append(
            [
                str(r.batch_size),
                "Accolade",
                f"{ours.wru_per_event:.2f}",
                f"{ours.rru_per_event:.2f}",
                f"{ours.per_event:.3f}",
                f"${usd_per_million_events(ours):.2f}",
            ]
        )
        rows.append(
            [
                str(r.batch_size),
                "naive",
                f"{naive.wru_per_event:.2f}",
                f"{naive.rru_per_event:.2f}",
                f"{naive.per_event:.3f}",
                f"${usd_per_million_events(naive):.2f}",
            ]
        )
        rows.append(
            [
                str(r.batch_size),
                "**Accolade / naive**",
                f"**{_ratio(ours.wru_per_event, naive.wru_per_event)}**",
                _ratio(ours.rru_per_event, naive.rru_per_event),
                _ratio(ours.per_event, naive.per_event),
                f"**{_ratio(usd_per_million_events(ours), usd_per_million_events(naive))}**",
            ]
        )
    lines += _table(
        ["batch", "design", "WRU/event", "RRU/event", "requests/event", "$ per million events"],
        rows,
        "rl",
    )
    first = results[0]
    assert first.naive is not None
    e2e = first.end_to_end
    ratio = e2e.wru_per_event / first.naive.wru_per_event
    lines += [
        "",
        f"Targets at batch {first.batch_size}: WRU/event <= {TARGET_WRU_RATIO:.1f}x naive: "
        f"measured {ratio:.2f}x ({_met(ratio <= TARGET_WRU_RATIO)}); requests/event <= "
        f"{TARGET_REQUESTS_PER_EVENT}: measured {e2e.per_event:.3f} "
        f"({_met(e2e.per_event <= TARGET_REQUESTS_PER_EVENT)}). Both designs reached the same end "
        f"state ({first.awards:,} awards). Transactions cancelled: "
        f"{sum(r.end_to_end.units.cancelled for r in results)}. Accolade's transactions (the "
        "ingest's conditional puts, the grants) cost 2x on the table; counters are plain "
        "conditional writes (PartiQL statements, 25 a request). The meter counts an index write "
        "inside a transaction once (see benchmarks/README.md); counted twice, Accolade would cost "
        f"{(e2e.units.total_wru + _transaction_index_wru(e2e)) / e2e.events:.2f} WRU/event "
        f"({(e2e.units.total_wru + _transaction_index_wru(e2e)) / e2e.events / first.naive.wru_per_event:.2f}x "
        "naive).",
        "",
        f"Where the units go at batch {first.batch_size}, per event (WRU by item written and where "
        "— the table or an index; RRU by item read and operation; `(missing)` = a read of an item "
        "that does not exist, which costs a unit too):",
        "",
    ]
    tallies = (first.ingest.units, first.evaluate.units, first.naive.units)
    events = first.ingest.events

    def unit_rows(kind: str, label: str) -> list[list[str]]:
        """A row per item (and where or how) of the WRU or RRU, Accolade's largest first; a total."""
        by = [getattr(tally, f"{kind}_by") for tally in tallies]
        keys = sorted({*by[0], *by[1], *by[2]}, key=lambda k: -(by[0].get(k, 0) + by[1].get(k, 0)))
        totals = [getattr(tally, f"total_{kind}") for tally in tallies]
        return [
            *([label.format(*key), *(f"{b.get(key, 0) / events:.2f}" for b in by)] for key in keys),
            [f"**total {kind.upper()}**", *(f"{total / events:.2f}" for total in totals)],
        ]

    lines += _table(
        ["units per event", "Accolade ingest", "Accolade evaluate", "naive"],
        unit_rows("wru", "{} ({})") + unit_rows("rru", "{} (`{}`)"),
        "l",
    )
    return lines


def page_section(timings: Sequence[PageTiming]) -> list[str]:
    if not timings:
        return []
    lines = [
        "**GET /v1/me/achievements by awards held** (issue 9): its service "
        "(`accolade.services.me.my_achievements`) in-process against DynamoDB Local, for users of "
        f"one tenant (20 achievements) holding different numbers of awards; p50 of "
        f"{timings[0].runs} calls after a warm-up call",
        "",
    ]
    rows = [
        [
            f"{t.awards:,}",
            f"{t.p50_ms:.1f}",
            f"{t.max_ms:.1f}",
            str(t.requests),
            f"{t.rru:g}",
        ]
        for t in timings
    ]
    lines += _table(["awards held", "p50 ms", "max ms", "requests", "RRU"], rows)
    if len(timings) >= 2:
        ratio = timings[-1].p50_ms / timings[0].p50_ms
        lines += [
            "",
            f"p50 with {timings[-1].awards:,} awards / with {timings[0].awards:,}: **{ratio:.2f}x** "
            f"(target <= {PAGE_TARGET_RATIO}x: {_met(ratio <= PAGE_TARGET_RATIO)}).",
        ]
    return lines


def ties_section(runs: Sequence[TieRun]) -> list[str]:
    if not runs:
        return []
    lines = [
        f"**Winner selection with {runs[0].users:,} users tied on the top score** (issue 9): the "
        "select_winners handler with the tenant's WinnersQueue message for the closed week; two "
        "random users reached the score first at the same moment, the lower user id must win",
        "",
    ]
    rows = [
        [
            str(i + 1),
            str(r.leaderboard_queries),
            ", ".join(f"{index} {n}" for index, n in sorted(r.queries.items())),
            f"{r.rru:g}",
            f"`{r.picked}`",
            f"`{r.expected}`",
            "yes" if r.correct else "**no**",
        ]
        for i, r in enumerate(runs)
    ]
    lines += _table(
        [
            "run",
            "leaderboard queries",
            "all queries (by index)",
            "RRU",
            "picked",
            "expected",
            "right winner",
        ],
        rows,
        "rrlrllr",
    )
    right = sum(r.correct for r in runs)
    single = all(r.leaderboard_queries <= TARGET_QUERIES for r in runs)
    lines += [
        "",
        f"Right winner in {right} of {len(runs)} runs; target: the right winner in "
        f"{TARGET_QUERIES} query: {_met(right == len(runs) and single)}.",
    ]
    return lines


def first_call_section(baseline: FirstCall, rows: Sequence[FirstCall], runs: int) -> list[str]:
    lines = [
        "**First invocation** (issue 9): import + initialisation + the first request of each "
        f"handler with its sample event from `events/`, in a fresh interpreter (median of {runs}; "
        "Lambda-like env: `LAMBDA_TASK_ROOT`, the template's variables, tracing on), next to "
        "`import boto3` + a client + one GetItem, against DynamoDB Local. The two *libraries only* "
        "rows are the floor under Accolade's code: the same libraries imported, Powertools' "
        "Logger, Metrics and Tracer around the handler, a pydantic model validated, a client and "
        "one GetItem (the HTTP one through Powertools' resolver with one validated route); no "
        "Accolade module. The handlers (and the floors) pause the garbage collector until the "
        "first call returns (`accolade.coldstart`); the baseline does not",
        "",
    ]
    body = [[f"`{baseline.name}`", f"{baseline.median_ms:.0f}", "", "1", "1.0", ""]]
    for row in rows:
        ratio = row.median_ms / baseline.median_ms
        body.append(
            [
                f"`{row.name}`",
                f"{row.median_ms:.0f}",
                "" if row.reference else f"{row.import_ms:.0f}",
                str(row.dynamodb_requests),
                f"{ratio:.1f}",
                "(floor)" if row.reference else _met(ratio <= FIRST_CALL_TARGET_RATIO),
            ]
        )
    lines += _table(
        [
            "first invocation",
            "ms",
            "of which import ms",
            "DynamoDB requests",
            "/ boto3 baseline",
            f"target <= {FIRST_CALL_TARGET_RATIO}x",
        ],
        body,
        "lrrrrl",
    )
    return lines
