"""S3BlobStore: raw mail, attachments and rejected input in an S3 bucket."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from shared.errors import NotFound, Unavailable

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client


class S3BlobStore:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in {"NoSuchKey", "404"}:
                raise NotFound(f"no object {key}") from exc
            raise Unavailable(f"S3 get failed ({code})") from exc

    def put(self, key: str, body: bytes, content_type: str) -> None:
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, ServerSideEncryption="AES256"
            )
        except ClientError as exc:
            raise Unavailable(f"S3 put failed ({exc.response.get('Error', {}).get('Code', '')})") from exc
