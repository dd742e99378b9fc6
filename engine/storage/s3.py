"""S3-compatible storage (AWS S3, MinIO, Ceph, R2, moto) through boto3.

STORAGE_URL=s3://bucket/prefix puts uploads at `prefix/uploads/<jobId>/<name>` and
documents at `prefix/results/<jobId>/<name>`. S3_ENDPOINT_URL points at a store
other than AWS; credentials come from the standard AWS chain (environment,
shared files, instance role).

botocore's own retries are off (one attempt per call): the card's retry loop in
BlobStore is the one that counts, waits and logs, for 5xx answers, throttling
(SlowDown, 429) and timeouts alike. Uploads are read from their stream one part
at a time (S3_PART_SIZE_MB): a file smaller than a part is one PUT, a larger one
a multipart upload whose parts are retried one by one, so no more than a part is
ever held in memory. Publishing a staged document is a server-side copy; the
staged copy is removed afterwards (discard_staged), once readers can see the job.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    IncompleteReadError,
    ResponseStreamingError,
)
from botocore.exceptions import ConnectionError as EndpointError

from engine.config import Settings
from engine.storage.base import RESULTS, UPLOADS, BlobStore, StorageHealth, describe
from engine.storage.faults import FaultInjector
from engine.storage.scratch import write_scratch
from engine.storage.stream import COPY_CHUNK, Readable, ReplayableSource, read_up_to

log = logging.getLogger("sightline.storage")

_TRANSIENT_CODES = frozenset(
    {"InternalError", "ServiceUnavailable", "SlowDown", "Throttling", "ThrottlingException", "RequestTimeout"}
)
_MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


def parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/a/b/` -> ("bucket", "a/b")."""
    parts = urlsplit(url)
    return parts.netloc, parts.path.strip("/")


