"""Read template.yaml: the local stack's single source for tables, functions, routes and schedules.

CloudFormation short tags are handled by a small yaml.SafeLoader subclass rather than
cfn-lint's decoder: importing cfnlint costs ~0.7 s on every CLI start, this costs nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "BucketSpec",
    "FunctionSpec",
    "HttpRoute",
    "JwtAuthorizer",
    "LocalNames",
    "QueueSpec",
    "ScheduleSpec",
    "StreamMapping",
    "SubscriptionSpec",
    "TableSpec",
    "Template",
    "TemplateError",
    "TopicSpec",
    "load_template",
    "match_any",
    "match_filter",
]


class TemplateError(ValueError):
    """The template uses something the local stack cannot resolve."""


# --- YAML with CloudFormation short tags ------------------------------------------------------


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns `!Ref X` into `{"Ref": "X"}` and `!Sub s` into `{"Fn::Sub": s}`."""


def _construct(node: yaml.Node, loader: yaml.SafeLoader) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    raise yaml.constructor.ConstructorError(None, None, f"unexpected node {node!r}")


def _short_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> Any:
    value = _construct(node, loader)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        resource, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [resource, attribute]}
    return {f"Fn::{tag_suffix}": value}


_CfnLoader.add_multi_constructor("!", _short_tag)


def _load_yaml(text: str) -> dict[str, Any]:
    data = yaml.load(text, Loader=_CfnLoader)  # a SafeLoader subclass
    if not isinstance(data, dict):
        raise TemplateError("template is not a mapping")
    return data


# --- Local physical names ---------------------------------------------------------------------


@dataclass(frozen=True)
class LocalNames:
    """Physical names and ARNs the local stack gives the template's resources."""

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

    def table_arn(self, logical_id: str = "Table") -> str:
        return self.arn("dynamodb", f"table/{self.table_name(logical_id)}")

    def topic_arn(self, logical_id: str) -> str:
        return self.arn("sns", self.physical(logical_id))

    def queue_name(self, logical_id: str) -> str:
        return self.physical(logical_id)

    def queue_arn(self, logical_id: str) -> str:
        return self.arn("sqs", self.queue_name(logical_id))

    def queue_url(self, logical_id: str, endpoint: str | None = None) -> str:
        base = endpoint or self.aws_endpoint
        if base is None:
            raise TemplateError(f"queue URL of {logical_id} needs the moto endpoint")
        return f"{base.rstrip('/')}/{self.account}/{self.queue_name(logical_id)}"

    def bucket_name(self, logical_id: str) -> str:
        # S3 bucket names are lower case only.
        return self.physical(logical_id).lower()

    def function_name(self, logical_id: str) -> str:
        return self.physical(logical_id)

    def function_arn(self, logical_id: str) -> str:
        return self.arn("lambda", f"function:{self.function_name(logical_id)}")


# --- Specs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableSpec:
    logical_id: str
    properties: dict[str, Any]

    @property
    def ttl_attribute(self) -> str | None:
        ttl = self.properties.get("TimeToLiveSpecification") or {}
        if ttl.get("Enabled") in (True, "true", "True") and ttl.get("AttributeName"):
            return str(ttl["AttributeName"])
        return None

    @property
    def stream_view_type(self) -> str | None:
        spec = self.properties.get("StreamSpecification") or {}
        view = spec.get("StreamViewType")
        return str(view) if view else None

    def create_table_kwargs(self, table_name: str | None = None) -> dict[str, Any]:
        """CreateTable arguments (no SSE / PITR: DynamoDB Local ignores or rejects them)."""
        props = self.properties
        billing = str(props.get("BillingMode", "PROVISIONED"))
        kwargs: dict[str, Any] = {
            "TableName": table_name or LocalNames().table_name(self.logical_id),
            "AttributeDefinitions": [dict(a) for a in props["AttributeDefinitions"]],
            "KeySchema": [dict(k) for k in props["KeySchema"]],
            "BillingMode": billing,
        }
        if billing == "PROVISIONED":
            kwargs["ProvisionedThroughput"] = _throughput(props)
        gsis = [_index(i, billing) for i in props.get("GlobalSecondaryIndexes") or []]
        if gsis:
            kwargs["GlobalSecondaryIndexes"] = gsis
        lsis = [_index(i, None) for i in props.get("LocalSecondaryIndexes") or []]
        if lsis:
            kwargs["LocalSecondaryIndexes"] = lsis
        if self.stream_view_type:
            kwargs["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": self.stream_view_type,
            }
        return kwargs


