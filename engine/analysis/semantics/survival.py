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

from engine.analysis.semantics.model import Measure
from engine.analysis.semantics.vocabulary import has, vocab, words

FOLLOW_UP = vocab(
    "time futime survtime stime surv survival followup fu obstime stop tstop ttr days months weeks"
    " os rfs pfs dfs efs tte"  # overall, recurrence-, progression-, disease-, event-free survival
)
# how a status column is named after the time it closes: rec and rec.s, si.time and si.stat
STATUS_SUFFIXES = frozenset(
    {"s", "st", "stat", "status", "event", "ind", "cens", "censor", "d", "delta", "e"}
)
_TIME_SUFFIXES = frozenset({"time", "t", "tm", "dur", "days", "months", "weeks", "years"})
STATUS = vocab(
    "status fustat event events delta death dead died cens censor censored censoring fail failure relapse"
)


def censored_times(
    measures: list[Measure], flags: list[str], distinct: dict[str, int]
) -> list[tuple[str, str]]:
    """Mark follow-up times beside an event status `censored`; (status, time) pairs for `circular`.

    A time is paired with every status column when its name says follow-up (futime beside status,
    OS beside Death), and with the status named after it otherwise (rec beside rec.s)."""
    few = [f for f in flags if 2 <= distinct.get(f, 0) <= 3]  # dead, alive, other death
    statuses = [f for f in few if has(f, STATUS)]
    pairs = []
    for m in measures:
        if m.derived or m.kind == "count":
            continue
        closed = list(statuses) if has(m.name, FOLLOW_UP) else []  # a copy: each time adds its own
        closed += [f for f in few if f not in closed and _named_after(f, m.name)]
        if closed:
            m.censored = True
            pairs += [(f, m.name) for f in closed]
    # several events followed at once (recovery, relapse, death: a multi-state history): each time is
    # cut short by the others' events as well, so every time goes with every status
    times = dict.fromkeys(m for _, m in pairs)
    flags_paired = dict.fromkeys(f for f, _ in pairs)
    return [(f, m) for f in flags_paired for m in times]


def _named_after(flag: str, time: str) -> bool:
    """Whether a status column is named after a time: its name is the time's stem and a status suffix
    (rec.s and rec, aids.stat and aids.time, relapse_event and relapse_days)."""
    f, t = words(flag), words(time)
    if len(f) < 2 or f[-1] not in STATUS_SUFFIXES:
        return False
    stem = t[:-1] if len(t) >= 2 and t[-1] in _TIME_SUFFIXES else t
    return bool(stem) and f[:-1] == stem
