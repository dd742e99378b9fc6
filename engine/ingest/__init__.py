"""Ingestion: read CSV/TSV/Excel/JSON/Parquet uploads into typed polars frames."""

from engine.ingest.loader import load_table
from engine.ingest.table import ColumnNote, Issue, Table

__all__ = ["ColumnNote", "Issue", "Table", "load_table"]
