"""Follow-up times and the status that says whether each one ended in the event.

A survival table holds, per patient, the time followed up and whether it ended in the event
(death, relapse, failure) or was cut short (alive at the study's close: censored). The two
are one observation: a censored time is a lower bound, not an outcome. Compared across its
own status ("time differs by delta: 1,500 vs 756 days") it says only that those still alive
were followed longer; read by the date of entry it "falls" because the latest patients had
the least time to be followed. An analyst reads such a pair with a survival curve, or not at
all; Sightline marks the time `censored` (compared across other segments, never over time)
and the status circular with it.
"""

from __future__ import annotations

import polars as pl

from engine.analysis.semantics.model import Measure
from engine.analysis.semantics.vocabulary import has, vocab

FOLLOW_UP = vocab(
    "time futime survtime stime surv survival followup fu obstime stop tstop ttr days months weeks"
)
STATUS = vocab(
    "status fustat event events delta death dead died cens censor censored censoring fail failure relapse"
)


def censored_times(df: pl.DataFrame, measures: list[Measure], flags: list[str]) -> list[tuple[str, str]]:
    """Mark follow-up times beside an event status `censored`; (status, time) pairs for `circular`."""
    statuses = [
        f for f in flags if has(f, STATUS) and 2 <= df[f].drop_nulls().n_unique() <= 3
    ]  # dead, alive, other death
    if not statuses:
        return []
    pairs = []
    for m in measures:
        if m.derived or m.kind == "count" or not has(m.name, FOLLOW_UP):
            continue
        m.censored = True
        pairs += [(f, m.name) for f in statuses]
    return pairs
