"""moto's standalone S3 server (`python -m moto.server`) as a process on a free port.

A real HTTP endpoint speaking S3, not moto's in-process mock decorators: the
storage code under test (and the API and workers of a live stack) reach it over
TCP exactly as they would reach MinIO or AWS. Each test makes its own bucket.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3
import requests
from botocore.config import Config

from engine.supervisor.valkey import free_port

# Credentials for moto (any value works) and no instance-metadata lookups, ever.
S3_TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "sightline-test",
    "AWS_SECRET_ACCESS_KEY": "sightline-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
}


class MotoServer:
    """Start, use and stop one moto server process."""

    def __init__(
        self,
        log_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        launcher: Sequence[str] = (),
    ) -> None:
        """`host`/`port`: where it listens; `launcher`: an argv prefix (`ip netns exec NAME`)."""
        self.host = host
        self.port = port or free_port()
        self.url = f"http://{host}:{self.port}"
        self.launcher = tuple(launcher)
        self.log_path = log_dir / "moto.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 60) -> None:
        argv = [*self.launcher, sys.executable, "-m", "moto.server", "-H", self.host, "-p", str(self.port)]
        env = {**os.environ, **S3_TEST_ENV}
        with open(self.log_path, "ab") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto server exited:\n{self.log_path.read_text(errors='replace')}")
            try:
                requests.get(f"{self.url}/moto-api/", timeout=2)
                return
            except requests.RequestException:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto server did not answer within {timeout_s:g}s") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def client(self) -> Any:
        """A boto3 client of the server for the tests' own looks (its retries off too)."""
        return boto3.session.Session(
            aws_access_key_id=S3_TEST_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_TEST_ENV["AWS_SECRET_ACCESS_KEY"],
            region_name="us-east-1",
        ).client(
            "s3",
            endpoint_url=self.url,
            config=Config(retries={"total_max_attempts": 1}, request_checksum_calculation="when_required"),
        )

    def new_bucket(self) -> str:
        name = f"sightline-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name

    def delete_bucket(self, bucket: str) -> None:
        """Empty the bucket (objects and open multipart uploads), then delete it."""
        s3 = self.client()
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=obj["Key"])
        for upload in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
            s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
        s3.delete_bucket(Bucket=bucket)

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        s3 = self.client()
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))

    def exists(self, bucket: str, key: str) -> bool:
        try:
            self.client().head_object(Bucket=bucket, Key=key)
        except self.client().exceptions.ClientError:
            return False
        return True

    def s3_env(self, bucket: str, prefix: str = "sightline", endpoint: str | None = None) -> dict[str, str]:
        """The variables that point a Sightline process at `bucket` on this server."""
        return {
            **S3_TEST_ENV,
            "STORAGE_URL": f"s3://{bucket}/{prefix}",
            "S3_ENDPOINT_URL": endpoint or self.url,
        }
