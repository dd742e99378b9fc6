"""STORAGE_URL and the folders of file storage."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from engine.config import Settings
from engine.storage import FileBlobStore, open_blob_store
from engine.storage.s3 import S3BlobStore


def settings(**env: object) -> Settings:
    return Settings(_env_file=None, **env)  # type: ignore[call-arg]


def test_unset_is_todays_layout() -> None:
    s = settings()
    assert (s.storage_url, s.upload_root, s.results_root) == (None, Path("tmp_uploads"), Path("results"))
    assert isinstance(open_blob_store(s), FileBlobStore)


def test_a_file_url_gives_both_folders_and_explicit_folders_win() -> None:
    s = settings(STORAGE_URL="file:///srv/sightline")
    assert (s.upload_root, s.results_root) == (Path("/srv/sightline/uploads"), Path("/srv/sightline/results"))
    s = settings(STORAGE_URL="file:///srv/sightline", UPLOAD_DIR="/data/in")
    assert (s.upload_root, s.results_root) == (Path("/data/in"), Path("/srv/sightline/results"))
    assert settings(STORAGE_URL="  ").storage_url is None


def test_an_s3_url_picks_s3_with_its_bucket_and_prefix() -> None:
    store = open_blob_store(settings(STORAGE_URL="s3://my-bucket/a/b/", S3_ENDPOINT_URL="http://127.0.0.1:9"))
    assert isinstance(store, S3BlobStore)
    assert (store.bucket, store.prefix, store.url) == ("my-bucket", "a/b", "s3://my-bucket/a/b")
    bare = open_blob_store(settings(STORAGE_URL="s3://my-bucket"))
    assert isinstance(bare, S3BlobStore) and bare.key("uploads", "job_x", "a.csv") == "uploads/job_x/a.csv"


@pytest.mark.parametrize("url", ["http://bucket/x", "file://relative/path", "s3:///no-bucket", "gs://b/p"])
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="STORAGE_URL"):
        settings(STORAGE_URL=url)
