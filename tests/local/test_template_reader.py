from __future__ import annotations

from pathlib import Path

import pytest

from accolade_local.template import LocalNames, Template, TemplateError, load_template

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).with_name("fixture_template.yaml")
ENDPOINT = "http://127.0.0.1:5000"


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template(REPO_ROOT / "template.yaml")


@pytest.fixture(scope="module")
def fixture_template() -> Template:
    return load_template(FIXTURE)


@pytest.fixture
def names() -> LocalNames:
    return LocalNames(aws_endpoint=ENDPOINT)


def test_local_names() -> None:
    names = LocalNames()
    assert names.physical("Table") == "accolade-local-Table"
    assert names.bucket_name("DocumentsBucket") == "accolade-local-documentsbucket"
    assert names.topic_arn("AwardsTopic") == (
        "arn:aws:sns:us-east-1:000000000000:accolade-local-AwardsTopic"
    )
    assert names.queue_arn("Q") == "arn:aws:sqs:us-east-1:000000000000:accolade-local-Q"
    assert names.queue_url("Q", ENDPOINT + "/") == f"{ENDPOINT}/000000000000/accolade-local-Q"
    with pytest.raises(TemplateError):
        names.queue_url("Q")


def test_short_tags_become_intrinsics(template: Template) -> None:
    env = template.data["Globals"]["Function"]["Environment"]["Variables"]
    assert env["TABLE_NAME"] == {"Ref": "Table"}
    stream = template.data["Resources"]["EvaluateEventsFunction"]["Properties"]["Events"]
    assert stream["NewEvents"]["Properties"]["Stream"] == {"Fn::GetAtt": ["Table", "StreamArn"]}


def test_refs_resolve_by_resource_type(template: Template, names: LocalNames) -> None:
    assert template.resolve({"Ref": "Table"}, names) == "accolade-local-Table"
    assert template.resolve({"Ref": "AwardsTopic"}, names) == names.topic_arn("AwardsTopic")
    assert template.resolve({"Ref": "StreamFailuresQueue"}, names) == (
        f"{ENDPOINT}/000000000000/accolade-local-StreamFailuresQueue"
    )
    assert template.resolve({"Ref": "DocumentsBucket"}, names) == "accolade-local-documentsbucket"
    assert template.resolve({"Ref": "AWS::Region"}, names) == "us-east-1"
    assert template.resolve({"Ref": "ScheduleTimezone"}, names) == "UTC"
    assert template.resolve({"Ref": "Stage"}, names, {"Stage": "prod"}) == "prod"


def test_get_att_sub_if_join(template: Template, names: LocalNames) -> None:
    assert template.resolve({"Fn::GetAtt": ["StreamFailuresQueue", "Arn"]}, names) == (
        names.queue_arn("StreamFailuresQueue")
    )
    assert template.resolve({"Fn::GetAtt": ["Table", "Arn"]}, names) == (
        "arn:aws:dynamodb:us-east-1:000000000000:table/accolade-local-Table"
    )
    assert template.resolve({"Fn::Sub": "${Table.Arn}/index/GSI1"}, names).endswith(
        "table/accolade-local-Table/index/GSI1"
    )
    assert template.resolve({"Fn::Sub": "${AWS::StackName}-x-${!Literal}"}, names) == (
        "accolade-local-x-${Literal}"
    )
    assert template.resolve({"Fn::Sub": ["${A}-${Stage}", {"A": "a"}]}, names) == "a-dev"
    assert template.resolve({"Fn::If": ["IsProd", "on", "off"]}, names) == "off"
    assert template.resolve({"Fn::If": ["IsProd", "on", "off"]}, names, {"Stage": "prod"}) == "on"
    assert template.resolve({"Fn::Join": ["-", ["a", {"Ref": "Stage"}]]}, names) == "a-dev"
    assert template.resolve({"Fn::Select": [1, ["a", "b"]]}, names) == "b"
    assert template.resolve([{"Ref": "AWS::NoValue"}, 1], names) == [1]


def test_parameter_overrides_at_load() -> None:
    template = load_template(
        REPO_ROOT / "template.yaml", params={"ScheduleTimezone": "Europe/Paris"}
    )
    assert {s.timezone for s in template.schedules()} == {"Europe/Paris"}


