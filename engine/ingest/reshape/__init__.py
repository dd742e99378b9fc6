"""Tables laid out for reading by eye, read as an analyst reads them.

Each reader recognises one layout and reshapes only when it is clear, saying so
in an issue; otherwise the table is left as it is.

- `months`: one row per year, one column per month: one monthly series.
- `years`: one column per year: one yearly series per row (country, indicator).
- `variables`: one row per observation and variable: one column per variable.

Before them, `totals` drops a totals row (`Total`, `Summe`) that holds the sum of the others.
"""

from __future__ import annotations

from engine.ingest.reshape.months import unpivot_months
from engine.ingest.reshape.totals import drop_total_rows
from engine.ingest.reshape.variables import pivot_variables
from engine.ingest.reshape.years import unpivot_years
from engine.ingest.table import Table

__all__ = ["drop_total_rows", "pivot_variables", "reshape", "unpivot_months", "unpivot_years"]


def reshape(table: Table) -> Table:
    """`table` in the layout the analysis reads (see the module's readers)."""
    return pivot_variables(unpivot_years(unpivot_months(drop_total_rows(table))))
