"""Every setting of Sightline, read once from the environment and `.env`.

This is the only module that reads the environment. Field names carry their
unit (`_s` seconds, `_mb` megabytes); the environment names are the reference
card's (`JOB_TIMEOUT_SECONDS`, `BLOB_RETRY_ATTEMPTS`, ...) or ours
(`REDIS_URL`, `PORT`, `UPLOAD_DIR`, ...). `.env.example` lists them all.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Typed settings; build with `get_settings()` (cached) or `Settings()` (fresh)."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        frozen=True,
    )

    # --- Timeouts (card) ---
    job_timeout_s: float = Field(600, alias="JOB_TIMEOUT_SECONDS", gt=0)
    client_max_wait_s: float = Field(600, alias="CLIENT_MAX_WAIT_SECONDS", gt=0)

    # --- LLM (card + ours) ---
    llm_api_key: str | None = Field(
        None, validation_alias=AliasChoices("OPENROUTER_API_KEY", "LLM_API_KEY", "llm_api_key")
    )
    llm_model: str = Field("deepseek/deepseek-r1", alias="LLM_MODEL")
    llm_retry_attempts: int = Field(2, alias="LLM_RETRY_ATTEMPTS", ge=1)
    llm_base_url: str = Field("https://openrouter.ai/api/v1", alias="LLM_BASE_URL")
    llm_timeout_s: float = Field(60, alias="LLM_TIMEOUT_SECONDS", gt=0)
    llm_retry_after_max_s: float = Field(30, alias="LLM_RETRY_AFTER_MAX_SECONDS", ge=0)

    # --- Retry / backoff (card) ---
    blob_retry_attempts: int = Field(3, alias="BLOB_RETRY_ATTEMPTS", ge=1)
    retry_initial_delay_s: float = Field(0.5, alias="RETRY_INITIAL_DELAY", ge=0)
    retry_factor: float = Field(2.0, alias="RETRY_FACTOR", ge=1)
    retry_max_delay_s: float = Field(10, alias="RETRY_MAX_DELAY", ge=0)

    # --- Circuit breaker (card) ---
    llm_circuit_threshold: int = Field(5, alias="LLM_CIRCUIT_THRESHOLD", ge=1)
    llm_circuit_window_s: float = Field(300, alias="LLM_CIRCUIT_WINDOW", gt=0)
    llm_circuit_cooldown_s: float = Field(600, alias="LLM_CIRCUIT_COOLDOWN", gt=0)

    # --- Services ---
    redis_url: str | None = Field(None, alias="REDIS_URL")
    embedded_redis_port: int = Field(6390, alias="EMBEDDED_REDIS_PORT")
    redis_connect_timeout_s: float = Field(5, alias="REDIS_CONNECT_TIMEOUT_SECONDS", gt=0)
    redis_socket_timeout_s: float = Field(5, alias="REDIS_SOCKET_TIMEOUT_SECONDS", gt=0)
    port: int = Field(5328, alias="PORT")
    host: str = Field("127.0.0.1", alias="HOST")
    # Blank: http://127.0.0.1:$PORT, so the UIs and `engine submit` follow PORT (see `api_base_url`)
    api_url: str | None = Field(None, alias="API_URL")
    streamlit_port: int = Field(8501, alias="STREAMLIT_PORT")
    gradio_port: int = Field(7860, alias="GRADIO_PORT")
    workers: int = Field(2, alias="WORKERS", ge=1)
    api_threads: int = Field(8, alias="API_THREADS", ge=1)
    api_processes: int = Field(2, alias="API_PROCESSES", ge=1)
    data_dir: Path = Field(Path("data"), alias="DATA_DIR")

    # --- Storage (see engine/storage) and limits ---
    # file:///path (uploads in path/uploads, documents in path/results) or s3://bucket/prefix.
    # Unset: files in UPLOAD_DIR and RESULTS_DIR (tmp_uploads/ and results/ by default).
    storage_url: str | None = Field(None, alias="STORAGE_URL")
    upload_dir: Path | None = Field(None, alias="UPLOAD_DIR")  # file storage: overrides the derived
    results_dir: Path | None = Field(None, alias="RESULTS_DIR")  # folders (see upload_root/results_root)
    s3_endpoint_url: str | None = Field(None, alias="S3_ENDPOINT_URL")  # MinIO, Ceph, R2...; unset: AWS
    s3_region: str | None = Field(None, alias="S3_REGION")  # unset: the AWS chain's (AWS_REGION...)
    s3_addressing_style: Literal["auto", "path", "virtual"] = Field("auto", alias="S3_ADDRESSING_STYLE")
    s3_connect_timeout_s: float = Field(5, alias="S3_CONNECT_TIMEOUT_SECONDS", gt=0)
    s3_read_timeout_s: float = Field(30, alias="S3_READ_TIMEOUT_SECONDS", gt=0)
    s3_part_size_mb: float = Field(8, alias="S3_PART_SIZE_MB", ge=5)  # multipart part size (S3 minimum 5)
    scratch_dir: Path | None = Field(None, alias="SCRATCH_DIR")  # workers' local copies of S3 inputs
    # S3: an upload up to this size is also kept in Redis until its horse takes it (0: never)
    inline_upload_kb: float = Field(64, alias="INLINE_UPLOAD_KB", ge=0, le=1024)
    max_upload_mb: float = Field(200, alias="MAX_UPLOAD_MB", gt=0)
    max_columns: int = Field(2000, alias="MAX_COLUMNS", ge=1)
    download_timeout_s: float = Field(30, alias="DOWNLOAD_TIMEOUT_SECONDS", gt=0)
    # Hosts or CIDR ranges a fileUrl may reach although they are not public (e.g. "10.0.0.0/8,files.lan")
    url_allowlist: str = Field("", alias="URL_ALLOWLIST")
    allow_file_urls: bool = Field(False, alias="ALLOW_FILE_URLS")
    # With ALLOW_FILE_URLS: the only folders (comma-separated absolute paths) a file:// URL may read from
    file_url_dirs: str = Field("", alias="FILE_URL_DIRS")
    # An ended job older than this goes away whole: record, index entries, upload and documents (0: keep)
    job_retention_days: float = Field(7, alias="JOB_RETENTION_DAYS", ge=0)
    # Private memory one job's work-horse may use; over it the job fails with processing_error (0: no cap)
    max_job_memory_mb: float = Field(2048, alias="MAX_JOB_MEMORY_MB", ge=0)

    # --- Access control (off while API_KEYS is empty) ---
    api_keys: str = Field("", alias="API_KEYS")  # comma-separated keys; each key owns the jobs it creates
    uploads_per_minute: int = Field(30, alias="RATE_LIMIT_UPLOADS_PER_MINUTE", ge=1)

    # --- Worker liveness ---
    worker_heartbeat_timeout_s: float = Field(20, alias="WORKER_HEARTBEAT_TIMEOUT_SECONDS", gt=0)
    reaper_interval_s: float = Field(5, alias="REAPER_INTERVAL_SECONDS", gt=0)

    # --- Worker tunables (rarely changed) ---
    worker_tick_s: float = Field(0.1, alias="WORKER_TICK_SECONDS", gt=0)  # how often a watch looks at its job
    worker_heartbeat_interval_s: float = Field(1, alias="WORKER_HEARTBEAT_INTERVAL_SECONDS", gt=0)
    rq_heartbeat_interval_s: float = Field(
        5, alias="RQ_HEARTBEAT_INTERVAL_SECONDS", gt=0
    )  # RQ's own registries
    rq_worker_ttl_s: int = Field(
        30, alias="RQ_WORKER_TTL_SECONDS", ge=10
    )  # RQ forgets a silent worker after it
    # The reaper times a job out this long after `timeoutAt`: the worker's own check comes first
    reaper_timeout_grace_s: float = Field(1.5, alias="REAPER_TIMEOUT_GRACE_SECONDS", ge=0)
    # The reaper puts a document in place if its writer left it missing this long
    reaper_seal_after_s: float = Field(10, alias="REAPER_SEAL_AFTER_SECONDS", ge=0)
    retention_batch: int = Field(200, alias="RETENTION_BATCH", ge=1)  # ended jobs removed per sweep at most

    # --- Logging ---
    log_level: str = Field("INFO", alias="LOG_LEVEL")
    log_format: Literal["text", "json"] = Field("text", alias="LOG_FORMAT")

    # --- Test and demo aids (documented in the README) ---
    simulated_slow_processing_s: float = Field(0, alias="SIMULATED_SLOW_PROCESSING_SECONDS", ge=0)
    # `sleep`: time.sleep; `c_call`: one regex call stuck in C that never returns on its own
    simulated_slow_mode: Literal["sleep", "c_call"] = Field("sleep", alias="SIMULATED_SLOW_MODE")
    blob_fault_failures: str = Field("0", alias="BLOB_FAULT_FAILURES")
    blob_fault_ops: str = Field("upload,result", alias="BLOB_FAULT_OPS")

    @field_validator("llm_api_key", "redis_url", "storage_url", "s3_endpoint_url", "s3_region")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value else None

    @field_validator("upload_dir", "results_dir", "scratch_dir", mode="before")
    @classmethod
    def _blank_path_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("storage_url")
    @classmethod
    def _check_storage_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme == "file" and parts.path.startswith("/") and parts.netloc in ("", "localhost"):
            return value
        if parts.scheme == "s3" and parts.netloc:
            return value
        raise ValueError("STORAGE_URL must be file:///absolute/path or s3://bucket[/prefix]")

    @field_validator("blob_fault_failures")
    @classmethod
    def _check_fault_failures(cls, value: str) -> str:
        value = value.strip().lower()
        if value != "all" and not value.isdigit():
            raise ValueError("BLOB_FAULT_FAILURES must be a whole number or 'all'")
        return value

    @property
    def api_base_url(self) -> str:
        """Where the UIs and `engine submit` find the API: API_URL when set on purpose, else PORT's.

        `.env` files copied from older examples pin `API_URL=http://127.0.0.1:5328`; that
        shipped line is not a choice, so it gives way to PORT as well.
        """
        url = (self.api_url or "").strip().rstrip("/")
        from_environment = bool(os.environ.get("API_URL", "").strip())
        if not url or (url == LEGACY_API_URL and self.port != 5328 and not from_environment):
            return f"http://127.0.0.1:{self.port}"
        return url

    @property
    def file_url_roots(self) -> tuple[Path, ...]:
        """FILE_URL_DIRS as resolved folders (symlinks followed), in the order given."""
        return tuple(
            Path(d.strip()).expanduser().resolve() for d in self.file_url_dirs.split(",") if d.strip()
        )

    @property
    def job_retention_s(self) -> float | None:
        """JOB_RETENTION_DAYS in seconds; None keeps jobs forever."""
        return self.job_retention_days * 86_400 if self.job_retention_days > 0 else None

    @property
    def max_job_memory_bytes(self) -> int | None:
        return int(self.max_job_memory_mb * 1024 * 1024) if self.max_job_memory_mb > 0 else None

    @property
    def worker_redis_timeout_s(self) -> float:
        """A worker's connect and read timeout: well inside the heartbeat timeout.

        A call that stalls on a dead connection gives up, and the next one reconnects, long
        before another host's reaper could take the silent heartbeat for a dead worker.
        """
        return min(self.redis_socket_timeout_s, self.worker_heartbeat_timeout_s / 4)

    @property
    def api_key_list(self) -> tuple[str, ...]:
        """API_KEYS in the order given (empty: access control off)."""
        return tuple(key.strip() for key in self.api_keys.split(",") if key.strip())

    @property
    def url_allowlist_entries(self) -> list[str]:
        return [entry.strip() for entry in self.url_allowlist.split(",") if entry.strip()]

    @property
    def upload_root(self) -> Path:
        """File storage's upload folder: UPLOAD_DIR, else STORAGE_URL's uploads/, else tmp_uploads."""
        return self.upload_dir or _file_storage_root(self.storage_url, "uploads") or Path("tmp_uploads")

    @property
    def results_root(self) -> Path:
        """File storage's document folder: RESULTS_DIR, else STORAGE_URL's results/, else results."""
        return self.results_dir or _file_storage_root(self.storage_url, "results") or Path("results")

    @property
    def scratch_root(self) -> Path:
        """Where a worker copies a job's input from S3: SCRATCH_DIR, else the system temp folder."""
        if self.scratch_dir:
            return self.scratch_dir
        import tempfile  # deferred: only a worker on S3 needs it

        return Path(tempfile.gettempdir()) / "sightline-scratch"

    @property
    def inline_upload_bytes(self) -> int:
        return int(self.inline_upload_kb * 1024)

    @property
    def s3_part_size_bytes(self) -> int:
        return int(self.s3_part_size_mb * 1024 * 1024)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def rq_job_timeout_s(self) -> int:
        """RQ's own time limit: a backstop well after ours, so ours always decides."""
        return int(self.job_timeout_s) + 60


def _file_storage_root(storage_url: str | None, folder: str) -> Path | None:
    """`<path>/<folder>` of a file:// STORAGE_URL; None for no URL or another scheme."""
    if not storage_url or not storage_url.startswith("file:"):
        return None
    from urllib.request import url2pathname  # deferred: it loads http.client and ssl (~20 ms)

    return Path(url2pathname(urlsplit(storage_url).path)) / folder


LEGACY_API_URL = "http://127.0.0.1:5328"  # the API_URL line of .env.example before PORT was followed


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read on first use."""
    return Settings()
