"""Read template.yaml as SAM does: cfn-lint's loader, then the SAM translator.

This module reads the CloudFormation the translator makes (Globals merged, event source mappings,
schedules, the HTTP API's OpenAPI body) and resolves its few intrinsics to local names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

__all__ = ["LocalNames", "Template", "TemplateError"]


class TemplateError(ValueError):
    """The template is invalid, or uses something the local stack cannot resolve."""


@dataclass(frozen=True)
class LocalNames:
    region: str = "us-east-1"
    account: str = "000000000000"
    prefix: str = "accolade-local"
    # Needed only to turn a queue into its URL (SQS URLs embed the endpoint).
    aws_endpoint: str | None = None

    def physical(self, logical_id: str) -> str:
        return f"{self.prefix}-{logical_id}"

    def with_endpoint(self, aws_endpoint: str) -> LocalNames:
        return replace(self, aws_endpoint=aws_endpoint)

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"

    def table_name(self, logical_id: str = "Table") -> str:
        return self.physical(logical_id)

    def topic_arn(self, logical_id: str) -> str:
        return self.arn("sns", self.physical(logical_id))

    def queue_arn(self, logical_id: str) -> str:
        return self.arn("sqs", self.physical(logical_id))

    def queue_url(self, logical_id: str) -> str:
        if self.aws_endpoint is None:
            raise TemplateError(f"queue URL of {logical_id} needs the moto endpoint")
        return f"{self.aws_endpoint.rstrip('/')}/{self.account}/{self.physical(logical_id)}"

    def bucket_name(self, logical_id: str) -> str:
        return self.physical(logical_id).lower()  # S3 bucket names are lower case only

    def function_arn(self, logical_id: str) -> str:
        return self.arn("lambda", f"function:{self.physical(logical_id)}")


@dataclass(frozen=True)
class TableSpec:
    logical_id: str
    properties: dict[str, Any]

    @property
    def ttl_attribute(self) -> str | None:
        ttl = self.properties.get("TimeToLiveSpecification") or {}
        return str(ttl["AttributeName"]) if ttl.get("Enabled") in (True, "true") else None

    def create_table_kwargs(self, table_name: str) -> dict[str, Any]:
        """CreateTable's arguments (not SSE, PITR, deletion protection: DynamoDB Local rejects)."""
        keys = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
        view = self.properties["StreamSpecification"]["StreamViewType"]
        stream = {"StreamEnabled": True, "StreamViewType": view}
        kwargs = {k: self.properties[k] for k in keys if k in self.properties}
        return {"TableName": table_name, "StreamSpecification": stream, **kwargs}


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    name: str
    code_uri: Path
    handler: str
    timeout: int
    memory: int
    env: dict[str, str]
    layers: tuple[Path, ...] = ()


@dataclass(frozen=True)
class HttpRoute:
    method: str
    path: str
    function_id: str
    auth_required: bool

    @property
    def key(self) -> str:
        """The route key, as in the event's `routeKey`."""
        return f"{self.method} {self.path}"


@dataclass(frozen=True, kw_only=True)
class EventTarget:
    """The function a template event invokes, and the event's name under that function."""

    function_id: str
    event_name: str


@dataclass(frozen=True, kw_only=True)
class StreamMapping(EventTarget):
    table_id: str
    on_failure_queue_id: str | None = None
    starting_position: str = "TRIM_HORIZON"
    filter_patterns: list[dict[str, Any]] = field(default_factory=list)
    batch_size: int = 100
    batching_window_s: float = 0.0
    bisect: bool = False
    max_retries: int = -1  # -1: retry until the record expires, as on AWS
    report_batch_item_failures: bool = False


@dataclass(frozen=True, kw_only=True)
class QueueMapping(EventTarget):
    queue_id: str
    batch_size: int = 10
    report_batch_item_failures: bool = False
    max_concurrency: int = 1000


@dataclass(frozen=True, kw_only=True)
class ScheduleSpec(EventTarget):
    expression: str
    timezone: str = "UTC"
    input: dict[str, Any] | None = None
    dlq_queue_id: str | None = None
    retry_attempts: int = 185


