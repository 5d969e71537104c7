"""Certificates and sequences (issue 11): how fast certificates render and what a PDF weighs;
how many awards per second one sequence numbers when writers race for it.

On the bench's DynamoDB Local and moto S3: certificates are issued by the service the
generate_certificates function runs (render with fpdf2 + segno, put to S3, mark the award), one
after another in this process; the render alone is timed too. Then W writers (threads) give
awards of one achievement numbered by one sequence at once, each its share; the sequence item
is the hot spot: every award's transaction moves it on a condition, a lost race retries. The
DynamoDB requests are counted on the client (TransactWriteItems per award shows the retries).
"""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from benchmarks.throughput import Bench

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("Ελένη Παπαδοπούλου", "Дмитрий Иванов", "Zoë Ångström", "Alice Example")


@dataclass(frozen=True)
class Certificates:
    count: int
    render_per_s: float
    issue_per_s: float
    bytes_median: int
    bytes_max: int


@dataclass(frozen=True)
class Contention:
    writers: int
    awards: int
    seconds: float
    transactions: int
    gap_free: bool

    @property
    def per_s(self) -> float:
        return self.awards / self.seconds if self.seconds else 0.0


def measure(
    bench: Bench,
    certificates: int = 50,
    awards: int = 100,
    writers: Sequence[int] = (1, 10, 50),
    out: Callable[[str], None] = print,
) -> tuple[Certificates, list[Contention]]:
    out(f"  credentials: {certificates} certificates, {awards} awards by 1/10/50 writers ...")
    made = _certificates(bench, certificates)
    raced = [_contention(bench, awards, n) for n in writers]
    return made, raced


def _setup(bench: Bench, certificate: bool) -> tuple[str, str]:
    from accolade.bootstrap import inject
    from accolade.services import admin, credentials

    c = bench.container
    tenant_id = f"cred-{uuid.uuid4().hex[:8]}"
    inject(credentials.put_sequence, c)(
        tenant_id,
        {
            "sequence_id": "cpr",
            "name": "CPR",
            "padding": 5,
            "event_format": "CPR-{{year}}-{{sequence_number}}",
        },
    )
    definition = {
        "name": "Basic Life Support",
        "type": "manual",
        "sequence_id": "cpr",
        "certificate": certificate,
        "validity": {"amount": 5, "unit": "year"},
    }
    return tenant_id, inject(admin.create_achievement, c)(tenant_id, definition).achievement_id


def _give(bench: Bench, tenant_id: str, achievement_id: str, user_id: str) -> Any:
    from accolade.bootstrap import inject
    from accolade.services import awards

    gift = awards.Gift(user_id)
    give = inject(awards.give_award, bench.container)
    return give(tenant_id, achievement_id, gift, given_by="bench")


def _certificates(bench: Bench, count: int) -> Certificates:
    from accolade.adapters.pdf import PdfCertificateRenderer
    from accolade.bootstrap import inject
    from accolade.domain.certificates import CertificateContent
    from accolade.domain.models import UserProfile
    from accolade.services.certificates import issue_certificate

    c = bench.container
    renderer = PdfCertificateRenderer(ROOT / "functions" / "generate_certificates" / "fonts")
    tenant_id, achievement_id = _setup(bench, certificate=True)
    given = []
    for i in range(count):
        user_id = f"u{i:04d}"
        c.users.put_user(tenant_id, UserProfile(user_id=user_id, display_name=NAMES[i % 4]))
        given.append(_give(bench, tenant_id, achievement_id, user_id))
    renderer.render(CertificateContent("warm", "up", 1, given[0].awarded_at))  # fonts parsed
    started = time.perf_counter()
    sizes = [
        len(
            renderer.render(
                CertificateContent(
                    NAMES[i % 4],
                    "Basic Life Support",
                    1,
                    a.awarded_at,
                    a.valid_until,
                    a.identifier,
                    f"https://api.example/v1/verify/{a.identifier}?tenant=t",
                )
            )
        )
        for i, a in enumerate(given)
    ]
    render_s = time.perf_counter() - started
    issue = inject(issue_certificate, c)
    started = time.perf_counter()
    for award in given:
        issue(tenant_id, award, renderer=renderer, public_base_url="https://api.example")
    issue_s = time.perf_counter() - started
    return Certificates(
        count,
        count / render_s,
        count / issue_s,
        int(statistics.median(sizes)),
        max(sizes),
    )


def _contention(bench: Bench, awards: int, writers: int) -> Contention:
    tenant_id, achievement_id = _setup(bench, certificate=False)
    start = threading.Barrier(writers)
    given: list[Any] = []
    errors: list[BaseException] = []

    def write(w: int) -> None:
        start.wait()
        for i in range(w, awards, writers):
            try:
                given.append(_give(bench, tenant_id, achievement_id, f"w{i:05d}"))
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    with bench.counter.measure() as requests:
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
    numbers = sorted(int(a.identifier.rsplit("-", 1)[1]) for a in given)
    return Contention(
        writers,
        len(given),
        seconds,
        requests["TransactWriteItems"],
        not errors and numbers == list(range(1, awards + 1)),
    )


def render(made: Certificates, raced: Sequence[Contention], backend: str) -> list[str]:
    lines = [
        f"**Certificates** ({backend} + moto S3, one process; fpdf2 + segno, DejaVu Sans "
        "embedded as a subset): rendered alone, and issued as generate_certificates does "
        "(render, S3 put, conditional mark on the award)",
        "",
        "| certificates | rendered / s | issued / s | PDF size (median) | PDF size (max) |",
        "| ---: | ---: | ---: | ---: | ---: |",
        f"| {made.count} | {made.render_per_s:.1f} | {made.issue_per_s:.1f} | "
        f"{made.bytes_median / 1024:.1f} KiB | {made.bytes_max / 1024:.1f} KiB |",
        "",
        f"**Awards on one sequence under contention** ({backend}; each award's transaction moves "
        "the sequence item on a condition, a lost race reads it again and retries)",
        "",
        "| writers | awards | awards / s | TransactWriteItems per award | numbers 1..n, no gap |",
        "| ---: | ---: | ---: | ---: | --- |",
    ]
    lines += [
        f"| {r.writers} | {r.awards} | {r.per_s:.1f} | {r.transactions / max(r.awards, 1):.2f} | "
        f"{'yes' if r.gap_free else '**no**'} |"
        for r in raced
    ]
    return lines
