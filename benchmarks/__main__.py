"""`python -m benchmarks` (`make bench`): measure, print one markdown report, write it into the
README between the bench markers. Every process it starts is stopped before it exits."""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from benchmarks import report
from benchmarks.throughput import Bench, open_bench

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = (
    "throughput",
    "page",
    "ties",
    "firstcall",
    "credentials",
    "coldstart",
    "latency",
    "closing",
    "exports",
)
# These share one DynamoDB Local + moto.
IN_BENCH = ("throughput", "page", "ties", "firstcall", "credentials", "exports")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)

    def size(option: str, variable: str, default: int, help: str) -> None:
        """Sizes come from BENCH_* variables when set (iterate small, run the full thing once)."""
        value = int(os.environ.get(variable, default))
        parser.add_argument(option, type=int, default=value, help=f"{help} [{variable}]")

    size(
        "--events", "BENCH_EVENTS", 1000, "events of the batch-100 run (issue 9's workload: 1,000)"
    )
    size("--users", "BENCH_USERS", 200, "users")
    size("--events-10", "BENCH_EVENTS_10", 500, "events of the batch-10 run, at most --events")
    size("--events-1", "BENCH_EVENTS_1", 100, "events of the batch-1 run, at most --events")
    parser.add_argument("--achievements", type=int, default=20)
    parser.add_argument(
        "--no-naive", action="store_true", help="skip the naive baseline (no units comparison)"
    )
    parser.add_argument(
        "--page-awards",
        default=os.environ.get("BENCH_PAGE_AWARDS", "100,5000"),
        help="awards held by the users of the achievements-page run [BENCH_PAGE_AWARDS]",
    )
    size("--page-runs", "BENCH_PAGE_RUNS", 10, "calls of each user's page")
    fresh = "fresh interpreters per"
    size("--first-call-runs", "BENCH_FIRST_CALL_RUNS", 9, f"{fresh} handler, first invocation")
    size("--tie-users", "BENCH_TIE_USERS", 10_000, "users tied on the top score")
    size("--tie-runs", "BENCH_TIE_RUNS", 3, "runs of the tie (fresh users each run)")
    size("--import-runs", "BENCH_IMPORT_RUNS", 5, f"{fresh} module (cold start, first invocation)")
    size("--requests", "BENCH_REQUESTS", 300, "timed GETs")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smaller run (300 events, 100 users, 1,000 tied users, 3 import runs, 100 GETs)",
    )
    size("--certificates", "BENCH_CERTIFICATES", 50, "certificates rendered and issued")
    size("--sequence-awards", "BENCH_SEQUENCE_AWARDS", 100, "awards on one sequence per run")
    size("--closing-tenants", "BENCH_CLOSING_TENANTS", 1000, "tenants the hourly job closes")
    size("--export-rows", "BENCH_EXPORT_ROWS", 100_000, "awards exported from DynamoDB Local")
    parser.add_argument(
        "--export-generated",
        default=os.environ.get("BENCH_EXPORT_GENERATED", "100000,1000000"),
        help="rows of the exports made from generated awards [BENCH_EXPORT_GENERATED]",
    )
    parser.add_argument(
        "--only", choices=SECTIONS, action="append", help="run only this section (repeatable)"
    )
    parser.add_argument("--no-readme", action="store_true", help="print only; leave README.md")
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.users = min(args.events, 300), min(args.users, 100)
        args.events_10, args.events_1 = min(args.events_10, 300), min(args.events_1, 60)
        args.import_runs, args.requests = min(args.import_runs, 3), min(args.requests, 100)
        args.tie_users, args.page_runs = min(args.tie_users, 1000), min(args.page_runs, 5)
        args.first_call_runs = min(args.first_call_runs, 2)
        args.closing_tenants = min(args.closing_tenants, 100)
        args.export_rows, args.export_generated = min(args.export_rows, 10_000), "10000,100000"
    return args


