"""Invariants of template.yaml that a deploy would only reveal too late."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint_file
from cfnlint.decode.cfn_yaml import load

TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "template.yaml"

FUNCTIONS = {
    "IngestEventsFunction": "functions/ingest_events/",
    "ApiFunction": "functions/api/",
    "EvaluateEventsFunction": "functions/evaluate_events/",
    "DeliverMessagesFunction": "functions/deliver_messages/",
    "GenerateCertificatesFunction": "functions/generate_certificates/",
    "SelectWinnersFunction": "functions/select_winners/",
}

STREAM_FILTERS = {
    "EvaluateEventsFunction": {
        "eventName": ["INSERT"],
        "dynamodb": {"NewImage": {"entity": {"S": ["event"]}}},
    },
    "DeliverMessagesFunction": {
        "eventName": ["INSERT", "MODIFY"],
        "dynamodb": {"NewImage": {"entity": {"S": ["award"]}}},
    },
    "GenerateCertificatesFunction": {
        "dynamodb": {
            "NewImage": {"entity": {"S": ["award"]}, "certificate_status": {"S": ["pending"]}}
        },
    },
}

SCHEDULES = {
    "WeeklyWinners": ("cron(5 0 ? * MON *)", {"period": "week"}),
    "MonthlyWinners": ("cron(5 0 1 * ? *)", {"period": "month"}),
}

TABLE_ACTIONS = {
    "IngestEventsFunction": {"PutItem", "ConditionCheckItem", "GetItem", "BatchGetItem", "Query"},
    "ApiFunction": {
        "GetItem",
        "BatchGetItem",
        "Query",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "ConditionCheckItem",
        "BatchWriteItem",
    },
    "EvaluateEventsFunction": {
        "GetItem",
        "BatchGetItem",
        "Query",
        "PutItem",
        "UpdateItem",
        "ConditionCheckItem",
    },
    "DeliverMessagesFunction": {"GetItem", "PutItem", "UpdateItem", "Query"},
    "GenerateCertificatesFunction": {"GetItem", "UpdateItem", "PutItem", "Query"},
    "SelectWinnersFunction": {
        "GetItem",
        "Query",
        "PutItem",
        "UpdateItem",
        "ConditionCheckItem",
        "BatchGetItem",
    },
}

BROAD_POLICY_TEMPLATES = {
    "DynamoDBCrudPolicy",
    "DynamoDBWritePolicy",
    "AmazonDynamoDBFullAccess",
    "S3CrudPolicy",
    "S3FullAccessPolicy",
    "AdministratorAccess",
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    loaded: dict[str, Any] = load(str(TEMPLATE_PATH))
    return loaded


@pytest.fixture(scope="module")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = template["Resources"]
    return found


def props(resources: dict[str, Any], logical_id: str) -> dict[str, Any]:
    found: dict[str, Any] = resources[logical_id]["Properties"]
    return found


def events_of_type(resources: dict[str, Any], function: str, kind: str) -> dict[str, Any]:
    events = props(resources, function).get("Events", {})
    return {name: e["Properties"] for name, e in events.items() if e["Type"] == kind}


def statements(node: Any) -> Iterator[dict[str, Any]]:
    """Every IAM statement anywhere in the template: inline policies, bucket and queue policies."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Statement":
                yield from value if isinstance(value, list) else [value]
            else:
                yield from statements(value)
    elif isinstance(node, list):
        for item in node:
            yield from statements(item)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_template_passes_cfn_lint() -> None:
    matches = lint_file(TEMPLATE_PATH)

    assert [str(m) for m in matches] == []


def test_template_declares_the_sam_transform(template: dict[str, Any]) -> None:
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    assert set(template["Parameters"]) >= {"Stage", "LogRetentionDays", "ScheduleTimezone"}
    assert template["Parameters"]["Stage"]["AllowedValues"] == ["dev", "prod"]


def test_functions_match_the_contract(resources: dict[str, Any]) -> None:
    functions = {k for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}

    assert functions == set(FUNCTIONS)
    for name, code_uri in FUNCTIONS.items():
        assert props(resources, name)["CodeUri"] == code_uri
        assert props(resources, name)["Handler"] == "app.lambda_handler"


