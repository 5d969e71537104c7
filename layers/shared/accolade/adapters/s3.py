"""The S3 document store: certificates (and later exports), private, linked by presigned URLs."""

from __future__ import annotations

from typing import Any

from accolade.adapters.dynamo.keys import certificate_key
from accolade.domain.models import Award


class S3DocumentStore:
    def __init__(self, bucket: str, client: Any) -> None:
        self._bucket = bucket
        self._client = client  # a botocore client, built by the bootstrap

    def put_certificate(self, tenant_id: str, award: Award, pdf: bytes) -> str:
        key = certificate_key(tenant_id, award.user_id, award.award_id)
        self._client.put_object(
            Bucket=self._bucket, Key=key, Body=pdf, ContentType="application/pdf"
        )
        return key

    def url(self, key: str, expires_in: int = 3600) -> str:
        return str(
            self._client.generate_presigned_url(
                "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=expires_in
            )
        )
