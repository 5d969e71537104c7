"""Invariants of template.yaml that a deploy, or an incident, would reveal too late.

Each test states a rule that every resource of a kind keeps (every function, stream mapping,
schedule, queue, topic, bucket, client), so a new one is checked without editing this file.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint_file
from cfnlint.decode.cfn_yaml import load

from accolade.adapters.dynamo import keys as table_keys
from accolade.adapters.dynamo.events import event_item
from accolade.adapters.dynamo.models import Item
from accolade.config import Settings
from accolade.domain.models import ActivityEvent
from accolade.entrypoints.http.auth import ADMIN, EVENTS_WRITE

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"
TEMPLATE: dict[str, Any] = load(str(TEMPLATE_PATH))
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]

# What a caller reaches without a token: liveness and the API's own documentation.
PUBLIC_ROUTES = {
    ("GET", "/v1/health"),
    ("GET", "/v1/openapi.json"),
    ("GET", "/v1/swagger"),
    ("GET", "/v1/verify/{identifier}"),
    ("GET", "/v1/badges"),
    ("GET", "/v1/badges/{family}/{file}"),
    # An Open Badges issuer's documents, which verifiers of its credentials read.
    ("GET", "/v1/issuers/{tenant_id}"),
    ("GET", "/v1/issuers/{tenant_id}/jwks.json"),
    ("GET", "/v1/issuers/{tenant_id}/status/{number}"),
}
# Item-level reads and writes: nothing that scans, or changes, exports or drops the table.
TABLE_ITEM_ACTIONS = {
    "GetItem",
    "BatchGetItem",
    "Query",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "ConditionCheckItem",
    "BatchWriteItem",
    "PartiQLInsert",  # item-level: a statement names one item by its full key
    "PartiQLUpdate",
}
BROAD_POLICY_TEMPLATES = {
    "DynamoDBCrudPolicy",
    "DynamoDBWritePolicy",
    "AmazonDynamoDBFullAccess",
    "S3CrudPolicy",
    "S3FullAccessPolicy",
    "AdministratorAccess",
}
HTTP_API_INTEGRATION_TIMEOUT_S = 30
SQS_MAX_RETENTION_S = 1_209_600
# Lambda keeps 100 of an account's concurrency unreserved; 1,000 is the default quota.
DEFAULT_ACCOUNT_CONCURRENCY = 1_000
MIN_UNRESERVED_CONCURRENCY = 100
# The AWS managed key's policy lets every principal of the account use it through SNS.
AWS_MANAGED_SNS_KEY = "alias/aws/sns"


# --- reading the template -------------------------------------------------------------------


def of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {k: v.get("Properties", {}) for k, v in RESOURCES.items() if v["Type"] == kind}


def merged(base: Any, override: Any) -> Any:
    """SAM's Globals rule: maps merge key by key, anything else is replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        return {**base, **{k: merged(base.get(k), v) for k, v in override.items()}}
    return base if override is None else override


def function(name: str) -> dict[str, Any]:
    """A function's properties with the template's Globals applied."""
    return dict(
        merged(TEMPLATE.get("Globals", {}).get("Function", {}), RESOURCES[name]["Properties"])
    )


FUNCTIONS = sorted(of_type("AWS::Serverless::Function"))


def events(kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (name, event_name, event["Properties"])
        for name in FUNCTIONS
        for event_name, event in function(name).get("Events", {}).items()
        if event["Type"] == kind
    ]


STREAM_MAPPINGS = events("DynamoDB")
SCHEDULES = events("ScheduleV2")
QUEUE_MAPPINGS = events("SQS")
HTTP_FUNCTIONS = sorted({name for name, _, _ in events("HttpApi")})


def target(value: Any) -> str:
    """The logical id behind `!Ref X`, `!GetAtt X.Attr` or `!Sub ${X.Attr}...`."""
    if "Ref" in value:
        return str(value["Ref"])
    if "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    match = re.match(r"\$\{(\w+)[.}]", value["Fn::Sub"])
    assert match, value
    return match.group(1)


def is_queue(value: Any) -> bool:
    return bool(RESOURCES[target(value)]["Type"] == "AWS::SQS::Queue")