def _throughput(props: Mapping[str, Any]) -> dict[str, int]:
    pt = props.get("ProvisionedThroughput") or {}
    return {
        "ReadCapacityUnits": int(pt.get("ReadCapacityUnits", 5)),
        "WriteCapacityUnits": int(pt.get("WriteCapacityUnits", 5)),
    }


def _index(index: Mapping[str, Any], billing: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "IndexName": index["IndexName"],
        "KeySchema": [dict(k) for k in index["KeySchema"]],
        "Projection": dict(index.get("Projection") or {"ProjectionType": "ALL"}),
    }
    if billing == "PROVISIONED":
        out["ProvisionedThroughput"] = _throughput(index)
    return out


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    name: str
    code_uri: Path
    handler: str
    module: str
    function: str
    runtime: str | None
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
    authorizer: str | None = None
    event_name: str = ""
    api_id: str | None = None


@dataclass(frozen=True)
class JwtAuthorizer:
    name: str
    issuer: str
    audience: tuple[str, ...]
    identity_source: str = "$request.header.Authorization"


@dataclass(frozen=True)
class StreamMapping:
    function_id: str
    event_name: str
    table_id: str
    batch_size: int = 100
    batching_window_s: float = 0.0
    bisect: bool = False
    # -1 = retry until the record expires, as on AWS.
    max_retries: int = -1
    report_batch_item_failures: bool = False
    filter_patterns: list[dict[str, Any]] = field(default_factory=list)
    on_failure_queue_id: str | None = None
    starting_position: str = "TRIM_HORIZON"
    enabled: bool = True


@dataclass(frozen=True)
class ScheduleSpec:
    function_id: str
    event_name: str
    expression: str
    timezone: str = "UTC"
    input: dict[str, Any] | None = None
    dlq_queue_id: str | None = None
    retry_attempts: int = 185
    enabled: bool = True


@dataclass(frozen=True)
class TopicSpec:
    logical_id: str
    fifo: bool = False
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class QueueSpec:
    logical_id: str
    fifo: bool = False
    attributes: dict[str, str] = field(default_factory=dict)
    dead_letter_queue_id: str | None = None
    max_receive_count: int | None = None


@dataclass(frozen=True)
class BucketSpec:
    logical_id: str


@dataclass(frozen=True)
class SubscriptionSpec:
    logical_id: str
    topic_id: str
    protocol: str
    queue_id: str | None
    endpoint: str
    raw_message_delivery: bool = False
    dead_letter_queue_id: str | None = None
    filter_policy: dict[str, Any] | None = None


# --- The template -----------------------------------------------------------------------------

_NO_VALUE = object()
_SUB_VAR = re.compile(r"\$\{([^}]+)\}")

_TABLE = "AWS::DynamoDB::Table"
_TOPIC = "AWS::SNS::Topic"
_QUEUE = "AWS::SQS::Queue"
_BUCKET = "AWS::S3::Bucket"
_FUNCTIONS = ("AWS::Serverless::Function", "AWS::Lambda::Function")


