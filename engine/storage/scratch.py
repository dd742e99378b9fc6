"""A worker's private folder for one job's input (SCRATCH_DIR/<jobId>).

With S3 storage the work-horse streams the upload here and analyses the copy;
the folder goes when the job's attempt ends. The horse removes it itself, and
the worker again after the horse exits (a killed horse cannot). A worker that
is itself SIGKILLed leaves it behind: under systemd, PrivateTmp= clears the
default location when the unit restarts.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from engine.config import Settings
from engine.storage.base import check_job_id


def job_scratch(settings: Settings, job_id: str) -> Path:
    """The job's scratch folder (not created: the store makes it when it copies into it)."""
    check_job_id(job_id)
    return settings.scratch_root / job_id


def clear_scratch(settings: Settings, job_id: str) -> None:
    shutil.rmtree(job_scratch(settings, job_id), ignore_errors=True)


def write_scratch(scratch: Path, name: str, chunks: Iterable[bytes]) -> Path:
    """`scratch/name` written from `chunks`, appearing whole or not at all (via `.name.part`)."""
    scratch.mkdir(parents=True, exist_ok=True)
    dest, partial = scratch / name, scratch / f".{name}.part"
    with open(partial, "wb") as out:
        for chunk in chunks:
            out.write(chunk)
    os.replace(partial, dest)
    return dest
