"""Terms in free-text columns (descriptions, comments): what they talk about, and what sets a segment apart.

Text is lower-cased and split into words; stop words, numbers and one- or
two-letter words are left out, and adjacent kept words also count as phrases.
Frequencies are of rows (a term repeated in one description counts once).

- Overall: the frequent terms, reported when a few of them dominate (the top
  term is in at least 20% of rows and three times as common as the typical
  frequent term): descriptive.
- Codes inside the text (`Printer546`, `ERR-1001`), reported when one code is
  named in at least 10 rows and three times as often as the typical code:
  descriptive.
- Within a standout segment: the terms far more common inside than outside it
  (two-proportion z-test, Bonferroni over the terms tried).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise

import polars as pl

from engine.analysis.candidates import Candidate, ChartSpec, evidence
from engine.analysis.fmt import fmt_p, fmt_pct, label
from engine.analysis.semantics.model import Measure
from engine.analysis.stats import two_proportions

SAMPLE = 20_000
TOP_TERMS = 12
MIN_DOMINANT_SHARE = 0.2
BOILERPLATE_SHARE = 0.9
MIN_CODE_SHARE = 0.05
MIN_CODE_ROWS = 10  # one code (a printer, an error) named in this many rows, far more than the others
MIN_LIFT = 2.0
_CODE = re.compile(r"\b[A-Za-z]{2,}[-_]?\d{2,}\b")
_TOKEN = r"[a-z][a-z0-9']+"
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "aren't",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "can't",
        "cannot",
        "could",
        "couldn't",
        "did",
        "didn't",
        "do",
        "does",
        "doesn't",
        "doing",
        "don't",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "hadn't",
        "has",
        "hasn't",
        "have",
        "haven't",
        "having",
        "he",
        "he'd",
        "he'll",
        "he's",
        "her",
        "here",
        "here's",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "how's",
        "i",
        "i'd",
        "i'll",
        "i'm",
        "i've",
        "if",
        "in",
        "into",
        "is",
        "isn't",
        "it",
        "it's",
        "its",
        "itself",
        "let's",
        "me",
        "more",
        "most",
        "mustn't",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "ought",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "shan't",
        "she",
        "she'd",
        "she'll",
        "she's",
        "should",
        "shouldn't",
        "so",
        "some",
        "such",
        "than",
        "that",
        "that's",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "there's",
        "these",
        "they",
        "they'd",
        "they'll",
        "they're",
        "they've",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "wasn't",
        "we",
        "we'd",
        "we'll",
        "we're",
        "we've",
        "were",
        "weren't",
        "what",
        "what's",
        "when",
        "when's",
        "where",
        "where's",
        "which",
        "while",
        "who",
        "who's",
        "whom",
        "why",
        "why's",
        "with",
        "won't",
        "would",
        "wouldn't",
        "you",
        "you'd",
        "you'll",
        "you're",
        "you've",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "also",
        "get",
        "got",
        "getting",
        "please",
        "thanks",
        "thank",
        "hi",
        "hello",
        "dear",
        "regards",
        "via",
        "per",
        "would",
        "could",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "need",
        "needs",
        "needed",
        "just",
        "still",
        "yet",
        "etc",
        "using",
        "use",
        "used",
        "one",
        "two",
        "new",
    ]
)


_STOP_LIST = sorted(STOP_WORDS)


@dataclass
class TextRows:
    """A text column's sampled non-empty rows (with the segment columns) and their terms.

    The overall reading and every segment's reading count terms of the same
    rows, so the rows are tokenised once (on first use) and each segment joins
    its own rows to them.
    """

    column: str
    data: pl.DataFrame  # "\x00row", the text column and the segment columns

    @cached_property
    def terms(self) -> pl.DataFrame:
        """One row per (text row, term), as `term_rows` reads them."""
        return term_rows(self.data, self.column)


def text_rows(df: pl.DataFrame, column: str, segment_columns: list[str]) -> TextRows:
    """The rows every term detector of `column` reads, keeping `segment_columns` for the segment readings."""
    return TextRows(column, _rows(df, column, [c for c in dict.fromkeys(segment_columns) if c != column]))


def _rows(df: pl.DataFrame, column: str, keep: list[str]) -> pl.DataFrame:
    data = df.select([column, *keep]).filter(pl.col(column).is_not_null())
    data = data.gather_every(max(1, data.height // SAMPLE)) if data.height > SAMPLE else data
    return data.with_columns(pl.col(column).cast(pl.String)).with_row_index("\x00row")


def term_rows(data: pl.DataFrame, column: str) -> pl.DataFrame:
    """One row per (text row, term): its kept words and two-word phrases, each once per row."""
    words = (
        data.select("\x00row", pl.col(column).str.to_lowercase().str.extract_all(_TOKEN).alias("term"))
        .explode("term")
        .filter(pl.col("term").str.len_chars() > 2)
        .filter(~pl.col("term").is_in(_STOP_LIST))
    )
    # rows stay contiguous after the explode: the next word belongs to the same text when its row does
    following = pl.col("term").shift(-1)
    same_text = pl.col("\x00row").shift(-1) == pl.col("\x00row")
    pairs = (
        words.with_columns(following.alias("\x00next"), same_text.alias("\x00same"))
        .filter(pl.col("\x00same") & (pl.col("\x00next") != pl.col("term")))
        .select("\x00row", pl.concat_str([pl.col("term"), pl.col("\x00next")], separator=" ").alias("term"))
    )
    return pl.concat([words, pairs]).unique(["\x00row", "term"])


def tokens(texts: list[str]) -> list[set[str]]:
    """Per text: its kept words and two-word phrases (the reference the vectorised reading follows)."""
    out = []
    for text in texts:
        ws = [w for w in re.findall(_TOKEN, text.lower()) if len(w) > 2 and w not in STOP_WORDS]
        terms = set(ws)
        terms.update(f"{a} {b}" for a, b in pairwise(ws) if a != b)
        out.append(terms)
    return out


def overall_terms(source: TextRows, count: Measure) -> list[Candidate]:
    """Dominant terms and codes of a text column (descriptive)."""
    data, column = source.data, source.column
    n = data.height
    if n < 20:
        return []
    freq = (
        source.terms.group_by("term").agg(pl.len().alias("k")).sort(["k", "term"], descending=[True, False])
    )
    # a word in nearly every row is the export's template ("issue reported by user"), not a topic
    top = list(freq.filter(pl.col("k") < BOILERPLATE_SHARE * n).head(20).iter_rows())
    out = []
    if top:
        typical = sorted(c for _, c in top)[len(top) // 2]
        share = top[0][1] / n
        if share >= MIN_DOMINANT_SHARE and top[0][1] >= 3 * typical:
            out.append(_overall(column, count, [(t, c, c / n) for t, c in top[:TOP_TERMS]], n))
    found = data.select("\x00row", pl.col(column).str.extract_all(_CODE.pattern).alias("code")).explode(
        "code"
    )
    found = found.drop_nulls("code").unique(["\x00row", "code"])
    if found.height == 0:
        return out
    with_code = found["\x00row"].n_unique()
    codes = found.group_by("code").agg(pl.len().alias("k")).sort(["k", "code"], descending=[True, False])
    families = (
        found.with_columns(pl.col("code").str.replace(r"[-_]?\d+$", "").alias("prefix"))
        .unique(["\x00row", "prefix"])
        .group_by("prefix")
        .agg(pl.len().alias("k"))
        .sort(["k", "prefix"], descending=[True, False])
    )
    top_codes = list(codes.head(20).iter_rows())
    typical = sorted(k for _, k in top_codes)[len(top_codes) // 2]
    if with_code >= MIN_CODE_SHARE * n and top_codes[0][1] >= max(MIN_CODE_ROWS, 3 * typical):
        out.append(
            _codes(column, count, top_codes[:TOP_TERMS], list(families.head(5).iter_rows()), with_code, n)
        )
    return out


def _overall(column: str, count: Measure, terms: list[tuple[str, int, float]], n: int) -> Candidate:
    first = terms[0]
    listed = ", ".join(f"'{t}' ({fmt_pct(s)})" for t, _, s in terms[:5])
    text = f"The most frequent terms in {label(column)} are {listed} of {n:,} {count.noun}."
    return Candidate(
        "text_terms",
        f"'{first[0]}' dominates {label(column)}",
        text,
        min(1.0, first[2] / 0.5),
        None,
        {
            **evidence(
                count,
                columns=[column],
                entity=first[0],
                direction="up",
                aggregation=f"share of {count.noun} whose {column} contains the term",
                rows=n,
                test="descriptive (share of rows containing each term)",
            ),
            "terms": [{"term": t, "count": c, "share": s} for t, c, s in terms],
        },
        ("text_terms", column, "overall"),
        _terms_chart(f"Frequent terms in {label(column)}", terms, count.noun),
    )


def _codes(
    column: str,
    count: Measure,
    codes: list[tuple[str, int]],
    families: list[tuple[str, int]],
    with_code: int,
    n: int,
) -> Candidate:
    kinds = ", ".join(f"{f}… in {fmt_pct(k / n)}" for f, k in families[:3])
    listed = ", ".join(f"{c} ({k})" for c, k in codes[:5])
    text = (
        f"{fmt_pct(with_code / n)} of {count.noun} mention a code in {label(column)} ({kinds}); the most "
        f"frequent are {listed}."
    )
    return Candidate(
        "text_terms",
        f"Codes in {label(column)}: {codes[0][0]} most often",
        text,
        min(1.0, with_code / n / 0.3) * 0.6,
        None,
        {
            **evidence(
                count,
                columns=[column],
                entity=codes[0][0],
                direction="up",
                aggregation=f"codes (letters followed by digits) found in {column}",
                rows=n,
                rowsWithCode=with_code,
                test="descriptive (codes found in the text)",
            ),
            "terms": [{"term": c, "count": k, "share": k / n, "code": True} for c, k in codes],
            "codeFamilies": [{"prefix": f, "count": k, "share": k / n} for f, k in families],
        },
        ("text_terms", column, "codes"),
        _terms_chart(f"Codes in {label(column)}", [(c, k, k / n) for c, k in codes], count.noun),
    )


def segment_terms(source: TextRows, count: Measure, dim: str, value: str) -> Candidate | None:
    """Terms far more frequent inside the segment `dim = value` than outside it (`dim` is one of the
    segment columns `source` was read with)."""
    column = source.column
    data = source.data.filter(pl.col(dim).is_not_null())
    data = data.with_columns((pl.col(dim).cast(pl.String) == value).alias("\x00in"))
    n_in = int(data["\x00in"].sum())
    n_out = data.height - n_in
    if n_in < 10 or n_out < 10:
        return None
    counts = (
        source.terms.join(data.select("\x00row", "\x00in"), on="\x00row")
        .group_by("term")
        .agg(pl.col("\x00in").sum().alias("k_in"), (~pl.col("\x00in")).sum().alias("k_out"))
        .sort(["k_in", "term"], descending=[True, False])
        .head(50)
    )
    f_out = dict(zip(counts["term"].to_list(), counts["k_out"].to_list(), strict=True))
    tried = list(zip(counts["term"].to_list(), counts["k_in"].to_list(), strict=True))
    found = []
    for term, k_in in tried:
        k_out = f_out.get(term, 0)
        s_in, s_out = k_in / n_in, k_out / n_out
        if s_in < 0.1 or s_in < MIN_LIFT * s_out:
            continue
        p = min(1.0, two_proportions(k_in, n_in, k_out, n_out) * len(tried))
        found.append((p, term, k_in, s_in, s_out))
    if not found:
        return None
    found.sort(key=lambda f: (f[0], -f[3]))
    p, term, _, s_in, s_out = found[0]
    listed = ", ".join(f"'{t}' ({fmt_pct(a)} vs {fmt_pct(b)})" for _, t, _, a, b in found[:4])
    text = (
        f"{value} {count.noun} are described differently: {listed} of {value} {count.noun} against the other "
        f"{count.noun} ({fmt_p(p)})."
    )
    top_terms = [(t, k, a) for _, t, k, a, _ in found[:TOP_TERMS]]
    return Candidate(
        "text_terms",
        f"'{term}' marks {value} {count.noun}",
        text,
        min(1.0, (s_in - s_out) / 0.5),
        p,
        {
            **evidence(
                count,
                columns=[column],
                dimension=dim,
                entity=value,
                direction="up",
                filters=[{"column": dim, "equals": value}],
                aggregation=f"share of {count.noun} whose {column} contains the term, inside {dim} = {value} "
                "vs elsewhere",
                term=term,
                share=s_in,
                shareElsewhere=s_out,
                rows=n_in,
                test="two-proportion z-test per term, Bonferroni over the terms tried",
            ),
            "terms": [
                {"term": t, "count": k, "share": a, "shareElsewhere": b, "lift": a / b if b else None}
                for _, t, k, a, b in found[:TOP_TERMS]
            ],
        },
        ("text_terms", column, dim, value),
        _terms_chart(f"Terms of {value} {count.noun} in {label(column)}", top_terms, count.noun),
    )


def _terms_chart(title: str, terms: list[tuple[str, int, float]], what: str) -> ChartSpec:
    return ChartSpec(
        "bar",
        title,
        {
            "categories": [t for t, _, _ in terms],
            "values": [c for _, c, _ in terms],
            "name": f"{what} mentioning",
            "orientation": "h",
        },
    )
