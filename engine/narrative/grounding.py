"""Check each sentence of a narrative against the facts it cites; keep only grounded ones.

A sentence is kept when it cites at least one known fact and every number in it
rounds from some number of the facts it cites (see `numbers`). An insight's
sentence implicitly cites that insight. Dropped sentences are counted with a
reason, so the result can say how much the model got wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.narrative.facts import FactSheet
from engine.narrative.numbers import find_numbers, is_grounded
from engine.narrative.parsing import CitedSentence, InsightSentence, NarrativeAnswer


@dataclass(frozen=True)
class CheckedSentence:
    """A sentence that passed, with its section, its insight (if any) and its valid citations."""

    section: str  # summary | insight | answer
    text: str
    facts: tuple[str, ...]
    insight_id: str | None = None


@dataclass
class GroundingReport:
    """What survived the check and what was dropped, and why."""

    kept: list[CheckedSentence] = field(default_factory=list)
    dropped: list[dict[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.kept) + len(self.dropped)

    def mostly_grounded(self) -> bool:
        """At least half the sentences survived, and at least one summary bullet."""
        has_summary = any(s.section == "summary" for s in self.kept)
        return self.total > 0 and 2 * len(self.kept) >= self.total and has_summary

    def as_dict(self) -> dict[str, Any]:
        return {
            "sentences": self.total,
            "kept": len(self.kept),
            "dropped": len(self.dropped),
            "droppedSentences": self.dropped[:20],
        }


def _problem(sentence: CitedSentence, cited: list[str], sheet: FactSheet) -> str | None:
    """Why the sentence fails, or None when it is grounded."""
    if not cited:
        return "no_known_fact_cited"
    pool = frozenset().union(*(sheet.facts[fid].numbers for fid in cited))
    for number in find_numbers(sentence.text):
        if not is_grounded(number, pool):
            return f"number_not_in_cited_facts:{number.raw}"
    return None


def _check(section: str, sentence: CitedSentence, sheet: FactSheet, report: GroundingReport) -> None:
    insight_id = sentence.id if isinstance(sentence, InsightSentence) else None
    cited = [fid for fid in dict.fromkeys(sentence.facts) if fid in sheet.facts]
    if insight_id is not None:
        if insight_id not in sheet.insight_ids():
            report.dropped.append({"section": section, "text": sentence.text, "reason": "unknown_insight"})
            return
        cited = list(dict.fromkeys([insight_id, *cited]))
    problem = _problem(sentence, cited, sheet)
    if problem:
        report.dropped.append({"section": section, "text": sentence.text[:300], "reason": problem})
    else:
        report.kept.append(CheckedSentence(section, sentence.text, tuple(cited), insight_id))


def check_grounding(answer: NarrativeAnswer, sheet: FactSheet) -> GroundingReport:
    """Every sentence of `answer`, checked against `sheet`; repeated insight sentences count once.

    The answer to the goal is checked like a summary sentence (known facts cited, every
    number from them).
    """
    report = GroundingReport()
    if answer.answer is not None:
        _check("answer", answer.answer, sheet, report)
    for sentence in answer.summary:
        _check("summary", sentence, sheet, report)
    seen: set[str] = set()
    for insight in answer.insights:
        if insight.id in seen:
            continue
        seen.add(insight.id)
        _check("insight", insight, sheet, report)
    return report