class Template:
    """A parsed template.yaml with resolution of intrinsics to local names."""

    def __init__(
        self,
        data: dict[str, Any],
        path: Path | None = None,
        params: Mapping[str, str] | None = None,
    ) -> None:
        self.data = data
        self.path = path
        self.root = path.parent if path is not None else Path.cwd()
        self.params: dict[str, str] = dict(params or {})

    # -- raw sections

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        resources: dict[str, dict[str, Any]] = self.data.get("Resources") or {}
        return resources

    @property
    def parameters(self) -> dict[str, dict[str, Any]]:
        parameters: dict[str, dict[str, Any]] = self.data.get("Parameters") or {}
        return parameters

    def resource_type(self, logical_id: str) -> str:
        try:
            return str(self.resources[logical_id]["Type"])
        except KeyError as exc:
            raise TemplateError(f"no resource {logical_id} in the template") from exc

    def _properties(self, logical_id: str) -> dict[str, Any]:
        props: dict[str, Any] = self.resources[logical_id].get("Properties") or {}
        return props

    def _of_type(self, *types: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for logical_id, resource in self.resources.items():
            if resource.get("Type") not in types:
                continue
            condition = resource.get("Condition")
            if condition and not self.condition(str(condition)):
                continue
            yield logical_id, resource

    # -- resolution

    def parameter(self, name: str, params: Mapping[str, str] | None = None) -> str:
        overrides = {**self.params, **(params or {})}
        if name in overrides:
            return str(overrides[name])
        spec = self.parameters.get(name)
        if spec is None:
            raise TemplateError(f"no parameter {name}")
        if "Default" not in spec:
            raise TemplateError(f"parameter {name} has no default: pass a value")
        return str(spec["Default"])

    def condition(
        self, name: str, names: LocalNames | None = None, params: Mapping[str, str] | None = None
    ) -> bool:
        conditions = self.data.get("Conditions") or {}
        if name not in conditions:
            raise TemplateError(f"no condition {name}")
        return bool(self.resolve(conditions[name], names, params))

    def resolve(
        self,
        value: Any,
        names: LocalNames | None = None,
        params: Mapping[str, str] | None = None,
    ) -> Any:
        """Resolve intrinsic functions in `value` to local names, ARNs and parameter values."""
        resolved = self._resolve(value, names or LocalNames(), params or {})
        return None if resolved is _NO_VALUE else resolved

    def _resolve(self, value: Any, names: LocalNames, params: Mapping[str, str]) -> Any:
        if isinstance(value, list):
            items = [self._resolve(v, names, params) for v in value]
            return [i for i in items if i is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self._ref(str(arg), names, params)
            if key == "Condition" and isinstance(arg, str):
                return self.condition(arg, names, params)
            if key.startswith("Fn::"):
                return self._fn(key[4:], arg, names, params)
        out = {k: self._resolve(v, names, params) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not _NO_VALUE}

    def _fn(self, fn: str, arg: Any, names: LocalNames, params: Mapping[str, str]) -> Any:
        if fn == "GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            resource, attribute = (self._resolve(p, names, params) for p in parts)
            return self._get_att(str(resource), str(attribute), names)
        if fn == "Sub":
            return self._sub(arg, names, params)
        if fn == "Join":
            sep, items = arg
            return str(sep).join(str(i) for i in self._resolve(items, names, params))
        if fn == "Select":
            index, items = (self._resolve(a, names, params) for a in arg)
            return items[int(index)]
        if fn == "Split":
            sep, text = (self._resolve(a, names, params) for a in arg)
            return str(text).split(str(sep))
        if fn == "If":
            cond, when_true, when_false = arg
            chosen = when_true if self.condition(str(cond), names, params) else when_false
            return self._resolve(chosen, names, params)
        if fn == "Equals":
            left, right = (self._resolve(a, names, params) for a in arg)
            return str(left) == str(right)
        if fn == "Not":
            return not self._resolve(arg[0], names, params)
        if fn == "And":
            return all(self._resolve(a, names, params) for a in arg)
        if fn == "Or":
            return any(self._resolve(a, names, params) for a in arg)
        if fn == "FindInMap":
            mapping, top, second = (self._resolve(a, names, params) for a in arg)
            return self.data["Mappings"][mapping][top][second]
        if fn == "GetAZs":
            return [f"{names.region}{z}" for z in "abc"]
        if fn in ("Base64", "ToJsonString"):
            resolved = self._resolve(arg, names, params)
            return resolved if isinstance(resolved, str) else json.dumps(resolved)
        raise TemplateError(f"Fn::{fn} is not supported by the local stack")

    def _sub(self, arg: Any, names: LocalNames, params: Mapping[str, str]) -> str:
        if isinstance(arg, list):
            text, variables = arg[0], self._resolve(arg[1], names, params)
        else:
            text, variables = arg, {}

        def replace_var(match: re.Match[str]) -> str:
            expr = match.group(1)
            if expr.startswith("!"):
                return "${" + expr[1:] + "}"
            if expr in variables:
                return str(variables[expr])
            if "." in expr and not expr.startswith("AWS::"):
                resource, attribute = expr.split(".", 1)
                return str(self._get_att(resource, attribute, names))
            return str(self._ref(expr, names, params))

        return _SUB_VAR.sub(replace_var, str(text))

    def _ref(self, name: str, names: LocalNames, params: Mapping[str, str]) -> Any:
        pseudo = {
            "AWS::Region": names.region,
            "AWS::AccountId": names.account,
            "AWS::StackName": names.prefix,
            "AWS::StackId": names.arn("cloudformation", f"stack/{names.prefix}/local"),
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameter(name, params)
        kind = self.resource_type(name)
        if kind == _TOPIC:
            return names.topic_arn(name)
        if kind == _QUEUE:
            return names.queue_url(name)
        if kind == _BUCKET:
            return names.bucket_name(name)
        return names.physical(name)

    def _get_att(self, resource: str, attribute: str, names: LocalNames) -> Any:
        kind = self.resource_type(resource)
        if kind == _TABLE:
            if attribute == "Arn":
                return names.table_arn(resource)
            if attribute == "StreamArn":
                # The real stream ARN carries a creation timestamp: pollers ask DescribeTable.
                return f"{names.table_arn(resource)}/stream/local"
        if kind == _TOPIC:
            return {"TopicArn": names.topic_arn(resource), "TopicName": names.physical(resource)}[
                attribute
            ]
        if kind == _QUEUE:
            return {
                "Arn": names.queue_arn(resource),
                "QueueName": names.queue_name(resource),
                "QueueUrl": names.queue_url(resource) if attribute == "QueueUrl" else "",
            }[attribute]
        if kind == _BUCKET:
            bucket = names.bucket_name(resource)
            return {
                "Arn": f"arn:aws:s3:::{bucket}",
                "DomainName": f"{bucket}.s3.amazonaws.com",
                "RegionalDomainName": f"{bucket}.s3.{names.region}.amazonaws.com",
            }[attribute]
        if kind in _FUNCTIONS and attribute == "Arn":
            return names.function_arn(resource)
        if kind == "AWS::Cognito::UserPool" and attribute == "ProviderURL":
            return f"https://cognito-idp.{names.region}.amazonaws.com/{names.physical(resource)}"
        if attribute == "Arn":
            service = kind.split("::")[1].lower() if "::" in kind else "local"
            return names.arn(service, names.physical(resource))
        return f"{names.physical(resource)}.{attribute}"

    # -- typed views

    def table(self, logical_id: str = "Table") -> TableSpec:
        if self.resource_type(logical_id) != _TABLE:
            raise TemplateError(f"{logical_id} is not a DynamoDB table")
        return TableSpec(logical_id, self.resolve(self._properties(logical_id)))

    def tables(self) -> list[TableSpec]:
        return [self.table(logical_id) for logical_id, _ in self._of_type(_TABLE)]

    def _function_globals(self) -> dict[str, Any]:
        globals_: dict[str, Any] = (self.data.get("Globals") or {}).get("Function") or {}
        return globals_

    def functions(
        self, names: LocalNames | None = None, params: Mapping[str, str] | None = None
    ) -> dict[str, FunctionSpec]:
        names = names or LocalNames()
        glob = self._function_globals()
        out: dict[str, FunctionSpec] = {}
        for logical_id, _ in self._of_type(*_FUNCTIONS):
            props = {**glob, **self._properties(logical_id)}
            env_raw = {
                **((glob.get("Environment") or {}).get("Variables") or {}),
                **((self._properties(logical_id).get("Environment") or {}).get("Variables") or {}),
            }
            env = {k: _env_str(v) for k, v in self.resolve(env_raw, names, params).items()}
            handler = str(props.get("Handler", "app.lambda_handler"))
            module, _, function = handler.rpartition(".")
            code_uri = props.get("CodeUri") or "."
            out[logical_id] = FunctionSpec(
                logical_id=logical_id,
                name=str(
                    self.resolve(props.get("FunctionName"), names, params)
                    or names.function_name(logical_id)
                ),
                code_uri=(self.root / str(code_uri)).resolve(),
                handler=handler,
                module=module,
                function=function,
                runtime=props.get("Runtime"),
                timeout=int(props.get("Timeout", 3)),
                memory=int(props.get("MemorySize", 128)),
                env=env,
                layers=tuple(self._layer_paths(props.get("Layers") or [])),
            )
        return out

    def _layer_paths(self, layers: list[Any]) -> Iterator[Path]:
        for layer in layers:
            if isinstance(layer, dict) and "Ref" in layer and layer["Ref"] in self.resources:
                props = self._properties(layer["Ref"])
                content = props.get("ContentUri") or (props.get("Content") or {})
                if isinstance(content, str):
                    yield (self.root / content).resolve()

    def _events(self, kinds: tuple[str, ...]) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for logical_id, _ in self._of_type(*_FUNCTIONS):
            for event_name, event in (self._properties(logical_id).get("Events") or {}).items():
                if event.get("Type") in kinds:
                    yield logical_id, event_name, event

    def _http_apis(self) -> dict[str, dict[str, Any]]:
        glob = (self.data.get("Globals") or {}).get("HttpApi") or {}
        return {
            logical_id: {**glob, **self._properties(logical_id)}
            for logical_id, _ in self._of_type("AWS::Serverless::HttpApi")
        }

    def http_routes(self) -> list[HttpRoute]:
        apis = self._http_apis()
        routes: list[HttpRoute] = []
        for function_id, event_name, event in self._events(("HttpApi",)):
            props = event.get("Properties") or {}
            api_ref = props.get("ApiId")
            api_id = api_ref.get("Ref") if isinstance(api_ref, dict) else None
            if api_id is None and len(apis) == 1:
                api_id = next(iter(apis))
            api = apis.get(api_id or "", {})
            default = (api.get("Auth") or {}).get("DefaultAuthorizer")
            authorizer = (props.get("Auth") or {}).get("Authorizer", default)
            if authorizer == "NONE":
                authorizer = None
            routes.append(
                HttpRoute(
                    method=str(props.get("Method", "ANY")).upper(),
                    path=str(props.get("Path", "/{proxy+}")),
                    function_id=function_id,
                    auth_required=authorizer is not None,
                    authorizer=authorizer,
                    event_name=event_name,
                    api_id=api_id,
                )
            )
        return routes

    def jwt_authorizer(
        self,
        name: str | None = None,
        names: LocalNames | None = None,
        params: Mapping[str, str] | None = None,
    ) -> JwtAuthorizer | None:
        """The HTTP API's JWT authorizer (the default one unless `name` is given)."""
        for api in self._http_apis().values():
            auth = api.get("Auth") or {}
            wanted = name or auth.get("DefaultAuthorizer")
            for auth_name, spec in (auth.get("Authorizers") or {}).items():
                if wanted and auth_name != wanted:
                    continue
                config = spec.get("JwtConfiguration")
                if not config:
                    continue
                config = self.resolve(config, names, params)
                audience = config.get("audience") or config.get("Audience") or []
                return JwtAuthorizer(
                    name=auth_name,
                    issuer=str(config.get("issuer") or config.get("Issuer") or ""),
                    audience=tuple(str(a) for a in audience),
                    identity_source=str(
                        spec.get("IdentitySource", "$request.header.Authorization")
                    ),
                )
        return None

    def _resource_id(self, value: Any) -> str | None:
        """The logical id behind `!GetAtt X.Arn`, `!Ref X` or `{Arn: !GetAtt X.Arn}`."""
        if isinstance(value, dict):
            if "Fn::GetAtt" in value:
                att = value["Fn::GetAtt"]
                return str(att.split(".")[0] if isinstance(att, str) else att[0])
            if "Ref" in value:
                return str(value["Ref"])
            for key in ("Arn", "Destination"):
                if key in value:
                    return self._resource_id(value[key])
        return None

    def stream_mappings(self) -> list[StreamMapping]:
        mappings: list[StreamMapping] = []
        for function_id, event_name, event in self._events(("DynamoDB",)):
            props = event.get("Properties") or {}
            table_id = self._resource_id(props.get("Stream"))
            if table_id is None:
                raise TemplateError(f"{function_id}.{event_name}: cannot tell the stream's table")
            filters = (props.get("FilterCriteria") or {}).get("Filters") or []
            patterns = [
                json.loads(f["Pattern"]) if isinstance(f["Pattern"], str) else f["Pattern"]
                for f in filters
            ]
            on_failure = (props.get("DestinationConfig") or {}).get("OnFailure") or {}
            mappings.append(
                StreamMapping(
                    function_id=function_id,
                    event_name=event_name,
                    table_id=table_id,
                    batch_size=int(props.get("BatchSize", 100)),
                    batching_window_s=float(props.get("MaximumBatchingWindowInSeconds", 0)),
                    bisect=_bool(props.get("BisectBatchOnFunctionError", False)),
                    max_retries=int(props.get("MaximumRetryAttempts", -1)),
                    report_batch_item_failures="ReportBatchItemFailures"
                    in (props.get("FunctionResponseTypes") or []),
                    filter_patterns=patterns,
                    on_failure_queue_id=self._resource_id(on_failure.get("Destination")),
                    starting_position=str(props.get("StartingPosition", "TRIM_HORIZON")),
                    enabled=_bool(props.get("Enabled", True)),
                )
            )
        return mappings

    def schedules(
        self, names: LocalNames | None = None, params: Mapping[str, str] | None = None
    ) -> list[ScheduleSpec]:
        out: list[ScheduleSpec] = []
        for function_id, event_name, event in self._events(("ScheduleV2", "Schedule")):
            props = event.get("Properties") or {}
            expression = props.get("ScheduleExpression", props.get("Schedule"))
            raw_input = self.resolve(props.get("Input"), names, params)
            retry = props.get("RetryPolicy") or {}
            state = props.get("State", "ENABLED" if _bool(props.get("Enabled", True)) else "")
            out.append(
                ScheduleSpec(
                    function_id=function_id,
                    event_name=event_name,
                    expression=str(self.resolve(expression, names, params)),
                    timezone=str(
                        self.resolve(props.get("ScheduleExpressionTimezone", "UTC"), names, params)
                    ),
                    input=json.loads(raw_input) if isinstance(raw_input, str) else raw_input,
                    dlq_queue_id=self._resource_id(props.get("DeadLetterConfig")),
                    retry_attempts=int(retry.get("MaximumRetryAttempts", 185)),
                    enabled=state == "ENABLED",
                )
            )
        return out

    def topics(self) -> list[TopicSpec]:
        return [
            TopicSpec(
                logical_id,
                fifo=_bool(self._properties(logical_id).get("FifoTopic", False)),
                properties=self._properties(logical_id),
            )
            for logical_id, _ in self._of_type(_TOPIC)
        ]

    def queues(
        self, names: LocalNames | None = None, params: Mapping[str, str] | None = None
    ) -> list[QueueSpec]:
        out: list[QueueSpec] = []
        plain = (
            "DelaySeconds",
            "MaximumMessageSize",
            "MessageRetentionPeriod",
            "ReceiveMessageWaitTimeSeconds",
            "VisibilityTimeout",
            "ContentBasedDeduplication",
        )
        for logical_id, _ in self._of_type(_QUEUE):
            props = self._properties(logical_id)
            resolved = self.resolve(props, names, params)
            attributes = {k: _env_str(resolved[k]) for k in plain if k in resolved}
            fifo = _bool(props.get("FifoQueue", False))
            if fifo:
                attributes["FifoQueue"] = "true"
            redrive = props.get("RedrivePolicy") or {}
            out.append(
                QueueSpec(
                    logical_id,
                    fifo=fifo,
                    attributes=attributes,
                    dead_letter_queue_id=self._resource_id(redrive.get("deadLetterTargetArn")),
                    max_receive_count=(
                        int(redrive["maxReceiveCount"]) if "maxReceiveCount" in redrive else None
                    ),
                )
            )
        return out

    def buckets(self) -> list[BucketSpec]:
        return [BucketSpec(logical_id) for logical_id, _ in self._of_type(_BUCKET)]

    def subscriptions(self, names: LocalNames | None = None) -> list[SubscriptionSpec]:
        names = names or LocalNames()
        out: list[SubscriptionSpec] = []
        for logical_id, _ in self._of_type("AWS::SNS::Subscription"):
            props = self._properties(logical_id)
            topic_id = self._resource_id(props.get("TopicArn"))
            if topic_id is None:
                raise TemplateError(f"{logical_id}: cannot tell the subscription's topic")
            redrive = props.get("RedrivePolicy") or {}
            policy = props.get("FilterPolicy")
            out.append(
                SubscriptionSpec(
                    logical_id=logical_id,
                    topic_id=topic_id,
                    protocol=str(props.get("Protocol", "sqs")),
                    queue_id=self._resource_id(props.get("Endpoint")),
                    endpoint=str(self.resolve(props.get("Endpoint"), names)),
                    raw_message_delivery=_bool(props.get("RawMessageDelivery", False)),
                    dead_letter_queue_id=self._resource_id(redrive.get("deadLetterTargetArn")),
                    filter_policy=json.loads(policy) if isinstance(policy, str) else policy,
                )
            )
        # Subscriptions written inline on the topic.
        for topic in self.topics():
            for index, sub in enumerate(topic.properties.get("Subscription") or []):
                out.append(
                    SubscriptionSpec(
                        logical_id=f"{topic.logical_id}Subscription{index}",
                        topic_id=topic.logical_id,
                        protocol=str(sub.get("Protocol", "sqs")),
                        queue_id=self._resource_id(sub.get("Endpoint")),
                        endpoint=str(self.resolve(sub.get("Endpoint"), names)),
                    )
                )
        return out


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def _env_str(value: Any) -> str:
    # Lambda env values are strings; YAML booleans become "true"/"false" as CloudFormation does.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def load_template(path: Path, params: Mapping[str, str] | None = None) -> Template:
    """Parse template.yaml (CloudFormation short tags included)."""
    path = Path(path)
    return Template(_load_yaml(path.read_text(encoding="utf-8")), path=path, params=params)


# --- Lambda event filtering -------------------------------------------------------------------

_MISSING = object()


def match_any(patterns: list[dict[str, Any]], record: Mapping[str, Any]) -> bool:
    """Lambda semantics: no filters = every record; otherwise ANY pattern matching suffices."""
    return not patterns or any(match_filter(p, record) for p in patterns)


def match_filter(pattern: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Whether one Lambda filter pattern matches one event record (the subset we use).

    Hand-written: no maintained Python library implements Lambda/EventBridge patterns.
    """
    for key, expected in pattern.items():
        actual = record.get(key, _MISSING) if isinstance(record, Mapping) else _MISSING
        if isinstance(expected, Mapping):
            if actual is _MISSING:
                actual = {}
            if not isinstance(actual, Mapping) or not match_filter(expected, actual):
                return False
        elif isinstance(expected, list):
            if not _match_leaf(expected, actual):
                return False
        elif actual is _MISSING or actual != expected:
            return False
    return True


def _match_leaf(matchers: list[Any], actual: Any) -> bool:
    values = actual if isinstance(actual, list) else [actual]
    return any(_match_one(m, v) for m in matchers for v in values) or (
        actual is _MISSING and any(m == {"exists": False} for m in matchers)
    )


def _match_one(matcher: Any, value: Any) -> bool:
    if not isinstance(matcher, Mapping):
        return value is not _MISSING and _same(matcher, value)
    if "exists" in matcher:
        return (value is not _MISSING) == bool(matcher["exists"])
    if value is _MISSING:
        return False
    if "prefix" in matcher:
        return isinstance(value, str) and value.startswith(str(matcher["prefix"]))
    if "suffix" in matcher:
        return isinstance(value, str) and value.endswith(str(matcher["suffix"]))
    if "equals-ignore-case" in matcher:
        return (
            isinstance(value, str) and value.lower() == str(matcher["equals-ignore-case"]).lower()
        )
    if "anything-but" in matcher:
        excluded = matcher["anything-but"]
        if isinstance(excluded, Mapping):
            return not _match_one(excluded, value)
        excluded = excluded if isinstance(excluded, list) else [excluded]
        return not any(_same(e, value) for e in excluded)
    if "numeric" in matcher:
        return _numeric(matcher["numeric"], value)
    return False


def _same(expected: Any, value: Any) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return expected is value
    if isinstance(expected, int | float) and isinstance(value, int | float):
        return float(expected) == float(value)
    return bool(expected == value)


def _numeric(conditions: list[Any], value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    checks = {
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        "=": lambda a, b: a == b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }
    pairs = zip(conditions[::2], conditions[1::2], strict=True)
    return all(checks[op](float(value), float(bound)) for op, bound in pairs)
