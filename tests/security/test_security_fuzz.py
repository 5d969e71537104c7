"""Schemathesis against the OpenAPI document the running stack serves: no 5xx, responses conform.

Full form (ACCOLADE_SUITE=full): at least 1,000 cases in all; reduced form: a sample per operation.
Cases come from schemathesis' strategies run by Hypothesis directly: its lazy pytest integration
(`from_fixture`) breaks on pytest 9 (`Function._nodeid`), and the document is only known once the
stack runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.security import summary

FULL = os.environ.get("ACCOLADE_SUITE") == "full"
EXAMPLES = 60 if FULL else 5  # per operation and generation mode (positive, negative)
MIN_CASES_FULL = 1000
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    api_url: str,
    headers: dict[str, str],
) -> str | None:
    """Run one operation's cases; the first failure's report, or None."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not FULL,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case[Any]) -> None:
        summary.FUZZ_CASES[f"{case.method.upper()} {case.path}"] += 1
        case.call_and_validate(base_url=api_url, headers=headers, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        # Only a negative run can be unsatisfiable: an operation with no parameters, body or
        # security (GET /v1/health) has no invalid input to send.
        if mode is GenerationMode.NEGATIVE:
            return None
        return f"{operation.label} ({mode.value}): no valid case could be generated"
    except (Exception, BaseExceptionGroup) as exc:
        return f"{operation.label} ({mode.value}): {exc}"
    return None


def test_every_operation_answers_without_5xx_and_as_documented(
    openapi_schema: OpenApiSchema,
    api_url: str,
    token_for_route: Callable[[str], dict[str, str]],
) -> None:
    operations = []
    for result in openapi_schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operations.append(result.ok())
    assert operations, "the OpenAPI document lists no operations"

    failures = [
        failure
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (failure := _fuzz(operation, mode, api_url, token_for_route(operation.path)))
    ]

    assert not failures, "\n\n".join(failures)
    ran = sum(summary.FUZZ_CASES.values())
    print(f"schemathesis: {ran} cases over {len(operations)} operations")
    if FULL:
        assert ran >= MIN_CASES_FULL, f"only {ran} schemathesis cases ran"
