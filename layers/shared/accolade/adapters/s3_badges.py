"""The badges bucket: presigned POST upload forms, bounded reads, guarded copies, GET links."""

from __future__ import annotations

from typing import Any

from accolade.adapters.dynamo.keys import badge_image_key, badge_upload_key
from accolade.ports import StoredFile, UploadForm, UploadPolicy


class S3BadgeFileStore:
    def __init__(self, bucket: str, client: Any) -> None:
        self._bucket = bucket
        self._client = client  # a botocore S3 client (SigV4), built by the bootstrap

    def upload_form(
        self, tenant_id: str, badge_id: str, level: int, policy: UploadPolicy
    ) -> UploadForm:
        # S3 refuses a POST that breaks the policy: another key, another Content-Type, or a
        # body outside the length range. The form carries the fields; the policy signs them.
        post = self._client.generate_presigned_post(
            Bucket=self._bucket,
            Key=badge_upload_key(tenant_id, badge_id, level),
            Fields={"Content-Type": policy.content_type},
            Conditions=[
                {"Content-Type": policy.content_type},
                ["content-length-range", 1, policy.max_bytes],
            ],
            ExpiresIn=policy.expires_in,
        )
        return UploadForm(
            url=str(post["url"]), fields={k: str(v) for k, v in post["fields"].items()}
        )

    def read_upload(
        self, tenant_id: str, badge_id: str, level: int, max_bytes: int
    ) -> StoredFile | None:
        key = badge_upload_key(tenant_id, badge_id, level)
        try:
            found = self._client.get_object(
                Bucket=self._bucket, Key=key, Range=f"bytes=0-{max_bytes}"
            )
        except self._client.exceptions.NoSuchKey:
            return None
        with found["Body"] as body:
            return StoredFile(data=body.read(max_bytes + 1), etag=str(found["ETag"]))

    def publish(
        self, tenant_id: str, badge_id: str, level: int, etag: str, content_type: str
    ) -> bool:
        source = badge_upload_key(tenant_id, badge_id, level)
        try:
            self._client.copy_object(
                Bucket=self._bucket,
                Key=badge_image_key(tenant_id, badge_id, level),
                CopySource={"Bucket": self._bucket, "Key": source},
                CopySourceIfMatch=etag,
                ContentType=content_type,
                MetadataDirective="REPLACE",
                # An SVG served from the bucket must not run as a page: download, never render.
                ContentDisposition="attachment",
            )
        except self._client.exceptions.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in ("PreconditionFailed", "NoSuchKey", "412", "404"):
                return False
            raise
        return True

    def link(self, tenant_id: str, badge_id: str, level: int, expires_in: int) -> str:
        key = badge_image_key(tenant_id, badge_id, level)
        return str(
            self._client.generate_presigned_url(
                "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=expires_in
            )
        )
