"""Words in column names that tell an analyst what a column holds.

Names are split into lower-case words (`opened_at` → opened, at; `unitPrice`
→ unit, price; `Miles_per_Gallon` → miles, per, gallon; `UCBAdmissions` → ucb,
admissions). A vocabulary entry ending in `*` matches any word it starts (`temp*`
matches temp, temperature).
"""

from __future__ import annotations

import re
from functools import lru_cache

_SPLIT = re.compile(
    r"[^0-9A-Za-z]+|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])"
)


@lru_cache(maxsize=4096)
def words(name: str) -> tuple[str, ...]:
    """The lower-case words of a column name."""
    return tuple(w.lower() for w in _SPLIT.split(name) if w)


def has(name: str, vocabulary: frozenset[str]) -> bool:
    """Whether any word of `name` is in the vocabulary (entries ending in * are prefixes)."""
    for w in words(name):
        if w in vocabulary:
            return True
        for entry in vocabulary:
            if entry.endswith("*") and w.startswith(entry[:-1]):
                return True
    return False


YES = ("1", "1.0", "true", "yes", "y", "t")  # how a yes is written in a yes/no column, lower-cased
NO = ("0", "0.0", "false", "no", "n", "f")
YES_NO = frozenset(YES + NO)


def vocab(text: str) -> frozenset[str]:
    """A vocabulary from a whitespace-separated list."""
    return frozenset(text.split())


CODES = vocab(
    "id ids uuid guid key code codes zip zipcode postal postcode plz fips iso isbn phone tel mobile fax "
    "sku ean upc ssn serial ref rownames rowname unnamed index idx pk fk tz timezone utc offset "
    "seqn seqno idno idnum uid pid recno refno caseno respid subjid hhid famid pin mrn npi ein vin imei iban"
)
# Run-together ids ("unitid", "provnum") are codes; these words only end like one.
NOT_IDS = vocab(
    "paid unpaid prepaid humid valid invalid rapid liquid acid fluid hybrid solid grid lipid void avoid "
    "arid vivid lucid timid candid rigid pyramid covid thyroid steroid opioid asteroid android "
    "platinum aluminum"
)
LATITUDE = vocab("lat latitude")
LONGITUDE = vocab("lon lng long longitude")
# a map grid (UTM eastings and northings, x and y coordinates): places, never measures
GRID = vocab("easting eastings northing northings xc yc xcoord ycoord utmx utmy")
# the uncertainty of another column's estimate (a rate's standard error, a poll's margin): not a quantity
UNCERTAINTY = vocab("se sem stderr serr moe lcl ucl ci")
# A compass angle: 350° and 10° average to 180°, the opposite way; it is a direction, never a measure.
DIRECTION = vocab("dir direction bearing heading azimuth winddir wd")
YEARS = vocab("year years yr yyyy jahr annee fy fiscalyear")
COHORTS = vocab("cohort cohorts period periods era decade vintage")  # when a group of rows entered
CALENDAR = vocab(
    "month months mon day days dom dow weekday wday hour hr minute min second sec week wk quarter qtr season"
)
NOT_TIME = vocab("birth* dob born expir* due deadline updated modified built founded established")
EVENT_TIME = vocab(
    "date time datetime timestamp ts opened open created create start started starting submitted "
    "order ordered placed day period when reported logged received booked"
)
END_TIME = vocab(
    "closed close resolved resolve end ended ending finish finished shipped ship delivered delivery "
    "processed completed complete leave left termination terminated exit departure checkout"
)
INTENSIVE = vocab(
    "price* rate rates ratio pct percent* perc perc* share score* rating* avg average mean median discount* "
    "margin* age temp* celsius fahrenheit humid* pressure speed wind density level yield growth "
    "per capita weight height length width depth mpg efficiency ppm concentration open close high low "
    "adj adjusted elevation altitude alt bmi salary salaries wage wages lifeexp expectancy probability "
    "prob fraction accuracy progress duration minutes hours seconds delay delays latency distance dist "
    "mileage horsepower hp displacement coef slope std zscore rank ranking satisfaction "
    "temperature tmax tmin tavg visibility dewpoint gust time percap life deflator cpi ppi hicp yrs years"
)
EXTENSIVE = vocab(
    "population pop popn people inhabitants residents headcount houses dwellings "
    "employ* employees workforce labor labour "
    "balance* inventory backlog outstanding holdings assets liabilities debt capital reserves listings "
    "members subscribers enrolled enrollment unemploy* unemployed capacity fleet beds "
    "households stock"
)
FLOW = vocab(
    "revenue* sales sale amount* total* subtotal* items profit* turnover income spend spent cost* gmv "
    "units unit qty quantity volume orders count counts visits clicks views sessions calls tickets claims "
    "deaths exits separations terminations leavers quits resignations joiners starters "
    "impressions conversions signups kwh mwh gwh actual actuals budget budgets umsatz ventas ventes "
    "births cases hires sold paid fee fees tax taxes charge charges payment* expense* donation* precip* "
    "precipitation rain rainfall snow snowfall energy generation consumption production output exports "
    "imports flights passengers trips arrivals departures returns refunds downloads installs invest* "
    "gdp gnp gsp freq frequency incidents accidents casualties killed injured injuries victims affected "
    "crimes arrests complaints defects failures flow flows discharge runoff"
)
# Flows that, in a table of things without a time axis, are each thing's own level (per capita).
INCOMES = vocab("income incomes earnings")
# A column named only so says what numbers are counted in ("unit": feet or metres), unlike a business unit.
UNITS = vocab("unit units uom currency ccy curr of measure measurement")
# Quotes of a security or a good: levels in each one's own units, compared across them only by their moves.
PRICES = vocab("price* close open high low adj adjusted quote* nav bid ask")
INTERVAL = vocab("temp* celsius fahrenheit tmax tmin tavg tmean dewpoint")  # no true zero: no "+115%"
MONEY = vocab("revenue* sales amount* subtotal* profit* turnover spend cost* gmv price* income payment*")
PERSON = vocab(
    "agent agents assignee assigned owner owners user users employee emp staff caller callers customer "
    "customers client clients requester requestor reporter manager rep salesperson seller driver author "
    "person name submitter approver analyst technician engineer operator worker member patient student "
    "teacher doctor nurse physician vendor supplier"
)
START_END = (
    (
        vocab(
            "opened open created create start started begin begun submitted order ordered placed "
            "hired hire joined join arrival arrived checkin requested received reported logged booked "
            "departure dep entered admitted admission sent issued raised diag diagnosis diagnosed onset "
            "enrolled entry"
        ),
        vocab(
            "closed close resolved resolve end ended finish finished completed complete shipped ship "
            "delivered delivery terminated termination left leave exit checkout processed approved paid "
            "fulfilled returned discharged discharge arr answered responded done due death died deceased "
            "recovered cured"
        ),
    ),
)
# Places: a whole number in a column named so is a place's code (FIPS state 6, region 3), never a quantity.
PLACE = vocab("state country county region province district city town municipality borough fips territory")
# Groups of a study design: a whole number in a column named so says which group, never how much
# ("average stratum 41.9" and "stratum correlates with pooled.stratum" say nothing).
GROUPING = vocab(
    "stratum strata cluster subject subj block replicate family site center centre sector wave arm cohort"
)
# A lone word naming a numbered thing: an integer column called just this is a code ("flight" 1545).
NUMBERED = vocab(
    "flight route line store branch station room seat gate bus train lane shelf aisle batch lot"
    # one person or unit, numbered: a mother's, a pupil's, a teacher's, a school's number
    " mom mother father kid child pupil student teacher tch school sch subject individual respondent"
    " participant patient person household hh round matchday"
)
# A workflow state: most rows sit in the terminal one by nature ("Closed"), so its spread is not a finding.
STATUS = vocab("state status stage phase lifecycle workflow")
# what a yes/no column records as the result of the rest: read as the rate in a 2×2 table
OUTCOMES = vocab(
    "churn* churned attrition default* defaulted survived survival died death* dead outcome* target "
    "resigned left quit cancel* cancelled converted conversion purchased responded response approved "
    "admitted readmitted readmission fraud* delayed late success* failed failure* passed won"
)