def statements(node: Any) -> Iterator[dict[str, Any]]:
    """Every IAM statement anywhere under `node`: inline policies, bucket and queue policies."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Statement":
                yield from as_list(value)
            else:
                yield from statements(value)
    elif isinstance(node, list):
        for item in node:
            yield from statements(item)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def policy_templates(name: str) -> dict[str, Any]:
    return {
        k: v
        for policy in function(name).get("Policies", [])
        if isinstance(policy, dict)
        for k, v in policy.items()
        if k != "Statement"
    }


def publishers(topic: str) -> set[str]:
    """Functions allowed to publish to `topic`, by SAM policy template or by statement."""
    by_template = {
        name
        for name in FUNCTIONS
        if "SNSPublishMessagePolicy" in policy_templates(name)
        and target(policy_templates(name)["SNSPublishMessagePolicy"]["TopicName"]) == topic
    }
    by_statement = {
        name
        for name in FUNCTIONS
        for s in statements(function(name).get("Policies", []))
        if "sns:Publish" in as_list(s["Action"])
        and topic in {target(r) for r in as_list(s["Resource"])}
    }
    return by_template | by_statement


def grants(name: str, action: str, resource: str) -> bool:
    return any(
        s["Effect"] == "Allow"
        and action in as_list(s["Action"])
        and resource in {target(r) for r in as_list(s["Resource"]) if isinstance(r, dict)}
        for s in statements(function(name).get("Policies", []))
    )


# --- the template as a whole ----------------------------------------------------------------


def test_template_passes_cfn_lint() -> None:
    matches = lint_file(TEMPLATE_PATH)

    assert [str(m) for m in matches] == []


def test_every_checkov_skip_names_a_check_and_gives_a_reason() -> None:
    skips = [
        (name, skip)
        for name, resource in RESOURCES.items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]

    assert skips
    for name, skip in skips:
        assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), name
        assert len(skip.get("comment", "")) >= 20, f"{name} skips {skip['id']} without a reason"
    assert len(skips) == len({(name, skip["id"]) for name, skip in skips})


def test_no_iam_statement_grants_a_wildcard() -> None:
    found = list(statements(RESOURCES))

    assert found
    for statement in found:
        assert "*" not in as_list(statement["Resource"]), statement.get("Sid")
        assert statement["Effect"] == "Deny" or not any(
            a == "*" or a.endswith(":*") for a in as_list(statement["Action"])
        ), statement.get("Sid")


# --- functions ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_function_runs_what_the_shared_layers_are_built_for(name: str) -> None:
    props = function(name)
    layers = [RESOURCES[target(layer)] for layer in props["Layers"]]

    assert layers
    for layer in layers:
        assert props["Runtime"] in layer["Properties"]["CompatibleRuntimes"]
        assert set(props["Architectures"]) <= set(layer["Properties"]["CompatibleArchitectures"])
        # Built by its Makefile (bytecode included) with the functions' interpreter.
        assert layer["Metadata"]["BuildMethod"] == "makefile"
        makefile = ROOT / layer["Properties"]["ContentUri"] / "Makefile"
        assert f"RUNTIME_PYTHON ?= {props['Runtime']}\n" in makefile.read_text()


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_function_handler_exists(name: str) -> None:
    props = function(name)
    module, _, handler = props["Handler"].rpartition(".")
    source = ROOT / props["CodeUri"] / f"{module}.py"
    defined = {
        node.name
        for node in ast.parse(source.read_text()).body
        if isinstance(node, ast.FunctionDef)
    }

    assert handler in defined


def test_every_function_folder_is_deployed_once() -> None:
    code_uris = [Path(function(name)["CodeUri"]).name for name in FUNCTIONS]
    folders = [p.name for p in (ROOT / "functions").iterdir() if (p / "app.py").exists()]

    assert sorted(code_uris) == sorted(folders)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_function_logs_json_to_its_own_group_with_retention(name: str) -> None:
    logging = function(name)["LoggingConfig"]
    group = RESOURCES[target(logging["LogGroup"])]
    others = {
        target(function(other)["LoggingConfig"]["LogGroup"]) for other in FUNCTIONS if other != name
    }

    assert logging["LogFormat"] == "JSON"
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert "RetentionInDays" in group["Properties"]
    assert target(logging["LogGroup"]) not in others


def test_every_log_group_has_retention() -> None:
    groups = of_type("AWS::Logs::LogGroup")

    assert groups
    for name, group in groups.items():
        assert "RetentionInDays" in group, name


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_function_gets_the_environment_its_settings_require(name: str) -> None:
    variables = function(name)["Environment"]["Variables"]
    required = [f for f in Settings._fields if f not in Settings._field_defaults]

    assert required
    for field in required:
        assert field.upper() in variables
    # Powertools reads these; without a service name logs and traces are "service_undefined".
    assert {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE"} <= set(variables)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_table_access_is_item_level_on_the_table_and_its_indexes(name: str) -> None:
    policies = function(name)["Policies"]
    table_statements = [
        s
        for s in statements(policies)
        if any(a.startswith("dynamodb:") for a in as_list(s["Action"]))
    ]
    actions = {a.removeprefix("dynamodb:") for s in table_statements for a in as_list(s["Action"])}
    resources = [r for s in table_statements for r in as_list(s["Resource"])]
    indexes = {
        f"${{{table}.Arn}}/index/{index['IndexName']}"
        for table, props in of_type("AWS::DynamoDB::Table").items()
        for index in props.get("GlobalSecondaryIndexes", [])
    }

    assert actions
    assert actions <= TABLE_ITEM_ACTIONS
    assert not BROAD_POLICY_TEMPLATES & set(policy_templates(name))
    assert any("Fn::GetAtt" in r and r["Fn::GetAtt"][1] == "Arn" for r in resources)
    for resource in resources:
        assert RESOURCES[target(resource)]["Type"] == "AWS::DynamoDB::Table"
        assert "Fn::GetAtt" in resource or resource["Fn::Sub"] in indexes


# --- the HTTP API ---------------------------------------------------------------------------


def test_only_the_public_routes_skip_the_authorizer() -> None:
    apis = of_type("AWS::Serverless::HttpApi")
    public = {
        (e["Method"], e["Path"])
        for _, _, e in events("HttpApi")
        if e.get("Auth", {}).get("Authorizer") == "NONE"
    }

    assert apis
    for api in apis.values():
        assert api["Auth"]["DefaultAuthorizer"] in api["Auth"]["Authorizers"]
    for _, _, event in events("HttpApi"):
        assert target(event["ApiId"]) in apis
    assert public == PUBLIC_ROUTES


def test_every_http_api_is_throttled_and_logs_access() -> None:
    for name, api in of_type("AWS::Serverless::HttpApi").items():
        routes = api["DefaultRouteSettings"]
        log_group = target(api["AccessLogSettings"]["DestinationArn"])

        assert routes["ThrottlingRateLimit"] > 0, name
        assert routes["ThrottlingBurstLimit"] > 0, name
        assert RESOURCES[log_group]["Type"] == "AWS::Logs::LogGroup"


def test_public_verification_is_throttled_below_every_other_route() -> None:
    for name, api in of_type("AWS::Serverless::HttpApi").items():
        default = api["DefaultRouteSettings"]
        verify = api["RouteSettings"]["GET /v1/verify/{identifier}"]

        assert 0 < verify["ThrottlingRateLimit"] < default["ThrottlingRateLimit"], name
        assert 0 < verify["ThrottlingBurstLimit"] < default["ThrottlingBurstLimit"], name


def test_jwt_authorizer_trusts_this_stacks_user_pool_and_each_of_its_clients() -> None:
    (pool,) = of_type("AWS::Cognito::UserPool")
    for api in of_type("AWS::Serverless::HttpApi").values():
        for authorizer in api["Auth"]["Authorizers"].values():
            jwt = authorizer["JwtConfiguration"]

            assert f"${{{pool}}}" in jwt["issuer"]["Fn::Sub"]
            assert {target(a) for a in jwt["audience"]} == set(
                of_type("AWS::Cognito::UserPoolClient")
            )


@pytest.mark.parametrize("name", HTTP_FUNCTIONS)
def test_http_functions_answer_within_the_gateway_timeout(name: str) -> None:
    assert function(name)["Timeout"] < HTTP_API_INTEGRATION_TIMEOUT_S


def reserved_concurrency(name: str) -> int:
    """The function's reserved concurrency with the parameters' defaults; 0 when it has none."""
    cap = function(name).get("ReservedConcurrentExecutions", 0)
    if isinstance(cap, dict) and "Fn::If" in cap:
        cap = cap["Fn::If"][1]
    if isinstance(cap, dict):
        cap = TEMPLATE["Parameters"][target(cap)]["Default"]
    return int(cap)


def test_http_functions_cap_what_a_flood_takes_and_the_default_quota_allows_the_caps() -> None:
    assert HTTP_FUNCTIONS
    for name in HTTP_FUNCTIONS:
        assert reserved_concurrency(name) > 0, name
    assert (
        sum(reserved_concurrency(name) for name in FUNCTIONS)
        <= DEFAULT_ACCOUNT_CONCURRENCY - MIN_UNRESERVED_CONCURRENCY
    )


# --- streams, schedules and what fails ------------------------------------------------------


each_stream_mapping = pytest.mark.parametrize(
    ("name", "mapping"),
    [(n, m) for n, _, m in STREAM_MAPPINGS],
    ids=[n for n, _, _ in STREAM_MAPPINGS],
)


@each_stream_mapping
def test_every_stream_mapping_bisects_retries_only_failures_and_keeps_them(
    name: str, mapping: dict[str, Any]
) -> None:
    on_failure = mapping["DestinationConfig"]["OnFailure"]

    assert mapping["BisectBatchOnFunctionError"] is True
    assert "ReportBatchItemFailures" in mapping["FunctionResponseTypes"]
    # Unset or -1 retries a poison record until it expires, blocking its shard for a day.
    assert 0 <= mapping["MaximumRetryAttempts"] <= 10
    assert on_failure["Type"] == "SQS"
    assert is_queue(on_failure["Destination"])


def test_the_evaluator_gets_each_users_events_in_the_order_they_were_stored() -> None:
    """Counters skip events at or below their applied position: that needs one user's events in
    one partition (hence one shard) and one batch at a time per shard."""
    (mapping,) = [m for n, _, m in STREAM_MAPPINGS if n == "EvaluateEventsFunction"]
    event = ActivityEvent(
        event_id="e-1", type="sale", user_id="u-1", occurred_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    item = event_item("t-1", event, datetime(2026, 1, 1, tzinfo=UTC))

    assert mapping.get("ParallelizationFactor", 1) == 1
    assert table_keys.user_pk("t-1", "u-1") == item.PK


@each_stream_mapping
def test_every_stream_mapping_filters_on_entities_and_attributes_the_models_define(
    name: str, mapping: dict[str, Any]
) -> None:
    discriminator = Item.entity
    models = {
        discriminator.get_discriminator(m): m for m in discriminator.get_registered_subclasses(Item)
    }
    table = RESOURCES[target(mapping["Stream"])]["Properties"]
    patterns = [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]]

    assert patterns
    assert table["StreamSpecification"]["StreamViewType"] in {"NEW_IMAGE", "NEW_AND_OLD_IMAGES"}
    for pattern in patterns:
        image = pattern["dynamodb"]["NewImage"]
        # A pattern naming no entity matches all: it may filter only on what every model has.
        entities = image["entity"]["S"] if "entity" in image else list(models)
        assert entities
        for entity in entities:
            assert set(image) <= set(models[entity].get_attributes()), entity


@pytest.mark.parametrize(
    ("name", "schedule"), [(n, s) for _, n, s in SCHEDULES], ids=[n for _, n, _ in SCHEDULES]
)
def test_every_schedule_is_named_by_stack_fires_in_a_zone_retries_and_keeps_failures(
    name: str, schedule: dict[str, Any]
) -> None:
    # Schedule names are unique per account and region: two stacks must not collide.
    assert schedule["Name"]["Fn::Sub"].startswith("${AWS::StackName}-")
    assert schedule["ScheduleExpressionTimezone"]
    assert isinstance(json.loads(schedule["Input"]), dict)
    assert schedule["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert is_queue(schedule["DeadLetterConfig"]["Arn"])


@pytest.mark.parametrize("name", sorted({n for n, _, _ in SCHEDULES}))
def test_every_scheduled_function_keeps_runs_that_failed(name: str) -> None:
    # Scheduler invokes asynchronously: its own DLQ never sees an error raised by the function.
    dead_letter = function(name)["DeadLetterQueue"]

    assert dead_letter["Type"] == "SQS"
    assert is_queue(dead_letter["TargetArn"])


@pytest.mark.parametrize(
    ("name", "mapping"),
    [(n, m) for n, _, m in QUEUE_MAPPINGS],
    ids=[n for n, _, _ in QUEUE_MAPPINGS],
)
def test_every_queue_mapping_retries_only_failures_and_keeps_them(
    name: str, mapping: dict[str, Any]
) -> None:
    queue = of_type("AWS::SQS::Queue")[target(mapping["Queue"])]

    assert "ReportBatchItemFailures" in mapping["FunctionResponseTypes"]
    assert is_queue(queue["RedrivePolicy"]["deadLetterTargetArn"])
    assert 1 <= queue["RedrivePolicy"]["maxReceiveCount"] <= 10
    # Lambda's advice for SQS sources: a message stays hidden while a consumer may still run.
    assert queue["VisibilityTimeout"] >= 6 * function(name)["Timeout"]
    assert mapping["ScalingConfig"]["MaximumConcurrency"] >= 2


def test_every_queue_is_encrypted() -> None:
    queues = of_type("AWS::SQS::Queue")

    assert queues
    for name, queue in queues.items():
        assert queue.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in queue, name


def test_every_queue_that_catches_failures_keeps_them_as_long_as_sqs_can() -> None:
    catchers = {
        target(m["DestinationConfig"]["OnFailure"]["Destination"]) for _, _, m in STREAM_MAPPINGS
    }
    catchers |= {target(s["DeadLetterConfig"]["Arn"]) for _, _, s in SCHEDULES}
    catchers |= {
        target(function(n)["DeadLetterQueue"]["TargetArn"])
        for n in FUNCTIONS
        if "DeadLetterQueue" in function(n)
    }
    catchers |= {
        target(s["RedrivePolicy"]["deadLetterTargetArn"])
        for kind in ("AWS::SNS::Subscription", "AWS::SQS::Queue")
        for s in of_type(kind).values()
        if "RedrivePolicy" in s
    }
    queues = of_type("AWS::SQS::Queue")

    assert catchers
    for name in catchers:
        assert queues[name]["MessageRetentionPeriod"] == SQS_MAX_RETENTION_S, name


@pytest.mark.parametrize("topic", sorted(of_type("AWS::SNS::Topic")))
def test_every_topic_is_encrypted_with_a_key_its_publishers_may_use(topic: str) -> None:
    key = of_type("AWS::SNS::Topic")[topic]["KmsMasterKeyId"]

    assert publishers(topic)
    if key != AWS_MANAGED_SNS_KEY:
        for name in publishers(topic):
            assert grants(name, "kms:GenerateDataKey*", target(key)), name
            assert grants(name, "kms:Decrypt", target(key)), name


@pytest.mark.parametrize("topic", sorted(of_type("AWS::SNS::Topic")))
def test_only_stream_consumers_publish_so_the_table_stays_the_outbox(topic: str) -> None:
    stream_readers = {n for n, _, _ in STREAM_MAPPINGS}

    assert publishers(topic) <= stream_readers - set(HTTP_FUNCTIONS)


def test_every_queue_subscription_is_allowed_in_by_its_queue_policy_with_a_redrive_queue() -> None:
    policies = of_type("AWS::SQS::QueuePolicy").values()
    for name, subscription in of_type("AWS::SNS::Subscription").items():
        if subscription["Protocol"] != "sqs":
            continue
        topic = target(subscription["TopicArn"])
        queues = {
            target(subscription["Endpoint"]),
            target(subscription["RedrivePolicy"]["deadLetterTargetArn"]),
        }
        allowed = {
            target(resource)
            for policy in policies
            for s in statements(policy)
            if s["Effect"] == "Allow"
            and s["Principal"] == {"Service": "sns.amazonaws.com"}
            and "sqs:SendMessage" in as_list(s["Action"])
            and target(s["Condition"]["ArnEquals"]["aws:SourceArn"]) == topic
            for resource in as_list(s["Resource"])
        }

        assert queues <= allowed, name


# --- data -----------------------------------------------------------------------------------


def test_table_matches_the_pynamodb_models() -> None:
    # PynamoDB's own create-table schema of the single table, all entities together.
    schema = Item._get_schema()
    (table,) = of_type("AWS::DynamoDB::Table").values()
    expected_indexes = {
        i["index_name"]: (i["key_schema"], i["projection"])
        for i in schema["global_secondary_indexes"]
    }
    indexes = {
        i["IndexName"]: (i["KeySchema"], i["Projection"]) for i in table["GlobalSecondaryIndexes"]
    }

    assert table["KeySchema"] == [
        {"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]} for k in schema["key_schema"]
    ]
    assert sorted(table["AttributeDefinitions"], key=str) == sorted(
        schema["attribute_definitions"], key=str
    )
    assert set(indexes) == set(expected_indexes)
    for name, (keys, projection) in indexes.items():
        expected_keys, expected_projection = expected_indexes[name]
        assert keys == expected_keys, name
        assert projection["ProjectionType"] == expected_projection["ProjectionType"], name
        assert set(projection.get("NonKeyAttributes", [])) == set(
            expected_projection.get("NonKeyAttributes", [])
        ), name


def test_table_keeps_its_data_and_its_history() -> None:
    for name, table in of_type("AWS::DynamoDB::Table").items():
        condition, in_prod, elsewhere = table["DeletionProtectionEnabled"]["Fn::If"]

        assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, name
        assert table["SSESpecification"]["SSEEnabled"] is True, name
        assert table["TimeToLiveSpecification"]["Enabled"] is True, name
        assert TEMPLATE["Conditions"][condition] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
        assert (in_prod, elsewhere) == (True, False)


def test_every_bucket_is_private_encrypted_versioned_and_tls_only() -> None:
    policies = of_type("AWS::S3::BucketPolicy").values()
    for name, bucket in of_type("AWS::S3::Bucket").items():
        tls_only = [
            s
            for policy in policies
            if target(policy["Bucket"]) == name
            for s in statements(policy)
            if s["Effect"] == "Deny"
            and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        ]

        assert all(bucket["PublicAccessBlockConfiguration"].values()), name
        assert len(bucket["PublicAccessBlockConfiguration"]) == 4, name
        assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"], name
        assert bucket["VersioningConfiguration"]["Status"] == "Enabled", name
        assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
        assert tls_only, name


# --- identity -------------------------------------------------------------------------------


def test_nobody_signs_up_or_moves_themselves_to_another_tenant() -> None:
    for name, pool in of_type("AWS::Cognito::UserPool").items():
        assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True, name
    for name, client in of_type("AWS::Cognito::UserPoolClient").items():
        if "client_credentials" in client.get("AllowedOAuthFlows", []):
            continue  # a machine client's tokens carry no user, so no attribute to write
        # Without WriteAttributes a client may write every attribute, the tenant included.
        assert "custom:tenant_id" not in client.get("WriteAttributes", ["custom:tenant_id"]), name


def test_machine_clients_may_ask_only_for_events_write() -> None:
    servers = of_type("AWS::Cognito::UserPoolResourceServer").values()
    scopes = {f"{s['Identifier']}/{scope['ScopeName']}" for s in servers for scope in s["Scopes"]}
    machines = {
        name: client
        for name, client in of_type("AWS::Cognito::UserPoolClient").items()
        if "client_credentials" in client.get("AllowedOAuthFlows", [])
    }

    assert machines
    for client in machines.values():
        (scope,) = client["AllowedOAuthScopes"]
        assert scope in scopes
        assert scope.endswith(f"/{EVENTS_WRITE}")


def test_handlers_accept_the_scope_of_the_templates_resource_server() -> None:
    (server,) = (s["Identifier"] for s in of_type("AWS::Cognito::UserPoolResourceServer").values())
    variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]

    assert variables["OAUTH_RESOURCE_SERVER"] == server


def test_the_admin_group_is_the_role_the_api_checks() -> None:
    groups = {g["GroupName"] for g in of_type("AWS::Cognito::UserPoolGroup").values()}

    assert ADMIN in groups


def test_outputs_name_what_clients_need() -> None:
    assert set(TEMPLATE["Outputs"]) >= {
        "ApiUrl",
        "TableName",
        "TopicArn",
        "BucketName",
        "UserPoolId",
        "UserPoolClientId",
        "MachineClientId",
        "TokenUrl",
    }
