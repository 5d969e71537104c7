"""The SNS notifier: one publication per award, with attributes subscribers can filter on."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class SnsNotifier:
    def __init__(self, topic_arn: str, client: Any) -> None:
        self._topic_arn = topic_arn
        self._client = client  # a botocore client, built by the bootstrap

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
