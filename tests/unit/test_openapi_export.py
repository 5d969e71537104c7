from pathlib import Path

from accolade_local.openapi import generate, render

ROOT = Path(__file__).resolve().parents[2]


def test_committed_openapi_document_matches_the_routes() -> None:
    committed = (ROOT / "docs/openapi.json").read_text()

    assert committed == render(generate()), "docs/openapi.json is stale: run `make openapi`"


def test_validation_errors_are_documented_in_the_contract_shape() -> None:
    document = generate()

    error = document["components"]["schemas"]["HTTPValidationError"]
    assert error["required"] == ["error"]
    assert set(error["properties"]["error"]["required"]) == {"code", "message", "details"}
