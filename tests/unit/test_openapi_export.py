from pathlib import Path

from accolade_local.handlers import openapi_document, openapi_json

ROOT = Path(__file__).resolve().parents[2]


def test_committed_openapi_document_matches_the_routes() -> None:
    committed = (ROOT / "docs/openapi.json").read_text()

    assert committed == openapi_json(openapi_document()), (
        "docs/openapi.json is stale: run `make openapi`"
    )


def test_validation_errors_are_documented_in_the_contract_shape() -> None:
    document = openapi_document()

    error = document["components"]["schemas"]["HTTPValidationError"]
    assert error["required"] == ["error"]
    assert set(error["properties"]["error"]["required"]) == {"code", "message", "details"}


def test_an_achievement_patch_takes_each_create_field_optionally_and_nothing_else() -> None:
    schemas = openapi_document()["components"]["schemas"]
    create, patch = schemas["AchievementIn"], schemas["AchievementPatch"]

    assert "required" not in patch
    assert patch["additionalProperties"] is False
    assert set(patch["properties"]) == set(create["properties"])
    for name, field in create["properties"].items():
        expected = {k: v for k, v in field.items() if k != "default"}
        if "anyOf" not in expected:
            title = expected.pop("title", None)
            expected = {
                "anyOf": [expected, {"type": "null"}],
                **({"title": title} if title else {}),
            }
        assert patch["properties"][name] == expected, name


def test_every_operation_has_a_summary_a_description_and_its_success_described() -> None:
    for path, item in openapi_document()["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary") and operation["summary"] != where, where
            assert operation.get("description"), where
            assert operation.get("tags"), where
            successes = [s for s in operation["responses"] if str(s).startswith("2")]
            assert successes, where
            for status in successes:
                described = operation["responses"][status]["description"]
                assert described != "Successful Response", where