@contextlib.contextmanager
def quiet_stdout() -> Iterator[TextIO]:
    """Send fds 1 and 2 (ours and the children's: handlers log JSON there) to a log file; yields
    a stream to the real stdout for progress lines. An exception is reported after restoring."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    log_dir = ROOT / ".local"
    log_dir.mkdir(exist_ok=True)
    with (log_dir / "bench.log").open("ab") as log:
        for fd in saved:
            os.dup2(log.fileno(), fd)
        real = os.fdopen(os.dup(saved[1]), "w", buffering=1)
        try:
            yield real
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)
            real.close()


def _stop_on_sigterm(signum: int, _frame: object) -> None:
    # Unwinds the `with` blocks, so the emulators and workers started so far are stopped.
    raise SystemExit(128 + signum)


def _in_bench(
    bench: Bench, args: argparse.Namespace, wanted: set[str], say: Callable[[str], None]
) -> list[list[str]]:
    """The sections that run against the bench's DynamoDB Local, in this process."""
    sections: list[list[str]] = []
    if "throughput" in wanted:
        from benchmarks.throughput import run_throughput

        runs = [(100, args.events), (10, min(args.events_10, args.events))]
        runs.append((1, min(args.events_1, args.events)))
        results = run_throughput(
            bench,
            runs,
            users=args.users,
            achievements=args.achievements,
            naive=not args.no_naive,
            out=say,
        )
        sections.append(report.throughput_section(bench.backend, results, args.achievements))
        sections.append(report.units_section(results))
        for line in report.units_verdicts(results):
            say(f"  {line}")
    if "page" in wanted:
        from benchmarks import awards_page

        holdings = [int(n) for n in args.page_awards.split(",")]
        page = awards_page.measure(bench, holdings, args.page_runs, out=say)
        sections.append(report.page_section(page))
    if "ties" in wanted:
        from benchmarks import ties

        tie_runs = ties.measure(bench, args.tie_users, args.tie_runs, out=say)
        sections.append(report.ties_section(tie_runs))
    if "firstcall" in wanted:
        from benchmarks import first_call

        baseline, rows = first_call.measure(
            function_envs=bench.function_envs,
            endpoints=bench.local_env,
            dynamodb_host=bench.endpoint,
            table_name=bench.table_name,
            runs=args.first_call_runs,
            out=say,
        )
        sections.append(report.first_call_section(baseline, rows, args.first_call_runs))
    if "credentials" in wanted:
        from benchmarks import credentials

        made, raced = credentials.measure(bench, args.certificates, args.sequence_awards, out=say)
        sections.append(credentials.render(made, raced, bench.backend))
    if "exports" in wanted:
        from benchmarks import exports

        generated = [int(n) for n in args.export_generated.split(",") if n]
        export_runs = exports.measure(bench, args.export_rows, generated, out=say)
        sections.append(exports.render(export_runs))
    return sections


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    wanted = set(args.only or SECTIONS)
    command = (
        "make bench"
        if argv is None and not sys.argv[1:]
        else shlex.join(
            [".venv/bin/python", "-m", "benchmarks", *(sys.argv[1:] if argv is None else argv)]
        )
    )
    machine = report.Machine.now()
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    sections: list[list[str]] = []
    with quiet_stdout() as out:

        def say(line: str) -> None:
            print(line, file=out, flush=True)

        say(
            f"benchmarks: {', '.join(s for s in SECTIONS if s in wanted)} (logs in .local/bench.log)"
        )
        if wanted & set(IN_BENCH):
            with open_bench() as bench:
                sections += _in_bench(bench, args, wanted, say)
        if "coldstart" in wanted:
            from benchmarks import coldstart

            baseline, rows = coldstart.measure(args.import_runs, out=say)
            sections.append(report.coldstart_section(baseline, rows, args.import_runs))
        if "latency" in wanted:
            from benchmarks import latency

            result = latency.measure(
                requests=args.requests,
                warmup=20 if args.quick else 30,
                events=400 if args.quick else 1000,
                out=say,
            )
            sections.append(report.latency_section(result))
        if "closing" in wanted:
            from benchmarks import closing

            say(f"  closing: {args.closing_tenants:,} tenants, then 10 and 10,000 users ...")
            figures = closing.measure(args.closing_tenants)
            sections.append(closing.render(figures).splitlines())
    text = report.document(command, machine, started_at, time.perf_counter() - started, sections)
    print()
    print(text)
    if not args.no_readme:
        report.write_readme(ROOT / "README.md", text)
        print(f"written between the bench markers of {ROOT / 'README.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