class S3BlobStore(BlobStore):
    """Uploads and job documents in one bucket, under one prefix."""

    backend = "s3"

    def __init__(self, settings: Settings, faults: FaultInjector | None = None) -> None:
        super().__init__(settings, faults)
        if not settings.storage_url:
            raise ValueError("S3BlobStore needs STORAGE_URL=s3://bucket/prefix")
        self.bucket, self.prefix = parse_s3_url(settings.storage_url)
        self.url = f"s3://{self.bucket}/{self.prefix}".rstrip("/")
        self.part_size = settings.s3_part_size_bytes
        self.settings = settings
        self._lock, self._lock_pid = threading.Lock(), os.getpid()
        self._clients: dict[int, Any] = {}
        self._rehearsal = _Rehearsal()

    @property
    def client(self) -> Any:
        """This process's boto3 client.

        A forked work-horse must not use the connections it inherited (its parent
        goes on using them): it takes the parent's client with its connection
        pool emptied (`close()` closes only this process's copies of the sockets),
        which is far quicker than building a client.
        """
        pid = os.getpid()
        client = self._clients.get(pid)
        if client is not None:
            return client
        if self._lock_pid != pid:
            self._lock, self._lock_pid = threading.Lock(), pid  # a lock copied by fork may be held
        with self._lock:
            client = self._clients.get(pid)
            if client is None:
                inherited = next(iter(self._clients.values()), None)
                if inherited is not None:
                    inherited.close()
                    client = inherited
                else:
                    client = _make_client(boto3.session.Session(), self.settings)
                    # registered once, before the first call: (un)registering a handler
                    # later empties botocore's handler cache, which every horse would refill
                    client.meta.events.register_first("before-send.s3", self._rehearsal)
                self._clients = {pid: client}
        return client

    def warm_up(self) -> None:
        """Build the client and walk every operation a job uses once, answered locally.

        botocore prepares each operation (its model, serializer, endpoint rules,
        signer, parser) on its first call. Done here, in the worker before it
        forks, a horse inherits all of it instead of paying ~5 ms per operation
        on every job. No request leaves the process: while rehearsing, the
        client's `before-send` handler answers each call with an empty 200.
        """
        client = self.client
        key = self.key(RESULTS, "warm-up", "x")
        source = {"Bucket": self.bucket, "Key": key}
        calls: list[Callable[[], object]] = [
            lambda: client.put_object(
                Bucket=self.bucket, Key=key, Body=b"{}", ContentType=_content_type(key)
            ),
            lambda: client.get_object(Bucket=self.bucket, Key=key)["Body"].read(),
            lambda: client.head_object(Bucket=self.bucket, Key=key),
            lambda: client.copy_object(
                Bucket=self.bucket, Key=key, CopySource=source, ContentType="x", MetadataDirective="REPLACE"
            ),
            lambda: client.delete_object(Bucket=self.bucket, Key=key),
            lambda: client.list_objects_v2(Bucket=self.bucket, Prefix=key, MaxKeys=1),
        ]
        self._rehearsal.active = True
        try:
            for call in calls:
                call()
        finally:
            self._rehearsal.active = False

    def key(self, area: str, job_id: str, name: str) -> str:
        return "/".join(p for p in (self.prefix, area, job_id, name) if p)

    def check(self) -> StorageHealth:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError, OSError) as exc:
            message = f"bucket {self.bucket!r} does not exist" if _is_missing(exc) else describe(exc)
            return StorageHealth(self.backend, self.url, False, message)
        return StorageHealth(self.backend, self.url, True)

    # --- primitives ------------------------------------------------------------
    def _url(self, area: str, job_id: str, name: str) -> str:
        return f"s3://{self.bucket}/{self.key(area, job_id, name)}"

    def _save_stream(self, job_id: str, name: str, source: Readable) -> None:
        key = self.key(UPLOADS, job_id, name)
        what = f"Save file {name} for job {job_id}"
        reader = ReplayableSource(source).rewind()
        first = read_up_to(reader, self.part_size)
        if len(first) < self.part_size:
            put = functools.partial(self.client.put_object, Bucket=self.bucket, Key=key, Body=first)
            self._retry("upload", what, job_id, name, "save", put)
            return
        create = functools.partial(self.client.create_multipart_upload, Bucket=self.bucket, Key=key)
        upload_id: str = self._retry("upload", what, job_id, name, "save", create)["UploadId"]
        try:
            parts = []
            chunk, number = first, 1
            while chunk:
                part = functools.partial(
                    self.client.upload_part,
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=chunk,
                )
                answer = self._retry(
                    "upload", f"{what} (part {number})", job_id, name, "save", part, quiet_first=True
                )
                parts.append({"ETag": answer["ETag"], "PartNumber": number})
                chunk, number = read_up_to(reader, self.part_size), number + 1
            done = functools.partial(
                self.client.complete_multipart_upload,
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
            self._retry(None, what, job_id, name, "save", done)
        except BaseException:
            self._abort(key, upload_id)
            raise

    def _abort(self, key: str, upload_id: str) -> None:
        """Best effort: an upload left open costs storage until the bucket's lifecycle rule ends it."""
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except (BotoCoreError, ClientError, OSError) as exc:
            log.warning("Could not abort the multipart upload of %s: %s", key, describe(exc))

    def _find_upload(self, job_id: str) -> str | None:
        folder = self.key(UPLOADS, job_id, "") + "/"
        answer = self.client.list_objects_v2(Bucket=self.bucket, Prefix=folder, MaxKeys=10)
        names = sorted(obj["Key"][len(folder) :] for obj in answer.get("Contents", []))
        visible = [n for n in names if n and "/" not in n and not n.startswith(".")]
        return visible[0] if visible else None

    def _fetch(self, job_id: str, name: str, scratch: Path) -> Path | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(UPLOADS, job_id, name))
        except ClientError as exc:
            if _is_missing(exc):
                return None
            raise
        return write_scratch(scratch, name, answer["Body"].iter_chunks(COPY_CHUNK))

    def _write(self, area: str, job_id: str, name: str, data: bytes) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=self.key(area, job_id, name), Body=data, ContentType=_content_type(name)
        )

    def _read(self, area: str, job_id: str, name: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(area, job_id, name))
        except ClientError as exc:
            if _is_missing(exc):
                return None
            raise
        data: bytes = answer["Body"].read()
        return data

    def _exists(self, area: str, job_id: str, name: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(area, job_id, name))
        except ClientError as exc:
            if _is_missing(exc):
                return False
            raise
        return True

    def _promote(self, job_id: str, name: str, staged_name: str) -> bool:
        staged = self.key(RESULTS, job_id, staged_name)
        try:
            self.client.copy_object(
                Bucket=self.bucket,
                Key=self.key(RESULTS, job_id, name),
                CopySource={"Bucket": self.bucket, "Key": staged},
                ContentType=_content_type(name),
                MetadataDirective="REPLACE",
            )
        except ClientError as exc:
            if _is_missing(exc):  # nothing staged, or another process published it first
                return self._exists(RESULTS, job_id, name)
            raise
        return True  # the staged copy stays until discard_staged (after the job is sealed)

    def _delete(self, area: str, job_id: str, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(area, job_id, name))

    def _delete_all(self, area: str, job_id: str) -> None:
        prefix = self.key(area, job_id, "") + "/"
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})

    def _size(self, area: str, job_id: str, name: str) -> int | None:
        try:
            answer = self.client.head_object(Bucket=self.bucket, Key=self.key(area, job_id, name))
        except ClientError as exc:
            if _is_missing(exc):
                return None
            raise
        return int(answer["ContentLength"])

    def _is_transient(self, exc: BaseException) -> bool:
        if isinstance(exc, ClientError):
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
            code = str(exc.response.get("Error", {}).get("Code", ""))
            return status >= 500 or status in (408, 429) or code in _TRANSIENT_CODES
        # Connection refused or reset, connect and read timeouts, a body cut short; OSError
        # also covers the test-only injected faults.
        transient = (EndpointError, HTTPClientError, IncompleteReadError, ResponseStreamingError, OSError)
        return isinstance(exc, transient)

    def _is_storage_error(self, exc: BaseException) -> bool:
        return isinstance(exc, (BotoCoreError, ClientError, OSError))


