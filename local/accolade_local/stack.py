"""The whole local stack in one context manager: emulators, functions, API, pollers, schedules."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, Self

from accolade_local import services
from accolade_local.gateway import Gateway
from accolade_local.pollers import Poller, QueuePoller, Scheduler
from accolade_local.runtime import FunctionWorkers
from accolade_local.streams import CheckpointStore, StreamPoller
from accolade_local.template import LocalNames, Template
from accolade_local.tokens import LocalSigner

__all__ = ["AUDIENCE", "DEMO_TENANT", "LocalStack", "issuer_for", "read_state"]

log = logging.getLogger("accolade_local")

AUDIENCE = "accolade-local"
DEMO_TENANT = "demo"
STATE_FILE = "stack.json"
BANNER_TOKEN_TTL_S = 12 * 3600
HTTP_CONCURRENCY = 2  # warm environments of an HTTP function (the others get one)


def issuer_for(api_port: int) -> str:
    return f"http://127.0.0.1:{api_port}/local-issuer"


def read_state(data_dir: Path) -> dict[str, Any] | None:
    """The running stack's endpoints (.local/stack.json), or None when no stack is running."""
    try:
        state: dict[str, Any] = json.loads((data_dir / STATE_FILE).read_text(encoding="utf-8"))
        os.kill(state["pid"], 0)
    except PermissionError:
        pass
    except (OSError, ValueError, KeyError, TypeError):  # no file, or a stale one
        return None
    return state


