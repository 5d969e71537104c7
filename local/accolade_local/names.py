"""The physical names and ARNs the local stack gives the template's resources."""

from __future__ import annotations

from dataclasses import dataclass, replace


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

    def queue_url(self, logical_id: str, endpoint: str | None = None) -> str:
        base = endpoint or self.aws_endpoint
        if base is None:
            raise TemplateError(f"queue URL of {logical_id} needs the moto endpoint")
        return f"{base.rstrip('/')}/{self.account}/{self.physical(logical_id)}"

    def bucket_name(self, logical_id: str) -> str:
        return self.physical(logical_id).lower()  # S3 bucket names are lower case only

    def function_arn(self, logical_id: str) -> str:
        return self.arn("lambda", f"function:{self.physical(logical_id)}")
