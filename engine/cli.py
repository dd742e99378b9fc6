"""`python -m engine COMMAND`: analyze, worker, submit, serve, run, reap."""

from __future__ import annotations

import argparse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m engine", description="Sightline engine commands")
    sub = parser.add_subparsers(dest="command", required=True)
    analyze = sub.add_parser("analyze", help="analyse a file in-process (no Redis, no API)")
    analyze.add_argument("rest", nargs=argparse.REMAINDER)
    worker = sub.add_parser("worker", help="run one worker on the data_jobs queue")
    worker.add_argument("--burst", action="store_true", help="quit when the queue is empty")
    submit = sub.add_parser("submit", help="upload a file through the API (and wait)")
    submit.add_argument("rest", nargs=argparse.REMAINDER)
    sub.add_parser("serve", help="Redis (embedded unless REDIS_URL), workers and API")
    sub.add_parser("run", help="everything `serve` starts, plus the Streamlit and Gradio UIs")
    sub.add_parser("reap", help="one reaper sweep: close jobs no live worker will finish")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; every import is inside its branch so `analyze` pays only for the analysis."""
    args = _parser().parse_args(argv)
    if args.command == "analyze":
        from engine.analysis.cli import main_analyze

        return main_analyze(args.rest)
    from engine.config import get_settings
    from engine.logs import setup_logging

    settings = get_settings()
    if args.command == "submit":
        from client.cli import main_submit

        return main_submit(args.rest, default_api_url=settings.api_base_url)
    setup_logging(settings)
    if args.command == "worker":
        from engine.worker import run_worker

        run_worker(settings, burst=args.burst)
        return 0
    if args.command in ("serve", "run"):
        from engine.supervisor import Supervisor

        return Supervisor(settings, with_ui=args.command == "run").run()
    if args.command == "reap":
        import logging

        from engine.context import EngineContext
        from engine.worker import Reaper

        acted = Reaper(EngineContext.create(settings)).sweep()
        logging.getLogger("sightline.reaper").info("Reaper acted on %d job(s)", acted)
        return 0
    return 2