def test_table(template: Template) -> None:
    table = template.table()
    kwargs = table.create_table_kwargs("t")
    assert kwargs["TableName"] == "t"
    assert kwargs["KeySchema"] == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]
    assert {i["IndexName"] for i in kwargs["GlobalSecondaryIndexes"]} == {"GSI1", "Leaderboard"}
    leaderboard = next(
        i for i in kwargs["GlobalSecondaryIndexes"] if i["IndexName"] == "Leaderboard"
    )
    assert leaderboard["Projection"] == {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": ["entity", "user_id", "reached_at"],
    }
    assert kwargs["BillingMode"] == "PAY_PER_REQUEST"
    assert "ProvisionedThroughput" not in kwargs
    assert kwargs["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    assert table.ttl_attribute == "expires_at"


def test_functions(template: Template, names: LocalNames) -> None:
    functions = template.functions(names)
    assert set(functions) == {
        "IngestEventsFunction",
        "ApiFunction",
        "EvaluateEventsFunction",
        "DeliverMessagesFunction",
        "GenerateCertificatesFunction",
        "SelectWinnersFunction",
    }
    ingest = functions["IngestEventsFunction"]
    assert ingest.code_uri == REPO_ROOT / "functions" / "ingest_events"
    assert (ingest.module, ingest.function) == ("app", "lambda_handler")
    assert ingest.layers == (REPO_ROOT / "layers" / "shared",)
    assert ingest.env["TABLE_NAME"] == "accolade-local-Table"
    assert ingest.env["TOPIC_ARN"] == names.topic_arn("AwardsTopic")
    assert ingest.env["BUCKET_NAME"] == "accolade-local-documentsbucket"
    assert ingest.env["STAGE"] == "dev"
    assert ingest.env["POWERTOOLS_METRICS_NAMESPACE"] == "Accolade"
    assert all(isinstance(v, str) for f in functions.values() for v in f.env.values())
    assert functions["GenerateCertificatesFunction"].memory == 1024


def test_function_env_merges_globals(fixture_template: Template, names: LocalNames) -> None:
    api = fixture_template.functions(names)["ApiFunction"]
    assert api.env["OPENAPI_TITLE"] == "Accolade dev"
    assert api.env["DEBUG"] == "false"
    assert api.env["TABLE_NAME"] == "accolade-local-Table"
    assert api.env["POWERTOOLS_LOG_LEVEL"] == "DEBUG"
    assert api.timeout == 29
    assert api.memory == 512


def test_conditions_drop_resources(fixture_template: Template) -> None:
    assert "ProdOnlyQueue" not in {q.logical_id for q in fixture_template.queues()}
    prod = load_template(FIXTURE, params={"Stage": "prod"})
    assert "ProdOnlyQueue" in {q.logical_id for q in prod.queues()}


def test_http_routes(template: Template) -> None:
    routes = {(r.method, r.path): r for r in template.http_routes()}
    assert set(routes) == {
        ("POST", "/v1/events"),
        ("GET", "/v1/health"),
        ("GET", "/v1/openapi.json"),
        ("GET", "/v1/swagger"),
        ("ANY", "/v1/{proxy+}"),
    }
    assert routes["POST", "/v1/events"].function_id == "IngestEventsFunction"
    assert routes["POST", "/v1/events"].auth_required
    assert routes["ANY", "/v1/{proxy+}"].auth_required
    assert routes["ANY", "/v1/{proxy+}"].function_id == "ApiFunction"
    assert not routes["GET", "/v1/health"].auth_required
    assert not routes["GET", "/v1/swagger"].auth_required


def test_jwt_authorizer(template: Template) -> None:
    authorizer = template.jwt_authorizer()
    assert authorizer is not None
    assert authorizer.name == "CognitoJwt"
    assert authorizer.issuer.startswith("https://cognito-idp.us-east-1.amazonaws.com/")
    assert len(authorizer.audience) >= 1


def test_stream_mappings(template: Template) -> None:
    mappings = {m.function_id: m for m in template.stream_mappings()}
    assert set(mappings) == {
        "EvaluateEventsFunction",
        "DeliverMessagesFunction",
        "GenerateCertificatesFunction",
    }
    for mapping in mappings.values():
        assert mapping.table_id == "Table"
        assert mapping.batch_size == 100
        assert mapping.batching_window_s == 1
        assert mapping.bisect
        assert mapping.max_retries == 5
        assert mapping.report_batch_item_failures
        assert mapping.on_failure_queue_id == "StreamFailuresQueue"
        assert mapping.starting_position == "TRIM_HORIZON"
        assert mapping.filter_patterns
    assert mappings["EvaluateEventsFunction"].filter_patterns == [
        {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"entity": {"S": ["event"]}}}}
    ]


def test_schedules(template: Template) -> None:
    schedules = {s.event_name: s for s in template.schedules()}
    assert set(schedules) == {"WeeklyWinners", "MonthlyWinners"}
    weekly = schedules["WeeklyWinners"]
    assert weekly.function_id == "SelectWinnersFunction"
    assert weekly.expression == "cron(5 0 ? * MON *)"
    assert weekly.timezone == "UTC"
    assert weekly.input == {"period": "week"}
    assert weekly.dlq_queue_id == "SchedulerDeadLetterQueue"
    assert weekly.enabled
    assert schedules["MonthlyWinners"].expression == "cron(5 0 1 * ? *)"
    assert schedules["MonthlyWinners"].input == {"period": "month"}


def test_messaging_and_buckets(template: Template) -> None:
    assert [t.logical_id for t in template.topics()] == ["AwardsTopic"]
    assert {q.logical_id for q in template.queues()} == {
        "AwardsFeedQueue",
        "AwardsFeedDeadLetterQueue",
        "StreamFailuresQueue",
        "SchedulerDeadLetterQueue",
    }
    assert [b.logical_id for b in template.buckets()] == ["DocumentsBucket"]
    (subscription,) = template.subscriptions()
    assert subscription.topic_id == "AwardsTopic"
    assert subscription.protocol == "sqs"
    assert subscription.queue_id == "AwardsFeedQueue"
    assert subscription.raw_message_delivery
    assert subscription.dead_letter_queue_id == "AwardsFeedDeadLetterQueue"


def test_unknown_reference_is_an_error(template: Template) -> None:
    with pytest.raises(TemplateError, match="NoSuchThing"):
        template.resolve({"Ref": "NoSuchThing"})
