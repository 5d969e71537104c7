"""The SNS notifier: one publication per award, with attributes subscribers can filter on."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import boto3


class SnsNotifier:
    def __init__(self, topic_arn: str, client: Any | None = None) -> None:
        self._topic_arn = topic_arn
        self._client = client or boto3.client("sns")

    def publish(
        self, subject: str, payload: Mapping[str, Any], attributes: Mapping[str, str]
    ) -> None:
        self._client.publish(
            TopicArn=self._topic_arn,
            Subject=subject[:100],
            Message=json.dumps(payload, default=str),
            MessageAttributes={
                name: {"DataType": "String", "StringValue": value}
                for name, value in attributes.items()
            },
        )
