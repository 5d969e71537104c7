"""What the local stack reads from template.yaml (through cfn-lint's loader and the SAM
translator), resolved to its local names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from accolade_local.streams import match_any
from accolade_local.template import LocalNames, Template, TemplateError

REPO_ROOT = Path(__file__).resolve().parents[2]
ENDPOINT = "http://127.0.0.1:5000"
FUNCTIONS = {
    "IngestEventsFunction": "ingest_events",
    "ApiFunction": "api",
    "EvaluateEventsFunction": "evaluate_events",
    "DeliverMessagesFunction": "deliver_messages",
    "GenerateCertificatesFunction": "generate_certificates",
    "SelectWinnersFunction": "select_winners",
    "ClosePeriodsFunction": "close_periods",
    "SendExpiryNoticesFunction": "send_expiry_notices",
    "PublishCredentialStatusFunction": "publish_credential_status",
    "RecordAuditFunction": "record_audit",
    "ExportAwardsFunction": "export_awards",
}


# Variables a function adds to the Globals' (resolved to local names).
OWN_ENV = {
    "ClosePeriodsFunction": {
        "WINNERS_QUEUE_URL": f"{ENDPOINT}/000000000000/accolade-local-WinnersQueue"
    },
    # The PublicBaseUrl parameter's default: the local gateway.
    "DeliverMessagesFunction": {"PUBLIC_BASE_URL": "http://127.0.0.1:3000"},
    "GenerateCertificatesFunction": {"PUBLIC_BASE_URL": "http://127.0.0.1:3000"},
    "ApiFunction": {
        "PUBLIC_BASE_URL": "http://127.0.0.1:3000",
        "ISSUER_KMS_KEY": "alias/accolade-local-issuer-keys",
        "BADGES_BUCKET_NAME": "accolade-local-badgesbucket",
    },
}


@pytest.fixture(scope="module")
def template() -> Template:
    return Template(REPO_ROOT / "template.yaml")


@pytest.fixture
def names() -> LocalNames:
    return LocalNames(aws_endpoint=ENDPOINT)


def _sam_property(template: Template, logical_id: str, *path: str) -> Any:
    value: Any = template.sam["Resources"][logical_id]["Properties"]
    for key in path:
        value = value[key]
    return value


def test_local_names() -> None:
    names = LocalNames()
    assert names.physical("Table") == f"{names.prefix}-Table"
    assert names.bucket_name("DocumentsBucket") == f"{names.prefix}-documentsbucket"
    assert names.topic_arn("AwardsTopic") == (
        f"arn:aws:sns:{names.region}:{names.account}:{names.prefix}-AwardsTopic"
    )
    url = names.with_endpoint(ENDPOINT + "/").queue_url("Q")
    assert url == f"{ENDPOINT}/{names.account}/{names.prefix}-Q"
    with pytest.raises(TemplateError):
        names.queue_url("Q")


def test_intrinsics_resolve_to_local_names(template: Template, names: LocalNames) -> None:
    assert template.resolve({"Ref": "Table"}, names) == names.table_name()
    assert template.resolve({"Ref": "AwardsTopic"}, names) == names.topic_arn("AwardsTopic")
    assert template.resolve({"Ref": "StreamFailuresQueue"}, names) == (
        names.queue_url("StreamFailuresQueue")
    )
    assert template.resolve({"Ref": "DocumentsBucket"}, names) == (
        names.bucket_name("DocumentsBucket")
    )
    assert template.resolve({"Fn::GetAtt": ["StreamFailuresQueue", "Arn"]}, names) == (
        names.queue_arn("StreamFailuresQueue")
    )
    table_arn = names.arn("dynamodb", f"table/{names.table_name()}")
    assert template.resolve({"Fn::Sub": "${Table.Arn}/index/GSI1"}, names) == (
        f"{table_arn}/index/GSI1"
    )
    assert template.resolve({"Fn::Sub": "${AWS::StackName}-x-${!Literal}"}, names) == (
        f"{names.prefix}-x-${{Literal}}"
    )
    assert template.resolve({"Fn::Sub": ["${A}-${Stage}", {"A": "a"}]}, names) == "a-dev"


def test_parameters_and_conditions_follow_overrides(template: Template) -> None:
    protection = {"Fn::If": ["IsProd", True, False]}
    prod = Template(REPO_ROOT / "template.yaml", params={"Stage": "prod"})

    assert template.resolve({"Ref": "Stage"}) == "dev"
    assert prod.resolve({"Ref": "Stage"}) == "prod"
    assert template.resolve(protection) is False
    assert prod.resolve(protection) is True


def test_unknown_reference_is_an_error(template: Template) -> None:
    with pytest.raises(TemplateError, match="NoSuchThing"):
        template.resolve({"Ref": "NoSuchThing"})


def test_table(template: Template) -> None:
    sam = template.sam["Resources"]["Table"]["Properties"]

    kwargs = template.table().create_table_kwargs("t")

    assert kwargs["TableName"] == "t"
    for key in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode"):
        assert kwargs[key] == sam[key]
    assert kwargs["StreamSpecification"] == {"StreamEnabled": True, **sam["StreamSpecification"]}
    assert template.table().ttl_attribute == sam["TimeToLiveSpecification"]["AttributeName"]


def test_functions_get_their_code_layer_and_merged_globals(
    template: Template, names: LocalNames
) -> None:
    functions = template.functions(names)
    globals_ = template.sam["Globals"]["Function"]

    assert set(functions) == set(FUNCTIONS)
    for logical_id, folder in FUNCTIONS.items():
        function = functions[logical_id]
        assert function.code_uri == REPO_ROOT / "functions" / folder
        assert function.layers == (REPO_ROOT / "layers" / "shared",)
        assert function.handler == "app.lambda_handler"
        timeout = _sam_property(template, logical_id).get("Timeout", globals_["Timeout"])
        memory = _sam_property(template, logical_id).get("MemorySize", globals_["MemorySize"])
        assert (function.timeout, function.memory) == (timeout, memory)
        assert function.env == {
            "TABLE_NAME": names.table_name(),
            "TOPIC_ARN": names.topic_arn("AwardsTopic"),
            "BUCKET_NAME": names.bucket_name("DocumentsBucket"),
            "STAGE": "dev",
            **{k: v for k, v in globals_["Environment"]["Variables"].items() if isinstance(v, str)},
            **OWN_ENV.get(logical_id, {}),
        }


def test_http_routes(template: Template) -> None:
    routes = {(r.method, r.path): r for r in template.http_routes()}
    events = [
        (logical_id, event["Properties"])
        for logical_id in FUNCTIONS
        for event in _sam_property(template, logical_id).get("Events", {}).values()
        if event["Type"] == "HttpApi"
    ]

    assert set(routes) == {(props["Method"].upper(), props["Path"]) for _, props in events}
    for logical_id, props in events:
        route = routes[props["Method"].upper(), props["Path"]]
        assert route.function_id == logical_id
        assert route.auth_required == ("Auth" not in props)


def test_stream_mappings(template: Template) -> None:
    mappings = {m.function_id: m for m in template.stream_mappings()}

    for function_id, mapping in mappings.items():
        (event,) = _sam_property(template, function_id, "Events").values()
        props = event["Properties"]
        assert mapping.table_id == props["Stream"]["Fn::GetAtt"][0]
        assert mapping.batch_size == props["BatchSize"]
        assert mapping.batching_window_s == props.get("MaximumBatchingWindowInSeconds", 0)
        assert mapping.bisect is props["BisectBatchOnFunctionError"]
        assert mapping.max_retries == props["MaximumRetryAttempts"]
        assert mapping.report_batch_item_failures
        assert mapping.filter_patterns == [
            json.loads(f["Pattern"]) for f in props["FilterCriteria"]["Filters"]
        ]
        destination = props["DestinationConfig"]["OnFailure"]["Destination"]
        assert mapping.on_failure_queue_id == destination["Fn::GetAtt"][0]
    assert set(mappings) == {
        "EvaluateEventsFunction",
        "DeliverMessagesFunction",
        "GenerateCertificatesFunction",
        "PublishCredentialStatusFunction",
        "RecordAuditFunction",
        "ExportAwardsFunction",
    }


def _record(event_name: str, entity: str, **image: str) -> dict[str, Any]:
    new_image = {"entity": {"S": entity}, **{k: {"S": v} for k, v in image.items()}}
    return {"eventName": event_name, "dynamodb": {"NewImage": new_image}}


@pytest.mark.parametrize(
    ("record", "receivers"),
    [
        (_record("INSERT", "event"), {"EvaluateEventsFunction"}),
        (_record("MODIFY", "event"), set()),
        (_record("INSERT", "award"), {"DeliverMessagesFunction"}),
        (
            _record("MODIFY", "award", certificate_status="pending"),
            {"DeliverMessagesFunction", "GenerateCertificatesFunction"},
        ),
        (
            _record("MODIFY", "award", status="revoked"),
            {"DeliverMessagesFunction", "PublishCredentialStatusFunction"},
        ),
        (_record("INSERT", "credential_record"), set()),
        (_record("INSERT", "export"), {"ExportAwardsFunction"}),
        (_record("MODIFY", "export"), set()),
        ({"eventName": "REMOVE", "dynamodb": {"OldImage": {"entity": {"S": "award"}}}}, set()),
        (_record("MODIFY", "settings", audit='{"id":"a"}'), {"RecordAuditFunction"}),
        (
            _record("INSERT", "award", audit='{"id":"a"}'),
            {"DeliverMessagesFunction", "RecordAuditFunction"},
        ),
    ],
)
def test_each_record_reaches_the_functions_whose_filters_match_it(
    template: Template, record: dict[str, Any], receivers: set[str]
) -> None:
    mappings = template.stream_mappings()

    assert {m.function_id for m in mappings if match_any(m.filter_patterns, record)} == receivers


def test_queue_mappings(template: Template) -> None:
    (mapping,) = template.queue_mappings()
    props = _sam_property(
        template, "SelectWinnersFunction", "Events", "ClosedPeriods", "Properties"
    )

    assert (mapping.function_id, mapping.event_name) == ("SelectWinnersFunction", "ClosedPeriods")
    assert mapping.queue_id == props["Queue"]["Fn::GetAtt"][0]
    assert mapping.batch_size == props["BatchSize"]
    assert mapping.report_batch_item_failures
    assert mapping.max_concurrency == props["ScalingConfig"]["MaximumConcurrency"]
    assert mapping.queue_id not in {m.table_id for m in template.stream_mappings()}


def test_no_filter_lets_every_record_through() -> None:
    assert match_any([], {"eventName": "REMOVE"})


def test_schedules(template: Template, names: LocalNames) -> None:
    schedules = {s.event_name: s for s in template.schedules(names)}
    events = {
        name: (function_id, event)
        for function_id in ("ClosePeriodsFunction", "SendExpiryNoticesFunction")
        for name, event in _sam_property(template, function_id, "Events").items()
    }

    assert set(schedules) == set(events) == {"HourlyClose", "DailyNotices"}
    for name, (function_id, event) in events.items():
        props = event["Properties"]
        schedule = schedules[name]
        assert schedule.function_id == function_id
        assert schedule.expression == props["ScheduleExpression"]
        assert schedule.timezone == props["ScheduleExpressionTimezone"]
        assert schedule.input == json.loads(props["Input"])
        assert schedule.dlq_queue_id == props["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
        assert schedule.retry_attempts == props["RetryPolicy"]["MaximumRetryAttempts"]
