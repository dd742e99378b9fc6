"""Seeded generators of operational exports with planted patterns (and a patternless ticket log).

Each table looks like what a help desk, finance or HR system exports: ids with prefixes, text
timestamps, people's names, free-text descriptions, a few empty or impossible cells. The planted
patterns are the ones analysts report on such tables (issue 9); the constants below name them so
the cases can say what they expect.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

# --- IT tickets ------------------------------------------------------------------------------

TICKET_START = dt.datetime(2024, 1, 1)
TICKET_DAYS = 364
AGENTS = [
    "Beth Anglin",
    "Fred Luddy",
    "Luke Wilson",
    "Bud Richman",
    "Don Goodliffe",
    "ITIL User",
    "Howard Johnson",
    "Charlie Whitherspoon",
    "David Loo",
    "Jane Doe",
    "Rachel Fogg",
    "Ivan Petrov",
]
RISING_AGENT = "Fred Luddy"  # planted: his resolution time rises over the months, the others stay flat
BUSY_AGENT = "Beth Anglin"  # planted: ~18% of assignments, the 11 others ~7.5% each
CATEGORIES = ["Hardware", "Software", "Network", "Database", "Inquiry / Help"]
TOP_CATEGORY = "Hardware"  # planted: ~60% of incidents
LOCATIONS = ["Australia", "United States", "United Kingdom", "India", "Germany", "Canada"]
HOT_LOCATION = "Australia"  # planted: ~72% of Hardware incidents, ~15% of the others
PRINTER = "Printer546"  # planted: the code that recurs in Hardware descriptions
PRIORITIES = ["1 - Critical", "2 - High", "3 - Moderate", "4 - Low"]
PRIORITY_FACTOR = {"1 - Critical": 0.3, "2 - High": 0.6, "3 - Moderate": 1.0, "4 - Low": 1.6}

DESCRIPTIONS = {
    "Hardware": [
        f"{PRINTER} not printing",
        f"{PRINTER} paper jam again",
        f"printer {PRINTER} offline on level 3",
        "printer queue stuck, nothing prints",
        "laptop battery not charging",
        "monitor flickering after docking",
        "docking station not detected",
        "keyboard keys stuck",
        "printer toner low warning",
    ],
    "Software": [
        "Outlook crashes on startup",
        "Excel add-in error on open",
        "cannot install security update",
        "Teams audio not working in calls",
        "SAP GUI freezes when saving",
    ],
    "Network": [
        "wifi drops in meeting room",
        "VPN disconnects every hour",
        "slow network on level 2",
        "cannot reach shared drive",
    ],
    "Database": [
        "nightly SQL job failed",
        "database connection timeout in reporting",
        "report query very slow",
    ],
    "Inquiry / Help": [
        "how to reset my password",
        "request access to shared mailbox",
        "request for new mouse",
        "question about expense tool",
    ],
}
NEUTRAL = [
    "issue reported by user",
    "user cannot work",
    "please help asap",
    "problem since this morning",
    "error message shown",
    "see attached screenshot",
    "happens intermittently",
    "affects whole team",
]
FIRST = [
    "Abel",
    "Alene",
    "Bertie",
    "Carol",
    "Dion",
    "Earlene",
    "Fannie",
    "Gail",
    "Hugo",
    "Irma",
    "Jimmie",
    "Kara",
    "Lacy",
    "Mario",
    "Nadia",
    "Otis",
    "Perla",
    "Quinn",
    "Rosa",
    "Saul",
    "Tia",
    "Uriel",
    "Vera",
    "Wes",
    "Xena",
    "Yuri",
    "Zelda",
]
LAST = [
    "Tuter",
    "Rau",
    "Schacht",
    "Hallo",
    "Woodford",
    "Sperry",
    "Mclaren",
    "Kolb",
    "Ngo",
    "Silva",
    "Okafor",
    "Brandt",
    "Kowal",
    "Ferro",
    "Haas",
    "Lindqvist",
    "Moreau",
    "Ishii",
    "Varga",
    "Duarte",
    "Quist",
    "Ortega",
    "Nakamura",
    "Petit",
    "Walsh",
    "Yilmaz",
]


def people(rng: np.random.Generator, n: int) -> list[str]:
    """`n` distinct 'First Last' names."""
    names = sorted({f"{f} {s}" for f in FIRST for s in LAST})
    return list(rng.choice(names, n, replace=False))


def _stamp(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _open_times(rng: np.random.Generator, n: int, weekly: np.ndarray | None) -> list[dt.datetime]:
    """`n` opening times over the year; `weekly` scales the volume of each week (None: flat)."""
    weeks = TICKET_DAYS // 7
    w = np.ones(weeks) if weekly is None else weekly
    week = rng.choice(weeks, n, p=w / w.sum())
    day = week * 7 + rng.integers(0, 7, n)
    seconds = rng.integers(7 * 3600, 19 * 3600, n)
    return [
        TICKET_START + dt.timedelta(days=int(d), seconds=int(s)) for d, s in zip(day, seconds, strict=True)
    ]


def tickets(seed: int = 9, n: int = 3000) -> pl.DataFrame:
    """An incident export with the planted patterns of issue 9.

    - Hardware holds ~60% of incidents, and 72% of Hardware incidents are in Australia (15% of
      the others);
    - Hardware descriptions mention printers, most of them `Printer546`;
    - Fred Luddy's resolution time triples over the year; the other agents' stays flat;
    - Beth Anglin is assigned ~18% of incidents, 2.4× any other agent;
    - busy weeks are slow weeks: resolution time scales with the week's volume;
    - priority sets resolution time (Critical ~3× faster than Moderate);
    - 12 tickets were closed before they were opened (negative durations); open tickets have no
      closed_at.
    """
    rng = np.random.default_rng(seed)
    weeks = TICKET_DAYS // 7
    z = np.zeros(weeks)
    for k in range(1, weeks):
        z[k] = 0.7 * z[k - 1] + rng.normal(0, 0.3)
    load = np.exp(z)
    opened = _open_times(rng, n, load)
    week = np.array([(t - TICKET_START).days // 7 for t in opened])
    month = np.array([t.month - 1 for t in opened])
    category = rng.choice(CATEGORIES, n, p=[0.6, 0.15, 0.1, 0.08, 0.07])
    others = [c for c in LOCATIONS if c != HOT_LOCATION]
    hot = np.where(category == TOP_CATEGORY, 0.72, 0.15)
    location = np.where(rng.random(n) < hot, HOT_LOCATION, rng.choice(others, n))
    priority = rng.choice(PRIORITIES, n, p=[0.08, 0.22, 0.5, 0.2])
    weights = np.array([2.4 if a == BUSY_AGENT else 1.0 for a in AGENTS])
    agent = rng.choice(AGENTS, n, p=weights / weights.sum())
    callers = people(rng, 600)
    caller = rng.choice(callers, n)
    hours = rng.lognormal(np.log(14), 0.6, n)
    hours *= np.array([PRIORITY_FACTOR[p] for p in priority])
    hours *= (load[week] / load.mean()) ** 0.7
    hours *= np.where(agent == RISING_AGENT, 1 + 2.2 * month / 11, 1.0)
    state = rng.choice(["Closed", "Resolved", "In Progress", "New"], n, p=[0.85, 0.08, 0.04, 0.03])
    closed: list[str | None] = []
    for t, h, s in zip(opened, hours, state, strict=True):
        closed.append(None if s in ("In Progress", "New") else _stamp(t + dt.timedelta(hours=float(h))))
    for k in rng.choice(np.flatnonzero(np.array([c is not None for c in closed])), 12, replace=False):
        closed[k] = _stamp(opened[k] - dt.timedelta(hours=float(rng.uniform(1, 30))))
    text = []
    for c, loc in zip(category, location, strict=True):
        options = DESCRIPTIONS[c]
        if c == TOP_CATEGORY and loc == HOT_LOCATION and rng.random() < 0.5:
            phrase = options[int(rng.integers(0, 3))]  # the Printer546 phrases
        else:
            phrase = options[int(rng.integers(0, len(options)))]
        text.append(phrase if rng.random() < 0.6 else f"{phrase} - {rng.choice(NEUTRAL)}")
    order = np.argsort(np.array([t.timestamp() for t in opened]), kind="stable")
    return pl.DataFrame(
        {
            "number": [f"INC{10000 + k:07d}" for k in range(n)],
            "opened_at": [_stamp(opened[k]) for k in order],
            "closed_at": [closed[k] for k in order],
            "category": category[order],
            "priority": priority[order],
            "assigned_to": agent[order],
            "caller": caller[order],
            "location": location[order],
            "state": state[order],
            "short_description": [text[k] for k in order],
        }
    )


def tickets_noise(seed: int, n: int = 2000) -> pl.DataFrame:
    """The same export with no pattern: every column independent and evenly spread.

    Volume is flat over the year (no weekday cycle), durations are i.i.d., categories,
    locations, priorities and agents are uniform, and descriptions are drawn from one pool of
    phrases shared by every category (without the Printer546 code: a device named in 8% of all
    tickets would be a finding).
    """
    rng = np.random.default_rng(10_000 + seed)
    opened = sorted(_open_times(rng, n, None))
    hours = rng.lognormal(np.log(14), 0.6, n)
    state = rng.choice(["Closed", "Resolved"], n, p=[0.9, 0.1])
    pool = [p for phrases in DESCRIPTIONS.values() for p in phrases if PRINTER not in p]  # no recurring code
    return pl.DataFrame(
        {
            "number": [f"INC{20000 + k:07d}" for k in range(n)],
            "opened_at": [_stamp(t) for t in opened],
            "closed_at": [
                _stamp(t + dt.timedelta(hours=float(h))) for t, h in zip(opened, hours, strict=True)
            ],
            "category": rng.choice(CATEGORIES, n),
            "priority": rng.choice(PRIORITIES, n),
            "assigned_to": rng.choice(AGENTS, n),
            "caller": rng.choice(people(rng, 400), n),
            "location": rng.choice(LOCATIONS, n),
            "state": state,
            "short_description": rng.choice(pool, n),
        }
    )


# --- Expense claims --------------------------------------------------------------------------

DEPARTMENTS = ["Sales", "Engineering", "Marketing", "Finance", "HR", "Operations"]
EXPENSE_CATEGORIES = {  # category: (share of claims, median amount)
    "Travel": (0.22, 650.0),
    "Meals": (0.26, 45.0),
    "Lodging": (0.14, 420.0),
    "Supplies": (0.12, 80.0),
    "Software": (0.08, 300.0),
    "Training": (0.06, 900.0),
    "Mileage": (0.12, 60.0),
}
REPEAT_USER = "mcarter"  # planted: 30 identical Software claims of 1,249.00
REPEAT_AMOUNT = 1249.0
BIG_CLAIM = 5000.0  # planted: claims above it take ~3× longer to process
CITIES = ["Chicago", "Denver", "Boston", "Austin", "Seattle", "Atlanta", "Toronto", "London"]
EXPENSE_TEXT = {
    "Travel": [
        "Flight to {city} - client visit",
        "Train to {city} for workshop",
        "Flight {city} sales kickoff",
    ],
    "Meals": ["Team lunch", "Client dinner in {city}", "Breakfast during offsite"],
    "Lodging": ["Hotel 2 nights {city}", "Hotel {city} conference", "Airbnb {city} project week"],
    "Supplies": ["Office supplies", "Printer paper and toner", "Whiteboard markers"],
    "Software": ["Software subscription", "Design tool license", "Cloud credits"],
    "Training": ["Conference registration", "Online course", "Certification exam fee"],
    "Mileage": ["Mileage to client site", "Mileage {city} office", "Mileage airport run"],
}


def _money(x: float) -> str:
    return f"${x:,.2f}"


def _us_date(d: dt.date) -> str:
    return d.strftime("%m/%d/%Y")


def expense_claims(seed: int = 21, n: int = 2500) -> pl.DataFrame:
    """An expense-claim export (amounts as '$1,249.00', US dates) with two planted patterns.

    - one user, mcarter, filed 30 identical Software claims of $1,249.00 ("Software license
      renewal") over the year, on top of his ordinary claims;
    - claims above $5,000 (about 6%) take about 3× longer to process (12 vs 4 days).
    Claims still Submitted or Pending have no processed date.
    """
    rng = np.random.default_rng(seed)
    users = sorted({f"{f[0].lower()}{s.lower()}" for f, s in zip(FIRST * 6, LAST * 7, strict=False)})
    users = [*[u for u in users if u != REPEAT_USER][:159], REPEAT_USER]
    dept_of = {u: DEPARTMENTS[int(rng.integers(0, len(DEPARTMENTS)))] for u in users}
    dept_of[REPEAT_USER] = "Sales"
    cats = list(EXPENSE_CATEGORIES)
    shares = np.array([EXPENSE_CATEGORIES[c][0] for c in cats])
    category = rng.choice(cats, n, p=shares / shares.sum())
    amount = np.array([rng.lognormal(np.log(EXPENSE_CATEGORIES[c][1]), 0.55) for c in category])
    big = rng.random(n) < 0.06
    amount = np.where(big, rng.uniform(5200, 14000, n), amount)
    category = np.where(big, rng.choice(["Travel", "Training", "Software"], n), category)
    user = rng.choice(users, n)
    submitted = [dt.date(2024, 1, 2) + dt.timedelta(days=int(d)) for d in rng.integers(0, 350, n)]
    descriptions = [rng.choice(EXPENSE_TEXT[c]).format(city=rng.choice(CITIES)) for c in category]
    rows = list(zip(user, category, amount, submitted, descriptions, strict=True))
    for k in range(30):
        day = dt.date(2024, 1, 8) + dt.timedelta(days=11 * k + int(rng.integers(0, 4)))
        rows.append((REPEAT_USER, "Software", REPEAT_AMOUNT, day, "Software license renewal"))
    rows.sort(key=lambda r: r[3])
    m = len(rows)
    state = rng.choice(
        ["Processed", "Rejected", "Submitted", "Pending Approval"], m, p=[0.8, 0.05, 0.08, 0.07]
    )
    out: dict[str, list] = {k: [] for k in ("claim_id", "user", "department", "category", "amount", "state")}
    out |= {"submitted_at": [], "processed_at": [], "description": []}
    for k, ((u, c, a, day, text), s) in enumerate(zip(rows, state, strict=True)):
        mean_days = 12.0 if a > BIG_CLAIM else 4.0
        wait = max(1, round(rng.gamma(3.0, mean_days / 3.0)))
        out["claim_id"].append(f"EXP-2024-{k + 1:05d}")
        out["user"].append(u)
        out["department"].append(dept_of[u])
        out["category"].append(c)
        out["amount"].append(_money(float(a)))
        out["state"].append(s)
        out["submitted_at"].append(_us_date(day))
        done = s in ("Processed", "Rejected")
        out["processed_at"].append(_us_date(day + dt.timedelta(days=wait)) if done else None)
        out["description"].append(text)
    return pl.DataFrame(out)


# --- HR records ------------------------------------------------------------------------------

HR_DEPARTMENTS = {  # department: (share of staff, titles, median salary)
    "Engineering": (
        0.3,
        ["Software Engineer", "Senior Engineer", "QA Engineer", "Engineering Manager"],
        118_000,
    ),
    "Sales": (0.25, ["Account Executive", "Sales Representative", "Sales Manager"], 72_000),
    "Operations": (0.2, ["Operations Analyst", "Logistics Coordinator", "Operations Manager"], 68_000),
    "Marketing": (0.1, ["Marketing Specialist", "Content Writer", "Marketing Manager"], 74_000),
    "Finance": (0.08, ["Accountant", "Financial Analyst", "Controller"], 80_000),
    "HR": (0.07, ["HR Generalist", "Recruiter", "HR Manager"], 66_000),
}
SHORT_TENURE_DEPT = "Sales"  # planted: leavers stay ~1 year, elsewhere ~4 years
HIGH_PAY_DEPT = "Engineering"  # planted
ZIPS = [
    "02134",
    "10001",
    "30303",
    "60601",
    "73301",
    "78701",
    "80202",
    "94105",
    "98101",
    "19103",
    "48226",
    "85004",
]
HR_CUTOFF = dt.date(2024, 12, 31)


def hr_records(seed: int = 31, n: int = 1500) -> pl.DataFrame:
    """An HR export: one row per employee, hires rising every year since 2012.

    - Sales leavers stay ~300 days, other leavers ~1,400 days;
    - Engineering salaries are ~50% above the others';
    - zip codes, employee ids and birth years are codes, not measures (salary does not depend on
      them).
    """
    rng = np.random.default_rng(seed)
    depts = list(HR_DEPARTMENTS)
    shares = np.array([HR_DEPARTMENTS[d][0] for d in depts])
    dept = rng.choice(depts, n, p=shares / shares.sum())
    years = np.arange(2012, 2025)
    weights = np.linspace(1, 3.2, len(years))
    hire_year = rng.choice(years, n, p=weights / weights.sum())
    hires = [dt.date(int(y), 1, 1) + dt.timedelta(days=int(rng.integers(0, 365))) for y in hire_year]
    out: dict[str, list] = {
        k: []
        for k in (
            "employee_id",
            "first_name",
            "last_name",
            "department",
            "job_title",
            "hire_date",
            "termination_date",
            "salary",
            "zip_code",
            "birth_year",
            "gender",
        )
    }
    ids = rng.choice(np.arange(100_000, 999_999), n, replace=False)
    for k in np.argsort(np.array([h.toordinal() for h in hires]), kind="stable"):
        d = str(dept[k])
        _, titles, pay = HR_DEPARTMENTS[d]
        hired = hires[k]
        stay = rng.exponential(300 if d == SHORT_TENURE_DEPT else 1400)
        leave = hired + dt.timedelta(days=int(30 + stay))
        out["employee_id"].append(int(ids[k]))
        out["first_name"].append(str(rng.choice(FIRST)))
        out["last_name"].append(str(rng.choice(LAST)))
        out["department"].append(d)
        out["job_title"].append(str(rng.choice(titles)))
        out["hire_date"].append(hired)
        out["termination_date"].append(leave if leave <= HR_CUTOFF and rng.random() < 0.6 else None)
        out["salary"].append(round(float(rng.lognormal(np.log(pay), 0.18)), -2))
        out["zip_code"].append(str(rng.choice(ZIPS)))
        out["birth_year"].append(int(rng.integers(1962, 2002)))
        out["gender"].append(str(rng.choice(["F", "M", "F", "M", "X"], p=[0.24, 0.24, 0.24, 0.24, 0.04])))
    return pl.DataFrame(out)


# --- Goals -----------------------------------------------------------------------------------

GOAL_DEPARTMENTS = ["Sales", "Marketing", "Engineering", "Support", "Finance"]
LAGGING_DEPT = "Marketing"  # planted: percent complete far below the others
GOAL_NAMES = [
    "Increase pipeline coverage",
    "Reduce ticket backlog",
    "Launch partner program",
    "Improve NPS",
    "Cut cloud spend",
    "Hire for open roles",
    "Automate month-end close",
    "Refresh website content",
]


def goals(seed: int = 41, n: int = 600) -> pl.DataFrame:
    """A goal tracker: status follows from percent_complete (Completed ⇔ 100, Not Started ⇔ 0).

    Marketing goals are ~35% complete on average, the others ~70%.
    """
    rng = np.random.default_rng(seed)
    owners = people(rng, 70)
    dept = rng.choice(GOAL_DEPARTMENTS, n)
    mean = np.where(dept == LAGGING_DEPT, 0.35, 0.72)
    pct = np.clip(rng.beta(mean * 4, (1 - mean) * 4) * 115, 0, 100).round()
    pct = np.where(rng.random(n) < 0.05, 0, pct)
    status = np.where(pct >= 100, "Completed", np.where(pct <= 0, "Not Started", "In Progress"))
    start = [dt.date(2024, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 120, n)]
    due = [s + dt.timedelta(days=int(d)) for s, d in zip(start, rng.integers(60, 300, n), strict=True)]
    return pl.DataFrame(
        {
            "goal_id": [f"GOAL-{k + 1:04d}" for k in range(n)],
            "goal_name": rng.choice(GOAL_NAMES, n),
            "owner": rng.choice(owners, n),
            "department": dept,
            "start_date": start,
            "due_date": due,
            "target": rng.choice([10, 25, 50, 100, 250, 1000], n),
            "percent_complete": pct.astype(int),
            "status": status,
        }
    )


# --- Orders: 20 of 500 customers hold 80% of revenue ----------------------------------------

PRODUCTS = {  # product category: unit price
    "Sensors": 42.0,
    "Controllers": 310.0,
    "Cables": 9.5,
    "Displays": 185.0,
    "Power Supplies": 64.0,
    "Enclosures": 27.0,
}
KEY_ACCOUNTS = 20


def orders(seed: int = 51, n: int = 6000) -> pl.DataFrame:
    """500 customers; the 20 key accounts place bigger, more frequent orders (~80% of revenue)."""
    rng = np.random.default_rng(seed)
    customers = [f"CUST-{k:04d}" for k in range(1, 501)]
    key = set(rng.choice(customers, KEY_ACCOUNTS, replace=False))
    is_key = rng.random(n) < 0.3
    small = [c for c in customers if c not in key]
    customer = np.where(is_key, rng.choice(sorted(key), n), rng.choice(small, n))
    product = rng.choice(list(PRODUCTS), n)
    price = np.array([PRODUCTS[p] for p in product])
    quantity = np.where(is_key, rng.integers(40, 160, n), rng.integers(1, 20, n))
    day = np.sort(rng.integers(0, 365, n))
    return pl.DataFrame(
        {
            "order_id": [f"SO-{100000 + k}" for k in range(n)],
            "order_date": [dt.date(2024, 1, 1) + dt.timedelta(days=int(d)) for d in day],
            "customer_id": customer,
            "region": rng.choice(["North", "South", "East", "West"], n),
            "product_category": product,
            "quantity": quantity,
            "unit_price": price,
            "revenue": np.round(quantity * price, 2),
        }
    )