def _load(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(SAM template, CloudFormation it translates to), both as plain JSON data."""
    import boto3
    from cfnlint.decode import decode
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    decoded, problems = decode(str(path))
    if problems or not isinstance(decoded, dict):
        raise TemplateError("; ".join(str(p) for p in problems) or f"{path} is not a mapping")
    sam: dict[str, Any] = json.loads(json.dumps(decoded))
    draft = json.loads(json.dumps(sam))
    # The translator only accepts S3 code locations: the local path rides in the key.
    for resource in draft.get("Resources", {}).values():
        props = resource.get("Properties") or {}
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str):
                props[key] = f"s3://local/{props[key]}"
    session = boto3.Session("x", "x", region_name="us-east-1")  # a key, a secret: not used
    translator = Translator({}, Parser(), boto_session=session)
    try:
        cfn = translator.translate(draft, {}, get_managed_policy_map=dict)
    except InvalidDocumentException as exc:
        raise TemplateError("; ".join(str(e) for e in exc.causes)) from exc
    finally:
        translator.metrics.publish()  # to its no-op publisher: else it warns when collected
    return sam, cfn


class Template:
    """template.yaml, translated, with its intrinsics resolved to local names."""

    def __init__(self, path: Path, params: Mapping[str, str] | None = None) -> None:
        self.root = Path(path).parent
        self.params: dict[str, str] = dict(params or {})
        self.sam, self.data = _load(Path(path))
        self.resources: dict[str, dict[str, Any]] = self.data["Resources"]

    def of_type(self, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(logical id, properties) of each resource of `kind` (no resource has a Condition)."""
        for logical_id, resource in self.resources.items():
            if resource["Type"] == kind:
                yield logical_id, resource.get("Properties") or {}

    def resolve(self, value: Any, names: LocalNames | None = None) -> Any:
        """`value` with its intrinsics resolved to local names, by moto's CloudFormation parser
        (cfn-lint and the translator leave them symbolic)."""
        from moto.cloudformation.parsing import clean_json

        return clean_json(value, cast(Any, _LocalResources(self, names or LocalNames())))

    def type_of(self, logical_id: str) -> str:
        if logical_id not in self.resources:
            raise TemplateError(f"no resource {logical_id} in the template")
        return str(self.resources[logical_id]["Type"])

    def tables(self) -> list[TableSpec]:
        return [TableSpec(i, self.resolve(p)) for i, p in self.of_type("AWS::DynamoDB::Table")]

    def table(self, logical_id: str = "Table") -> TableSpec:
        return next(t for t in self.tables() if t.logical_id == logical_id)

    def functions(self, names: LocalNames | None = None) -> dict[str, FunctionSpec]:
        names = names or LocalNames()
        out: dict[str, FunctionSpec] = {}
        for logical_id, props in self.of_type("AWS::Lambda::Function"):
            variables = self.resolve((props.get("Environment") or {}).get("Variables", {}), names)
            refs = [layer["Ref"] for layer in props.get("Layers") or [] if isinstance(layer, dict)]
            layers = (self.resources[ref]["Properties"]["Content"] for ref in refs)
            name = self.resolve(props.get("FunctionName"), names) or names.physical(logical_id)
            # Lambda's environment holds strings; YAML booleans become "true"/"false".
            env = {
                k: json.dumps(v) if isinstance(v, bool) else str(v) for k, v in variables.items()
            }
            code, handler = (self.root / props["Code"]["S3Key"]).resolve(), str(props["Handler"])
            limits = int(props.get("Timeout", 3)), int(props.get("MemorySize", 128))
            paths = tuple((self.root / content["S3Key"]).resolve() for content in layers)
            out[logical_id] = FunctionSpec(
                logical_id, str(name), code, handler, *limits, env, paths
            )
        return out

    def http_routes(self) -> list[HttpRoute]:
        """Routes from the OpenAPI body the translator builds for each HTTP API."""
        routes: list[HttpRoute] = []
        for _, props in self.of_type("AWS::ApiGatewayV2::Api"):
            for path, operations in (props.get("Body") or {}).get("paths", {}).items():
                for method, operation in operations.items():
                    uri = json.dumps(operation["x-amazon-apigateway-integration"]["uri"])
                    function_id = re.search(r"\$\{(\w+)\.Arn\}", uri)
                    assert function_id is not None, f"{method} {path}: no Lambda integration"
                    security = [name for s in operation.get("security", []) for name in s]
                    verb = method.upper().replace("X-AMAZON-APIGATEWAY-ANY-METHOD", "ANY")
                    auth = bool(security) and security != ["NONE"]
                    routes.append(HttpRoute(verb, path, function_id.group(1), auth))
        return routes

    def _mappings(self, source: str) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
        """(source id, properties, the fields every mapping has) of each from a ``source``."""
        for logical_id, props in self.of_type("AWS::Lambda::EventSourceMapping"):
            source_id = props["EventSourceArn"]["Fn::GetAtt"][0]
            if self.type_of(source_id) == source:
                common = _event(logical_id, props["FunctionName"]["Ref"])
                responses = props.get("FunctionResponseTypes", [])
                common["report_batch_item_failures"] = "ReportBatchItemFailures" in responses
                yield source_id, props, common

    def stream_mappings(self) -> list[StreamMapping]:
        mappings: list[StreamMapping] = []
        for table_id, props, common in self._mappings("AWS::DynamoDB::Table"):
            on_failure = (props.get("DestinationConfig") or {}).get("OnFailure") or {}
            filters = (props.get("FilterCriteria") or {}).get("Filters", [])
            mappings.append(
                StreamMapping(
                    **common,
                    table_id=table_id,
                    on_failure_queue_id=_target_id(on_failure.get("Destination")),
                    starting_position=str(props.get("StartingPosition", "TRIM_HORIZON")),
                    filter_patterns=[json.loads(f["Pattern"]) for f in filters],
                    batch_size=int(props.get("BatchSize", 100)),
                    batching_window_s=float(props.get("MaximumBatchingWindowInSeconds", 0)),
                    bisect=props.get("BisectBatchOnFunctionError") in (True, "true"),
                    max_retries=int(props.get("MaximumRetryAttempts", -1)),
                )
            )
        return mappings

    def queue_mappings(self) -> list[QueueMapping]:
        return [
            QueueMapping(
                **common,
                queue_id=queue_id,
                batch_size=int(props.get("BatchSize", 10)),
                max_concurrency=int(
                    (props.get("ScalingConfig") or {}).get("MaximumConcurrency", 1000)
                ),
            )
            for queue_id, props, common in self._mappings("AWS::SQS::Queue")
        ]

    def schedules(self, names: LocalNames | None = None) -> list[ScheduleSpec]:
        out: list[ScheduleSpec] = []
        for logical_id, props in self.of_type("AWS::Scheduler::Schedule"):
            target = props["Target"]
            timezone = self.resolve(props.get("ScheduleExpressionTimezone", "UTC"), names)
            retries = (target.get("RetryPolicy") or {}).get("MaximumRetryAttempts", 185)
            out.append(
                ScheduleSpec(
                    **_event(logical_id, target["Arn"]["Fn::GetAtt"][0]),
                    expression=str(self.resolve(props["ScheduleExpression"], names)),
                    timezone=str(timezone),
                    input=json.loads(target["Input"]) if "Input" in target else None,
                    dlq_queue_id=_target_id((target.get("DeadLetterConfig") or {}).get("Arn")),
                    retry_attempts=int(retries),
                )
            )
        return out


class _LocalResources:
    """The stack as moto's parser asks about it: `[name]` is a Ref's value, `.get(name)` answers
    Fn::GetAtt, `lazy_condition_map` holds the template's conditions."""

    def __init__(self, template: Template, names: LocalNames) -> None:
        from moto.cloudformation.parsing import LazyDict, parse_condition

        self.template, self.names = template, names
        self.lazy_condition_map, resources = LazyDict(), cast(Any, self)
        for name, condition in (template.data.get("Conditions") or {}).items():
            self.lazy_condition_map[name] = partial(
                parse_condition, condition, resources, self.lazy_condition_map
            )

    def __getitem__(self, name: str) -> Any:
        pseudo: dict[str, Any] = {"AWS::Region": self.names.region}
        pseudo |= {"AWS::AccountId": self.names.account, "AWS::StackName": self.names.prefix}
        pseudo["AWS::NoValue"] = None
        if name in pseudo:
            return pseudo[name]
        if name in (self.template.data.get("Parameters") or {}):
            default = self.template.data["Parameters"][name].get("Default")
            value = self.template.params.get(name, default)
            if value is None:
                raise TemplateError(f"parameter {name} has no value and no default")
            return str(value)
        by_kind = {"AWS::SNS::Topic": self.names.topic_arn, "AWS::SQS::Queue": self.names.queue_url}
        by_kind["AWS::S3::Bucket"] = self.names.bucket_name
        return by_kind.get(self.template.type_of(name), self.names.physical)(name)

    def get(self, name: str) -> SimpleNamespace:
        return SimpleNamespace(get_cfn_attribute=partial(self._attribute, name))

    def _attribute(self, resource: str, attribute: str) -> str:
        kind, physical = self.template.type_of(resource), self.names.physical(resource)
        if kind == "AWS::DynamoDB::Table" and attribute in ("Arn", "StreamArn"):
            # The real stream ARN carries a creation time: pollers ask DescribeTable for it.
            arn = self.names.arn("dynamodb", f"table/{physical}")
            return {"Arn": arn, "StreamArn": f"{arn}/stream/local"}[attribute]
        if kind == "AWS::SQS::Queue" and attribute == "Arn":
            return self.names.queue_arn(resource)
        raise TemplateError(f"{resource}.{attribute} is not supported by the local stack")


def _event(logical_id: str, function_id: str) -> dict[str, Any]:
    """An event's function and its name: the event's logical id without the function's."""
    return {"function_id": function_id, "event_name": logical_id.removeprefix(function_id)}


def _target_id(value: Any) -> str | None:
    """The logical id behind `!GetAtt X.Arn`."""
    return str(value["Fn::GetAtt"][0]) if value else None