class LocalStack:
    """template.yaml run on this machine; `stop()` (or leaving `with`) leaves nothing behind."""

    def __init__(
        self,
        root: Path,
        *,
        api_port: int = 3000,
        dynamodb_port: int = 8000,
        aws_port: int = 5000,
        data_dir: Path | None = None,
        in_memory: bool = False,
        schedules: bool = True,
        params: Mapping[str, str] | None = None,
        out: Callable[[str], None] | None = None,
    ) -> None:
        self.root = Path(root).resolve()
        self.api_port = api_port
        self.dynamodb_port = dynamodb_port
        self.aws_port = aws_port
        self.api_url = f"http://127.0.0.1:{api_port}"
        self.dynamodb_endpoint = f"http://127.0.0.1:{dynamodb_port}"
        self.aws_endpoint = f"http://127.0.0.1:{aws_port}"
        self.data_dir = Path(data_dir) if data_dir is not None else self.root / ".local"
        self.in_memory = in_memory
        self.enable_schedules = schedules
        self.out = out or (lambda _line: None)
        # Links the functions hand out (verification, issuer and status list URLs) lead here.
        params = {"PublicBaseUrl": self.api_url, **(params or {})}
        self.template: Template = Template(self.root / "template.yaml", params)
        self.names = LocalNames()
        self.signer = LocalSigner(self.data_dir / "jwt", issuer_for(api_port), AUDIENCE)
        self.workers: dict[str, FunctionWorkers] = {}
        self.pollers: list[Poller] = []
        self.scheduler: Scheduler | None = None
        self._stopped = threading.Event()
        self._started = False
        self._stops = contextlib.ExitStack()  # what start() started, stopped in reverse order

    def client(self, service: str) -> Any:
        """A boto3 client for the stack's emulators (DynamoDB Local or moto)."""
        dynamodb = service in ("dynamodb", "dynamodbstreams")
        endpoint = self.dynamodb_endpoint if dynamodb else self.aws_endpoint
        return services.client(service, endpoint, self.names.region)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> Self:
        if self._started:
            return self
        self._started = True
        # Fail early, naming the port and what it is for, if another process holds one.
        services.ensure_port_free(self.api_port, "the local HTTP API", "--api-port")
        services.ensure_port_free(self.dynamodb_port, "DynamoDB Local", "--dynamodb-port")
        services.ensure_port_free(self.aws_port, "the moto AWS emulator", "--aws-port")
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        logs = self.data_dir / "logs"
        ddb_dir = None if self.in_memory else self.data_dir / "dynamodb"
        ddb = services.DynamoDBLocal(self.dynamodb_port, ddb_dir, log_path=logs / "dynamodb.log")
        self._stops.enter_context(ddb)
        self._stops.enter_context(services.MotoServer(self.aws_port, log_path=logs / "moto.log"))
        self.names = self.names.with_endpoint(self.aws_endpoint)
        services.provision(self.template, self.names, self.dynamodb_endpoint, self.aws_endpoint)
        self._start_workers()
        routes = self.template.http_routes()
        web = self.root / "web" / "dist"  # built by `make setup`
        gateway = Gateway(routes, self.workers, self.signer, port=self.api_port, web_dir=web)
        self._stops.callback(gateway.start().stop)
        for poller in self._pollers():
            self.pollers.append(poller.start())
            self._stops.callback(poller.stop)
        state: dict[str, Any] = {"pid": os.getpid(), "api_port": self.api_port}
        state |= {"dynamodb_endpoint": self.dynamodb_endpoint, "aws_endpoint": self.aws_endpoint}
        (self.data_dir / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")

    def _start_workers(self) -> None:
        http_functions = {r.function_id for r in self.template.http_routes()}
        for function_id, spec in self.template.functions(self.names).items():
            concurrency = HTTP_CONCURRENCY if function_id in http_functions else 1
            workers = services.function_workers(
                spec, self.names, self.dynamodb_endpoint, concurrency
            )
            self.workers[function_id] = workers
            self._stops.callback(workers.stop)
        # Cold starts in parallel now, so the first request does not pay for them.
        with ThreadPoolExecutor(max_workers=max(len(self.workers), 1)) as pool:
            list(pool.map(self._warm, self.workers.values()))

    def _warm(self, workers: FunctionWorkers) -> None:
        try:
            if not workers.warm():
                self.out(f"warning: {workers.function_id} cannot import its handler")
        except Exception as exc:
            self.out(f"warning: {workers.function_id} failed to start: {exc}")

    def _pollers(self) -> Iterator[Poller]:
        """A poller per event source mapping of the template, and the scheduler."""
        dynamodb, streams, sqs = map(self.client, ("dynamodb", "dynamodbstreams", "sqs"))
        saved = None if self.in_memory else self.data_dir / "stream-checkpoints.json"
        checkpoints = CheckpointStore(saved)
        for mapping in self.template.stream_mappings():
            table = dynamodb.describe_table(TableName=self.names.table_name(mapping.table_id))
            yield StreamPoller(
                mapping,
                self.workers[mapping.function_id],
                streams,
                table["Table"]["LatestStreamArn"],
                checkpoints=checkpoints,
                on_failure=partial(self._send, mapping.on_failure_queue_id),
                function_arn=self.names.function_arn(mapping.function_id),
            )
        for queue in self.template.queue_mappings():
            url, arn = self.names.queue_url(queue.queue_id), self.names.queue_arn(queue.queue_id)
            yield QueuePoller(queue, self.workers[queue.function_id], sqs, url, arn)
        schedules = self.template.schedules(self.names)
        if self.enable_schedules and schedules:
            self.scheduler = Scheduler(
                schedules,
                self.workers,
                names=self.names,
                dead_letter=lambda spec, event, attrs: self._send(spec.dlq_queue_id, event, attrs),
            )
            yield self.scheduler

    def stop(self) -> None:
        """Stop everything started, in reverse order; safe to call twice or after a failed start."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        state = read_state(self.data_dir)
        if state is not None and state["pid"] == os.getpid():
            (self.data_dir / STATE_FILE).unlink(missing_ok=True)
        try:
            self._stops.close()
        except Exception:
            log.exception("stopping the local stack failed")

    def _send(self, queue_id: str | None, body: Any, attributes: Mapping[str, str] = {}) -> None:
        """A failed event to its destination queue, its error in the message attributes."""
        if queue_id is None:
            log.error("no destination queue for a failed event: %s", json.dumps(body))
            return
        self.client("sqs").send_message(
            QueueUrl=self.names.queue_url(queue_id),
            MessageBody=json.dumps(body),
            MessageAttributes={
                k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()
            },
        )

    def wait(self) -> None:
        """Block until stop() is called (from a signal handler or another thread)."""
        self._stopped.wait()

    # -- helpers for tests, e2e and the CLI

    def drain(self, timeout: float = 60.0) -> int:
        """Wait until every stream record and queue message written so far, and those they
        caused, is processed; how many were."""
        deadline, total = time.monotonic() + timeout, 0
        # A pass with nothing processed means no poller caused writes another has not seen.
        while processed := sum(p.drain(deadline - time.monotonic()) for p in self.pollers):
            total += processed
        return total

    def invoke(self, function_id: str, event: Any) -> Any:
        """Invoke one function synchronously, as `aws lambda invoke` would."""
        return self.workers[function_id].invoke(event)

    def token(self, tenant: str = DEMO_TENANT, user: str = "user-1", **claims: Any) -> str:
        """A JWT the local API accepts: LocalSigner.mint's options (admin, scopes, expires_in)."""
        return self.signer.mint(tenant, user, **claims)

    def seed_demo(self) -> None:
        """The demo tenant's first minute, over its API (web/seed.mjs): once."""
        tokens = {"user-2": self.token(DEMO_TENANT, "user-2")}
        tokens["admin-1"] = self.token(DEMO_TENANT, "admin-1", admin=True)
        tokens["ingest"] = self.token(DEMO_TENANT, "ingest", scopes=["events:write"])
        seed = ["node", "web/seed.mjs", self.api_url, json.dumps(tokens)]
        subprocess.run(seed, cwd=self.root, check=False)  # a failed seed leaves the stack up
        self.drain()

    def banner(self) -> str:
        """What `accolade local up` prints: URLs, tokens and sign-in links for the demo tenant."""
        ttl = BANNER_TOKEN_TTL_S
        admin = self.token(DEMO_TENANT, "admin-1", admin=True, expires_in=ttl)
        user = self.token(DEMO_TENANT, "user-1", expires_in=ttl)
        lines = [
            "Accolade local stack is up",
            f"  API            {self.api_url}",
            f"  Swagger UI     {self.api_url}/v1/swagger",
            f"  OpenAPI        {self.api_url}/v1/openapi.json",
            f"  JWKS           {self.api_url}/.well-known/jwks.json",
            f"  DynamoDB       {self.dynamodb_endpoint} (DynamoDB Local)",
            f"  AWS emulator   {self.aws_endpoint} (moto: SNS, SQS, S3)",
            f"  Data           {self.data_dir}"
            + (" (DynamoDB in memory)" if self.in_memory else ""),
            "",
            f'Tokens for tenant "{DEMO_TENANT}" (valid {ttl // 3600} h; '
            "`accolade local token --help` mints others):",
            f"  admin admin-1  {admin}",
            f"  user  user-1   {user}",
            "  machine (events:write)  "
            + self.token(DEMO_TENANT, "ingest-client", scopes=("events:write",), expires_in=ttl),
            "",
            f"Console {self.api_url}/console/: sign in as admin-1, then user-1, with",
            *(f"  {self.api_url}/console/#token={token}" for token in (admin, user)),
        ]
        if self.scheduler is not None:
            lines += ["", "Schedules:"]
            for name, at in self.scheduler.upcoming():
                when = at.strftime("%Y-%m-%d %H:%M %Z") if at else "never"
                lines.append(f"  {name:<16} next {when}")
        lines += ["", "Ctrl-C stops the stack."]
        return "\n".join(lines)
