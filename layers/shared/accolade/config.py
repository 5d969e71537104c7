"""Configuration: one value, read from the environment once per cold start.

A NamedTuple, not a pydantic model: every field is a string the environment gives as one, so
validation adds nothing, and every handler reads its settings on its cold start (creating the
model and building its validator came first of all, before its first request)."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import NamedTuple


class Settings(NamedTuple):
    table_name: str
    topic_arn: str = ""
    bucket_name: str = ""
    winners_queue_url: str = ""
    stage: str = "dev"
    region: str = "us-east-1"
    # The Cognito resource server whose "<identifier>/events:write" scope machine clients get.
    resource_server: str = "accolade"
    # Where the API is reached from outside: verification links in certificates' QR codes and
    # certificate links in notifications start with it.
    public_base_url: str = ""
    # Set by the local stack (and tests); absent on AWS, where the SDK's defaults apply.
    dynamodb_endpoint: str | None = None
    # The private bucket of custom badge images (the api function only).
    badges_bucket_name: str = ""
    # The KMS key (id, ARN or alias) that seals the tenants' credential issuer keys.
    issuer_kms_key: str = ""

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            table_name=env["TABLE_NAME"],
            topic_arn=env.get("TOPIC_ARN", ""),
            bucket_name=env.get("BUCKET_NAME", ""),
            winners_queue_url=env.get("WINNERS_QUEUE_URL", ""),
            stage=env.get("STAGE", "dev"),
            public_base_url=env.get("PUBLIC_BASE_URL", ""),
            resource_server=env.get("OAUTH_RESOURCE_SERVER", "accolade"),
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            dynamodb_endpoint=env.get("AWS_ENDPOINT_URL_DYNAMODB") or env.get("AWS_ENDPOINT_URL"),
            badges_bucket_name=env.get("BADGES_BUCKET_NAME", ""),
            issuer_kms_key=env.get("ISSUER_KMS_KEY", ""),
        )


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.from_env()


_TRUTHY = frozenset({"1", "y", "yes", "t", "true", "on"})  # Powertools' strtobool


def tracing_enabled() -> bool:
    """Whether this process can send X-Ray traces: in Lambda (not SAM's or Chalice's emulator),
    unless POWERTOOLS_TRACE_DISABLED says otherwise. Powertools' own rule, decided before the
    X-Ray SDK is imported, so that a process that cannot trace never loads it."""
    env = os.environ
    if env.get("POWERTOOLS_TRACE_DISABLED", "false").lower() in _TRUTHY:
        return False
    emulated = env.get("AWS_SAM_LOCAL") or env.get("AWS_CHALICE_CLI_MODE")
    return bool(env.get("LAMBDA_TASK_ROOT")) and not emulated
