"""Python client of the Sightline HTTP API (used by both UIs, the CLI and scripts)."""

from client.api import SightlineClient
from client.config import ClientConfig, load_config
from client.errors import (
    ApiError,
    ApiUnavailable,
    CancelRejected,
    JobNotFound,
    ResultSchemaError,
    SightlineError,
    Unauthorized,
    UploadRejected,
    WaitTimeout,
)
from client.models import CancelOutcome, Health, JobState, JobStatus
from client.polling import CARD_DELAYS_S, backoff_delay, poll_until_terminal
from client.result import Result, read_result

__all__ = [
    "CARD_DELAYS_S",
    "ApiError",
    "ApiUnavailable",
    "CancelOutcome",
    "CancelRejected",
    "ClientConfig",
    "Health",
    "JobNotFound",
    "JobState",
    "JobStatus",
    "Result",
    "ResultSchemaError",
    "SightlineClient",
    "SightlineError",
    "Unauthorized",
    "UploadRejected",
    "WaitTimeout",
    "backoff_delay",
    "load_config",
    "poll_until_terminal",
    "read_result",
]