def test_every_function_runs_python313_with_the_shared_layer_through_globals(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    function_globals = template["Globals"]["Function"]

    assert function_globals["Runtime"] == "python3.13"
    assert function_globals["Architectures"] == ["x86_64"]
    assert function_globals["Tracing"] == "Active"
    assert function_globals["Layers"] == [{"Ref": "SharedLayer"}]
    assert function_globals["LoggingConfig"]["LogFormat"] == "JSON"
    for name in FUNCTIONS:
        assert "Runtime" not in props(resources, name)
        assert "Layers" not in props(resources, name)
        assert "Architectures" not in props(resources, name)


def test_shared_layer_is_built_from_layers_shared(resources: dict[str, Any]) -> None:
    layer = resources["SharedLayer"]

    assert layer["Type"] == "AWS::Serverless::LayerVersion"
    assert layer["Properties"]["ContentUri"] == "layers/shared"
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    assert layer["Metadata"]["BuildMethod"] == "python3.13"


def test_globals_give_every_function_the_contract_environment(template: dict[str, Any]) -> None:
    variables = template["Globals"]["Function"]["Environment"]["Variables"]

    assert variables == {
        "TABLE_NAME": {"Ref": "Table"},
        "TOPIC_ARN": {"Ref": "AwardsTopic"},
        "BUCKET_NAME": {"Ref": "DocumentsBucket"},
        "STAGE": {"Ref": "Stage"},
        "OAUTH_RESOURCE_SERVER": "accolade",
        "POWERTOOLS_SERVICE_NAME": "accolade",
        "POWERTOOLS_METRICS_NAMESPACE": "Accolade",
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_every_function_logs_to_its_own_group_with_retention(
    resources: dict[str, Any], function: str
) -> None:
    function_props = props(resources, function)
    group_id = function_props["LoggingConfig"]["LogGroup"]["Ref"]
    group = resources[group_id]

    assert group["Type"] == "AWS::Logs::LogGroup"
    assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    function_name = function_props["FunctionName"]["Fn::Sub"]
    assert group["Properties"]["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/{function_name}"}


def test_every_log_group_has_retention(resources: dict[str, Any]) -> None:
    groups = [v for v in resources.values() if v["Type"] == "AWS::Logs::LogGroup"]

    assert len(groups) == len(FUNCTIONS) + 1
    for group in groups:
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


@pytest.mark.parametrize("function", sorted(STREAM_FILTERS))
def test_stream_mappings_bisect_report_failures_and_keep_what_fails(
    resources: dict[str, Any], function: str
) -> None:
    (mapping,) = events_of_type(resources, function, "DynamoDB").values()

    assert mapping["Stream"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["BatchSize"] == 100
    assert mapping["MaximumBatchingWindowInSeconds"] == 1
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] == 5
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",
        "Destination": {"Fn::GetAtt": ["StreamFailuresQueue", "Arn"]},
    }


@pytest.mark.parametrize(("function", "pattern"), sorted(STREAM_FILTERS.items()))
def test_stream_filters_match_the_contract(
    resources: dict[str, Any], function: str, pattern: dict[str, Any]
) -> None:
    (mapping,) = events_of_type(resources, function, "DynamoDB").values()
    filters = mapping["FilterCriteria"]["Filters"]

    assert [json.loads(f["Pattern"]) for f in filters] == [pattern]


def test_only_stream_functions_read_the_stream(resources: dict[str, Any]) -> None:
    readers = {f for f in FUNCTIONS if events_of_type(resources, f, "DynamoDB")}

    assert readers == set(STREAM_FILTERS)


@pytest.mark.parametrize(("name", "expected"), sorted(SCHEDULES.items()))
def test_schedules_carry_a_timezone_retries_and_a_dead_letter_queue(
    resources: dict[str, Any], name: str, expected: tuple[str, dict[str, str]]
) -> None:
    schedule = events_of_type(resources, "SelectWinnersFunction", "ScheduleV2")[name]
    expression, payload = expected

    assert schedule["ScheduleExpression"] == expression
    assert schedule["ScheduleExpressionTimezone"] == {"Ref": "ScheduleTimezone"}
    assert json.loads(schedule["Input"]) == payload
    assert schedule["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert schedule["DeadLetterConfig"] == {
        "Arn": {"Fn::GetAtt": ["SchedulerDeadLetterQueue", "Arn"]}
    }


def test_table_has_the_contract_keys_indexes_ttl_stream_and_backups(
    resources: dict[str, Any],
) -> None:
    table = props(resources, "Table")
    attributes = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}

    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]
    assert attributes == {
        "PK": "S",
        "SK": "S",
        "GSI1PK": "S",
        "GSI1SK": "S",
        "LBPK": "S",
        "score": "N",
    }
    assert set(indexes) == {"GSI1", "Leaderboard"}
    assert indexes["GSI1"]["KeySchema"] == [
        {"AttributeName": "GSI1PK", "KeyType": "HASH"},
        {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
    ]
    assert indexes["GSI1"]["Projection"] == {"ProjectionType": "ALL"}
    assert indexes["Leaderboard"]["KeySchema"] == [
        {"AttributeName": "LBPK", "KeyType": "HASH"},
        {"AttributeName": "score", "KeyType": "RANGE"},
    ]
    assert indexes["Leaderboard"]["Projection"] == {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": ["entity", "user_id", "reached_at"],
    }
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"] == {"SSEEnabled": True}
    assert table["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}


def test_no_iam_statement_grants_a_wildcard_resource(template: dict[str, Any]) -> None:
    found = list(statements(template["Resources"]))

    assert found
    for statement in found:
        assert "*" not in as_list(statement["Resource"]), statement.get("Sid")
        assert not any(a.endswith(":*") or a == "*" for a in as_list(statement["Action"])) or (
            statement["Effect"] == "Deny"
        ), statement.get("Sid")


@pytest.mark.parametrize(("function", "actions"), sorted(TABLE_ACTIONS.items()))
def test_each_function_gets_only_its_table_actions(
    resources: dict[str, Any], function: str, actions: set[str]
) -> None:
    policies = props(resources, function)["Policies"]
    granted = {
        action.removeprefix("dynamodb:")
        for statement in statements(policies)
        for action in as_list(statement["Action"])
        if action.startswith("dynamodb:")
    }
    table_resources = [
        resource
        for statement in statements(policies)
        if any(a.startswith("dynamodb:") for a in as_list(statement["Action"]))
        for resource in as_list(statement["Resource"])
    ]

    assert granted == actions
    assert {"Fn::GetAtt": ["Table", "Arn"]} in table_resources
    for resource in table_resources:
        assert resource == {"Fn::GetAtt": ["Table", "Arn"]} or resource["Fn::Sub"].startswith(
            "${Table.Arn}/index/"
        )
    assert not BROAD_POLICY_TEMPLATES & {k for p in policies if isinstance(p, dict) for k in p}


def test_only_deliver_messages_publishes_and_only_certificates_touch_the_bucket(
    resources: dict[str, Any],
) -> None:
    def granted(function: str) -> set[str]:
        policies = props(resources, function)["Policies"]
        actions = {a for s in statements(policies) for a in as_list(s["Action"])}
        templates = {k for p in policies if isinstance(p, dict) for k in p if k != "Statement"}
        return actions | templates

    for function in FUNCTIONS:
        publishes = "SNSPublishMessagePolicy" in granted(function)
        writes_objects = "s3:PutObject" in granted(function)
        assert publishes == (function == "DeliverMessagesFunction")
        assert writes_objects == (function == "GenerateCertificatesFunction")
    assert props(resources, "DeliverMessagesFunction")["Policies"][1] == {
        "SNSPublishMessagePolicy": {"TopicName": {"Fn::GetAtt": ["AwardsTopic", "TopicName"]}}
    }


def test_documents_bucket_blocks_public_access_and_is_encrypted(
    resources: dict[str, Any],
) -> None:
    bucket = props(resources, "DocumentsBucket")
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]

    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


def test_documents_bucket_denies_requests_without_tls(resources: dict[str, Any]) -> None:
    policy = props(resources, "DocumentsBucketPolicy")
    (statement,) = policy["PolicyDocument"]["Statement"]

    assert policy["Bucket"] == {"Ref": "DocumentsBucket"}
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_queues_and_topic_are_encrypted(resources: dict[str, Any]) -> None:
    queues = [k for k, v in resources.items() if v["Type"] == "AWS::SQS::Queue"]

    assert set(queues) == {
        "AwardsFeedQueue",
        "AwardsFeedDeadLetterQueue",
        "StreamFailuresQueue",
        "SchedulerDeadLetterQueue",
    }
    for queue in queues:
        assert props(resources, queue)["SqsManagedSseEnabled"] is True
    assert props(resources, "AwardsTopic")["KmsMasterKeyId"] == "alias/aws/sns"


def test_awards_feed_subscription_is_raw_with_a_redrive_queue(resources: dict[str, Any]) -> None:
    subscription = props(resources, "AwardsFeedSubscription")

    assert subscription["TopicArn"] == {"Ref": "AwardsTopic"}
    assert subscription["Protocol"] == "sqs"
    assert subscription["Endpoint"] == {"Fn::GetAtt": ["AwardsFeedQueue", "Arn"]}
    assert subscription["RawMessageDelivery"] is True
    assert subscription["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["AwardsFeedDeadLetterQueue", "Arn"]}
    }


def test_http_api_authorizes_with_cognito_jwt_by_default(resources: dict[str, Any]) -> None:
    auth = props(resources, "HttpApi")["Auth"]
    jwt = auth["Authorizers"]["CognitoJwt"]["JwtConfiguration"]

    assert auth["DefaultAuthorizer"] == "CognitoJwt"
    assert jwt["issuer"] == {
        "Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"
    }
    assert jwt["audience"] == [{"Ref": "UserPoolClient"}, {"Ref": "MachineClient"}]
    assert props(resources, "HttpApi")["AccessLogSettings"]["DestinationArn"] == {
        "Fn::GetAtt": ["HttpApiAccessLogGroup", "Arn"]
    }


def test_routes_and_their_auth_match_the_contract(resources: dict[str, Any]) -> None:
    routes = {
        (e["Method"], e["Path"]): e.get("Auth", {}).get("Authorizer", "CognitoJwt")
        for function in ("IngestEventsFunction", "ApiFunction")
        for e in events_of_type(resources, function, "HttpApi").values()
    }
    every_route = [
        e for function in FUNCTIONS for e in events_of_type(resources, function, "HttpApi").values()
    ]

    assert routes == {
        ("POST", "/v1/events"): "CognitoJwt",
        ("GET", "/v1/health"): "NONE",
        ("GET", "/v1/openapi.json"): "NONE",
        ("GET", "/v1/swagger"): "NONE",
        ("ANY", "/v1/{proxy+}"): "CognitoJwt",
    }
    assert len(every_route) == len(routes)
    for event in every_route:
        assert event["ApiId"] == {"Ref": "HttpApi"}
        assert "AuthorizationScopes" not in event.get("Auth", {})


def test_machine_client_may_only_ask_for_events_write(resources: dict[str, Any]) -> None:
    client = props(resources, "MachineClient")
    (scope,) = props(resources, "EventsResourceServer")["Scopes"]

    assert scope["ScopeName"] == "events:write"
    assert client["AllowedOAuthFlows"] == ["client_credentials"]
    assert client["AllowedOAuthScopes"] == ["accolade/events:write"]
    assert props(resources, "UserPoolAdminGroup")["GroupName"] == "admin"
    assert "custom:tenant_id" not in props(resources, "UserPoolClient")["WriteAttributes"]


def test_outputs_name_what_clients_need(template: dict[str, Any]) -> None:
    assert set(template["Outputs"]) >= {
        "ApiUrl",
        "TableName",
        "TopicArn",
        "BucketName",
        "UserPoolId",
        "UserPoolClientId",
        "MachineClientId",
    }
