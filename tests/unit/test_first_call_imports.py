"""A handler's first call loads only what it uses (issue 9, item 5).

Each check runs in a fresh interpreter: what a module imports is decided once per process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest


def _loaded_after(code: str, *, env: dict[str, str] | None = None) -> set[str]:
    """The modules in ``sys.modules`` after running ``code`` in a new interpreter."""
    probe = textwrap.dedent(code) + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=env,
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_stream_entrypoints_import_no_service_before_their_first_record() -> None:
    loaded = _loaded_after("import accolade.entrypoints.streams")

    assert not {m for m in loaded if m.startswith("accolade.services")}
    assert not {m for m in loaded if m.startswith("accolade.adapters.dynamo.")} - {
        "accolade.adapters.dynamo.models"
    }


def test_the_bootstrap_imports_an_adapter_when_its_port_is_first_used() -> None:
    loaded = _loaded_after(
        """
        from accolade.bootstrap import AwsContainer
        from accolade.config import Settings
        AwsContainer(Settings(table_name="t", dynamodb_endpoint="http://127.0.0.1:9")).config
        """
    )

    assert "accolade.adapters.dynamo.config" in loaded
    assert "accolade.adapters.dynamo.awards" not in loaded
    assert "accolade.adapters.dynamo.inbox" not in loaded


def test_sns_and_s3_clients_come_from_the_dynamodb_connections_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # boto3's default session would be a second botocore session: the endpoint data loaded and
    # the credentials resolved again, and boto3 itself imported, on the first publication.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    loaded = _loaded_after(
        """
        import botocore.session
        sessions = []
        _init = botocore.session.Session.__init__
        def counted(self, *args, **kwargs):
            sessions.append(self)
            _init(self, *args, **kwargs)
        botocore.session.Session.__init__ = counted
        from accolade.bootstrap import AwsContainer
        from accolade.config import Settings
        c = AwsContainer(Settings(table_name="t", topic_arn="arn:aws:sns:us-east-1:0:t",
                                  bucket_name="b", dynamodb_endpoint="http://127.0.0.1:9"))
        c.notifier, c.documents, c.config
        from accolade.adapters.dynamo import models
        models.Item._get_connection().connection.client
        assert len(sessions) == 1, sessions
        """,
        env=dict(os.environ),
    )

    assert "boto3" not in loaded


@pytest.mark.parametrize(
    ("lambda_env", "traced"),
    [
        ({}, False),
        ({"LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "true"}, False),
        ({"LAMBDA_TASK_ROOT": "/var/task", "AWS_SAM_LOCAL": "true"}, False),
        ({"LAMBDA_TASK_ROOT": "/var/task"}, True),
    ],
)
def test_the_xray_sdk_is_imported_only_where_tracing_can_use_it(
    lambda_env: dict[str, str], traced: bool
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"LAMBDA_TASK_ROOT", "POWERTOOLS_TRACE_DISABLED", "AWS_SAM_LOCAL"}
    }
    loaded = _loaded_after(
        """
        from accolade.observability import tracer
        @tracer.capture_lambda_handler
        def handler(event, context):
            return {"ok": True}
        assert handler({}, None) == {"ok": True}
        """,
        env={**env, **lambda_env},
    )

    assert ("aws_xray_sdk.core" in loaded) is traced


def test_serving_a_route_needs_no_openapi_models() -> None:
    loaded = _loaded_after(
        """
        from accolade.entrypoints.http.app import build_app
        from accolade.entrypoints.http.event_routes import events
        build_app(events)
        """
    )

    assert "aws_lambda_powertools.event_handler.openapi.models" not in loaded


def test_the_ingest_function_loads_only_the_events_route_its_bodies_and_service() -> None:
    env = os.environ | {"TABLE_NAME": "t", "STAGE": "test", "POWERTOOLS_TRACE_DISABLED": "1"}
    loaded = _loaded_after(
        """
        from accolade_local.handlers import load_handler
        load_handler("ingest_events")
        """,
        env=env,
    )

    assert "accolade.entrypoints.http.event_routes" in loaded
    assert "accolade.entrypoints.http.routes" not in loaded
    assert "accolade.entrypoints.http.schemas" not in loaded
    assert {m for m in loaded if m.startswith("accolade.services.")} == {"accolade.services.ingest"}


def test_the_api_builds_the_admin_bodies_when_an_admin_route_first_validates() -> None:
    env = os.environ | {"TABLE_NAME": "t", "STAGE": "test", "POWERTOOLS_TRACE_DISABLED": "1"}
    _loaded_after(
        """
        import sys, types
        from accolade_local.handlers import load_handler
        from tests.http_events import call, claims, http_event
        api = load_handler("api")
        admin_bodies = "accolade.entrypoints.http.admin_schemas"
        assert call(api, http_event("GET", "/v1/health"))[0] == 200
        assert type(sys.modules[admin_bodies]) is not types.ModuleType, "built too early"
        status, answer = call(api, http_event(
            "PUT", "/v1/admin/settings", body={"timezone": 5}, claims=claims(admin=True)))
        assert status == 422 and answer["error"]["details"][0]["field"] == "timezone", answer
        assert type(sys.modules[admin_bodies]) is types.ModuleType
        """,
        env=env,
    )


def test_the_api_loads_the_openapi_models_only_when_the_document_or_swagger_is_asked_for() -> None:
    env = os.environ | {"TABLE_NAME": "t", "STAGE": "test", "POWERTOOLS_TRACE_DISABLED": "1"}
    loaded = _loaded_after(
        """
        from accolade_local.handlers import load_handler
        load_handler("api")
        """,
        env=env,
    )

    assert "aws_lambda_powertools.event_handler.openapi.models" not in loaded


@pytest.mark.usefixtures("fakes")
def test_the_swagger_page_is_built_on_request_over_the_served_document() -> None:
    from accolade_local.handlers import LambdaContext, load_handler
    from tests.http_events import call, http_event

    api = load_handler("api")
    response = api.lambda_handler(http_event("GET", "/v1/swagger"), LambdaContext())
    status, document = call(api, http_event("GET", "/v1/openapi.json"))

    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "text/html"
    assert "SwaggerUIBundle" in response["body"]
    assert status == 200 and '"/v1/events"' in response["body"] and document["paths"]