# What one row of an event table is: a goal naming one of these asks about the row count.
EVENT_NOUNS = vocab(
    "incident ticket case issue request claim record row event entry order call complaint transaction"
    " task submission application visit booking reservation trip flight accident death hire job"
)
# What a row of a record table stands for, named in the singular by a file ("employee.csv").
RECORD_NOUNS = EVENT_NOUNS | vocab(
    "employee customer patient student user member account product item sale payment invoice expense"
    " shipment delivery loan policy contract lead deal"
)


_YEAR_TOKEN = re.compile(r"(?<!\d)(1[89]\d{2}|20\d{2})(?!\d)")


def letters(name: str) -> str:
    """A column name's letters alone, lower case: what names of one variable have in common."""
    return re.sub(r"[^a-z]", "", name.lower())


def same_variable_years_apart(a: str, b: str) -> bool:
    """One variable in two years (density_2016 and density_2021, pop1990 and pop2000): the names are
    the same once their four-digit years are taken out, and at least one has a year."""
    if not (_YEAR_TOKEN.search(a) or _YEAR_TOKEN.search(b)):
        return False
    strip = [letters(_YEAR_TOKEN.sub("", x)) for x in (a, b)]
    return bool(strip[0]) and strip[0] == strip[1]


def same_stem(a: str, b: str) -> bool:
    """One variable at two times or in two versions (smsa66 and smsa76, rns and rns80, nearc4 and
    nearc4a): that it persists is no finding."""
    short, long = sorted((letters(a), letters(b)), key=len)
    return len(short) >= 1 and long.startswith(short) and (len(short) >= 3 or short == long)
