"""`submit FILE [--wait]`: upload through the API and (optionally) follow the job.

The lead wires `main_submit` into `python -m engine submit`. Exit codes: 0 completed
(or submitted, without --wait), 1 failed or cancelled, 2 upload rejected or bad usage,
3 API unreachable, 4 still running when the wait budget ran out.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import TextIO

from client.api import SightlineClient
from client.config import load_config
from client.errors import ApiUnavailable, SightlineError, UploadRejected, WaitTimeout
from client.models import JobState, JobStatus
from client.view import build_view

BAR_WIDTH = 30


def progress_line(status: JobStatus, width: int = BAR_WIDTH) -> str:
    """One line of progress: a bar, the percentage, the status and the stage."""
    done = round(status.progress * width)
    stage = f" · {status.stage}" if status.stage else ""
    return f"[{'#' * done}{'.' * (width - done)}] {status.progress * 100:5.1f}% {status.status}{stage}"


class _ProgressPrinter:
    """Redraws the progress line in place on a terminal, one line per change elsewhere."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last = ""
        self.tty = stream.isatty()

    def __call__(self, status: JobStatus) -> None:
        line = progress_line(status)
        if line == self.last:
            return
        self.last = line
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self.last:
            self.stream.write("\n")


def summarize(client: SightlineClient, status: JobStatus, out: TextIO) -> None:
    """Print what a finished job produced: top insights, or the error and its document."""
    print(f"Job {status.job_id}: {status.status}", file=out)
    if status.status == JobState.COMPLETED:
        view = build_view(client.result(status.job_id))
        info = view.file_info
        print(f"File: {info.get('name', status.file_name)} · {info.get('rows')} rows", file=out)
        if view.goal is not None:
            print(f"Goal: {view.goal.text}", file=out)
            print(f"{view.goal.headline()}: {view.goal.answer_text()}", file=out)
        if view.quality_score is not None:
            print(f"Data quality: {view.quality_score:.0f}/100", file=out)
        narrative = view.narrative
        note = f" (fallback: {narrative.reason or narrative.source})" if narrative.is_fallback else ""
        print(f"Narrative{note}:", file=out)
        for bullet in view.narrative.bullets:
            print(f"  - {bullet}", file=out)
        print("Top insights:", file=out)
        for insight in view.insights[:5]:
            print(f"  {insight.score:.2f}  {insight.title}: {view.sentence(insight)}", file=out)
    elif status.status == JobState.FAILED:
        print(f"Error: {status.error}: {status.error_message}", file=out)
        with contextlib.suppress(SightlineError):
            print(json.dumps(client.error_document(status.job_id), indent=2), file=out)
    elif status.status == JobState.CANCELLED:
        print(f"Cancelled at {status.cancelled_at}", file=out)
    if status.result_url:
        print(f"Document: {status.result_url}", file=out)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m engine submit", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="table to analyse (CSV, TSV, Excel, JSON, Parquet)")
    parser.add_argument("--wait", action="store_true", help="follow the job and print its summary")
    parser.add_argument("--goal", help="what you want to know of the table (at most 500 characters)")
    parser.add_argument("--api-url", help="API base URL (default: $API_URL, else http://127.0.0.1:$PORT)")
    parser.add_argument("--max-wait", type=float, help="seconds to wait (default: $CLIENT_MAX_WAIT_SECONDS)")
    return parser


def main_submit(
    argv: list[str],
    out: TextIO | None = None,
    err: TextIO | None = None,
    *,
    default_api_url: str | None = None,
) -> int:
    """Run `submit FILE [--wait]` and return the process exit code.

    The API is `--api-url`, else `default_api_url` (the engine's settings: API_URL, or
    the local API on PORT), else $API_URL or the default.
    """
    out, err = out or sys.stdout, err or sys.stderr
    args = _parser().parse_args(argv)
    config = load_config()
    base_url = args.api_url or default_api_url or config.api_url
    client = SightlineClient(base_url, config.api_key, config.timeout_s, max_wait_s=config.max_wait_s)
    if not args.file.is_file():
        print(f"No such file: {args.file}", file=err)
        return 2
    printer = _ProgressPrinter(err)
    try:
        job = client.upload(args.file, goal=args.goal)
        print(f"Submitted {args.file.name} as {job.job_id}", file=out)
        if not args.wait:
            return 0
        final = client.wait(job.job_id, args.max_wait, on_progress=printer)
        printer.close()
        summarize(client, final, out)
    except UploadRejected as exc:
        print(f"Upload rejected (HTTP {exc.status_code}): {exc.message}", file=err)
        return 2
    except ApiUnavailable as exc:
        print(str(exc), file=err)
        return 3
    except WaitTimeout as exc:
        printer.close()
        print(f"{exc}; it keeps running on the server.", file=err)
        return 4
    return 0 if final.status == JobState.COMPLETED else 1
