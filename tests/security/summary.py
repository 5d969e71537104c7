"""What the security suite ran, printed at the end of the session for the README to quote."""

from __future__ import annotations

from collections import Counter

FUZZ_CASES: Counter[str] = Counter()
PROBES: Counter[str] = Counter()
ROUTES_PROBED: set[str] = set()


def probe(kind: str, route: str) -> None:
    PROBES[kind] += 1
    ROUTES_PROBED.add(route)


def lines(suite: str) -> list[str]:
    out = [f"security suite ({suite})"]
    if FUZZ_CASES:
        out.append(
            f"  schemathesis: {sum(FUZZ_CASES.values())} cases over {len(FUZZ_CASES)} operations "
            "(not_a_server_error, status_code_conformance, content_type_conformance, "
            "response_schema_conformance)"
        )
    if PROBES:
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(PROBES.items()))
        out.append(
            f"  probes: {sum(PROBES.values())} requests over {len(ROUTES_PROBED)} routes ({kinds})"
        )
    return out
