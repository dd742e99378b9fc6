"""`python -m engine analyze FILE [--out result.json]`: the whole analysis in-process.

Prints a short human summary (file facts, quality, top insights) and writes the
result.json document. Exit status: 0 done, 2 the file is not a readable table,
1 the analysis failed.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from engine.analysis.pipeline import analyze
from engine.errors import AnalysisError, GoalError, InputError
from engine.jobs.goal import MAX_GOAL_CHARS, clean_goal

TOP = 5


def main_analyze(argv: list[str]) -> int:
    """Run `analyze FILE [--out PATH] [--sheet NAME] [--goal TEXT] [--quiet]`; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m engine analyze", description="Analyse a table file.")
    parser.add_argument("file", type=Path, help="CSV, TSV, Excel, JSON / JSON lines or Parquet file")
    parser.add_argument("--out", type=Path, default=Path("result.json"), help="where to write result.json")
    parser.add_argument("--sheet", help="Excel sheet to read (default: the first)")
    parser.add_argument(
        "--goal", help=f"what you want to know of the table (at most {MAX_GOAL_CHARS} characters)"
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = parser.parse_args(argv)
    try:
        goal = clean_goal(args.goal)
    except GoalError as exc:
        parser.error(exc.message)
    gc.freeze()  # what was imported lives until exit: a full collection need not walk it
    try:
        result = analyze(args.file, sheet=args.sheet, goal=goal)
    except InputError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except AnalysisError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False), encoding="utf-8")
    if not args.quiet:
        print_summary(result, args.out, sys.stdout)
    return 0


def print_summary(result: dict[str, Any], out: Path, stream: TextIO) -> None:
    """A few lines a person can read: the file, its quality, the top insights, where the JSON went."""
    info = result["fileInfo"]
    extras = [f"encoding {info['encoding']}"] if info.get("encoding") else []
    if info.get("delimiter"):
        extras.append(f"delimiter {info['delimiter']!r}")
    if info.get("sheet"):
        extras.append(f"sheet {info['sheet']!r}")
    print(
        f"{info['name']}: {info['type']}, {info['rows']:,} rows × {info['columns']} columns"
        + (f" ({', '.join(extras)})" if extras else ""),
        file=stream,
    )
    block = result.get("goal")
    if block:
        print(f"Goal: {block['text']}", file=stream)
        print(f"Answer: {result['narrative']['answer']['text']}", file=stream)
    quality = result["qualityScore"]
    print(f"Data quality: {quality['score']}/100 (grade {quality['grade']})", file=stream)
    insights = result["insights"]
    if insights:
        print(f"Top insights ({len(insights)} found):", file=stream)
        for ins in insights[:TOP]:
            # Most sentences open with their title; print it once.
            text = ins["text"] if ins["text"].startswith(ins["title"]) else f"{ins['title']}: {ins['text']}"
            print(f"  [{ins['score']:.2f}] {text}", file=stream)
    else:
        print("No insight passed the significance and size thresholds.", file=stream)
    warnings = [i for i in result["issues"] if i.get("severity") == "warning"]
    if warnings:
        print(
            f"Warnings: {len(warnings)} (see issues in the JSON); first: {warnings[0]['message']}",
            file=stream,
        )
    print(f"Analysed in {result['timings']['totalMs']:.0f} ms; result written to {out}", file=stream)
