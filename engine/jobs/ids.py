"""Unguessable job ids: `job_` + 16 URL-safe random characters (96 bits)."""

from __future__ import annotations

import re
import secrets

from engine.constants import JOB_ID_PATTERN, JOB_ID_PREFIX

_VALID = re.compile(JOB_ID_PATTERN)


def new_job_id() -> str:
    return JOB_ID_PREFIX + secrets.token_urlsafe(12)


def is_valid_job_id(text: str) -> bool:
    """True when `text` has the shape of a job id (it may still be unknown)."""
    return bool(_VALID.fullmatch(text))
