"""The benchmark's markdown: one document printed and written between the README markers."""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.coldstart import ImportTime
from benchmarks.latency import Latency
from benchmarks.throughput import RunResult

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
TARGET_REQUESTS_PER_EVENT = 1.0


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