class _EmptyBody:
    """The raw body of a locally answered request: nothing."""

    def stream(self, *_args: object, **_kwargs: object) -> Iterator[bytes]:
        return iter(())

    def read(self, *_args: object, **_kwargs: object) -> bytes:
        return b""


class _Rehearsal:
    """A `before-send` handler: while active, every request is answered here with an empty 200."""

    def __init__(self) -> None:
        self.active = False

    def __call__(self, request: AWSPreparedRequest, **_kwargs: object) -> AWSResponse | None:
        return AWSResponse(request.url, 200, {}, _EmptyBody()) if self.active else None


def _is_missing(exc: BaseException) -> bool:
    return isinstance(exc, ClientError) and str(exc.response.get("Error", {}).get("Code")) in _MISSING_CODES


def _content_type(name: str) -> str:
    return "application/json" if name.endswith(".json") else "application/octet-stream"


def _make_client(session: boto3.session.Session, settings: Settings) -> Any:
    config = Config(
        connect_timeout=settings.s3_connect_timeout_s,
        read_timeout=settings.s3_read_timeout_s,
        retries={"total_max_attempts": 1, "mode": "standard"},  # the card's loop retries, not botocore
        s3={"addressing_style": settings.s3_addressing_style},
        max_pool_connections=max(10, settings.api_threads + 2),
        # Checksums only where S3 requires them: several S3-compatible stores reject
        # the newer default trailing checksums.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    return session.client(
        "s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region, config=config
    )
