"""The S3 document store: certificates (and later exports), private, linked by presigned URLs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from accolade.adapters.dynamo.keys import certificate_key, export_object_key
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


# S3's smallest part but the last is 5 MiB; 8 MiB parts hold a 10,000-part upload of 80 GB.
EXPORT_PART_BYTES = 8 * 1024 * 1024


class S3ExportFiles:
    """Exports' CSV files in the documents bucket, written by a multipart upload of explicit
    parts: by hand, because boto3's upload_fileobj is not on the botocore clients the bootstrap
    builds, and it reads parts ahead on threads; here one part at a time is in memory."""

    def __init__(self, bucket: str, client: Any, part_bytes: int = EXPORT_PART_BYTES) -> None:
        self._bucket = bucket
        self._client = client
        self._part_bytes = part_bytes

    def write(self, tenant_id: str, export_id: str, chunks: Iterable[bytes]) -> None:
        key = export_object_key(tenant_id, export_id)
        upload = self._client.create_multipart_upload(
            Bucket=self._bucket, Key=key, ContentType="text/csv; charset=utf-8"
        )["UploadId"]
        try:
            parts = self._upload_parts(key, upload, chunks)
            self._client.complete_multipart_upload(
                Bucket=self._bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": parts}
            )
        except BaseException:
            # Also when the job is stopped: no half file, and no parts left to pay for.
            self._client.abort_multipart_upload(Bucket=self._bucket, Key=key, UploadId=upload)
            raise

    def _upload_parts(self, key: str, upload: str, chunks: Iterable[bytes]) -> list[dict[str, Any]]:
        parts: list[dict[str, Any]] = []
        buffer = bytearray()

        def send() -> None:
            number = len(parts) + 1
            # The buffer itself (botocore takes a bytearray): no second copy of the part.
            answer = self._client.upload_part(
                Bucket=self._bucket, Key=key, UploadId=upload, PartNumber=number, Body=buffer
            )
            parts.append({"PartNumber": number, "ETag": answer["ETag"]})
            buffer.clear()

        for chunk in chunks:
            buffer += chunk
            if len(buffer) >= self._part_bytes:
                send()
        if buffer or not parts:  # the last part may be small; an empty file is one empty part
            send()
        return parts

    def link(self, tenant_id: str, export_id: str, expires_in: int) -> str:
        return str(
            self._client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self._bucket, "Key": export_object_key(tenant_id, export_id)},
                ExpiresIn=expires_in,
            )
        )
