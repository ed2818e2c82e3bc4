"""Per-seed renaming of a τ²-bench world, so that a prior from its public tasks cannot hit.

τ²-bench's tasks are public: a model that has read them knows, without remembering anything of
a shift, that airline task 2's gold is ``send_certificate(noah_muller_9847, 50)`` (issue #67).
Each seed of the airline and retail domains therefore serves a renamed copy of the world, every
value a callback needs renamed, drawn from a ``random.Random`` seeded with the domain and the
seed's key (the scenario's seed, salted when the run is):

- every user id, user's first and last name, e-mail, payment method id, and reservation
  (airline) or order (retail) id gets a new value of the same form;
- airline: every flight number and airport code gets a new one of the same form, and every date
  moves by the same whole number of weeks (``days``, so weekdays stay; ISO dates and "May 17"
  alike, the policy's current time too: the policy's date logic sees the same distances);
- retail: every product id, item id and parcel tracking id gets a new one of the same form.

The same table rewrites, as whole tokens, the database the tools read (keys and values), each
task (the customer's instructions, its initial state, its gold actions and what it must
communicate), the policy the agent reads (``Tau2Session``) and so τ²-bench's evaluator, which
replays the renamed gold on the renamed world; the airline tools' three values held in code
(the current time, the airport list, the next day of a one-stop search) are renamed by
``airline_tools``. New values are never values of the public world (its database, tasks,
policy or tool descriptions), the shift moves no date of a public task onto a date of the public
world or tasks, and names are permuted among the users' own names, so a guessed id names nothing
and a guessed name finds another person, if anyone. Names that the policy or the tools'
descriptions use as words are left as they are.

Amounts are not renamed: the policy fixes the ones a callback writes (a certificate's $100 or
$50 a passenger, $30 insurance, $50 a bag) and τ²-bench's tools compute the others from prices;
no write carries an amount without a renamed id beside it, so a guessed amount cannot hit
(``docs/tau2.md`` measures it).

The mock domain is not renamed: its world (one user, one task) is read whole by ``get_users``,
so it stays out of the memory gate (``docs/tau2.md``).
"""

from __future__ import annotations

import datetime
import random
import re
import string
from collections import Counter
from dataclasses import dataclass
from typing import Any

RENAMED = ("airline", "retail")
"""The domains whose worlds are renamed per seed."""

_DATE = r"\d{4}-\d{2}-\d{2}(?!\d)"
_WORD = re.compile(rf"{_DATE}|#W\d{{7}}\b|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\w+")
"""A token: an ISO date, an order id, an e-mail address, or a word (ids, names)."""
_ISO = re.compile(_DATE)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
_PHRASE = re.compile(rf"\b({'|'.join(MONTHS)}) (\d{{1,2}})(st|nd|rd|th)?\b")
"""A date in words ("May 17", "May 17th"), of the world's year."""
WEEKS = (9, 104)
"""The shift of an airline world's dates, in whole weeks either way (from, to)."""


@dataclass(frozen=True)
class Renaming:
    """One seed's table of a domain's renamed values (old -> new), and its date shift."""

    domain: str
    key: int
    table: dict[str, str]
    days: int = 0
    """Every date moves by this many days (a whole number of weeks; 0: dates stay)."""
    year: int = 2024
    """The year of a date said in words ("May 17"): the public world's."""

    def text(self, text: str) -> str:
        """``text`` with every renamed token replaced (whole tokens only) and every date moved."""
        out = _WORD.sub(lambda m: self._token(m.group(0)), text)
        return _PHRASE.sub(self._phrase, out) if self.days else out

    def date(self, value: str, sign: int = 1) -> str:
        """The ISO date ``value`` moved by ``days`` (``sign`` -1: back); not a date: as it is."""
        if not _ISO.fullmatch(value):
            return value
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            return value
        return (day + datetime.timedelta(days=sign * self.days)).isoformat()

    def _token(self, token: str) -> str:
        if self.days and _ISO.fullmatch(token):
            return self.date(token)
        return self.table.get(token, token)

    def _phrase(self, m: re.Match[str]) -> str:
        try:
            day = datetime.date(self.year, MONTHS.index(m[1]) + 1, int(m[2]))
        except ValueError:
            return m[0]
        moved = day + datetime.timedelta(days=self.days)
        suffix = _ordinal(moved.day) if m[3] else ""
        return f"{MONTHS[moved.month - 1]} {moved.day}{suffix}"

    def task(self, task: Any) -> Any:
        """A renamed copy of a τ²-bench ``Task``."""
        return type(task).model_validate_json(self.text(task.model_dump_json()))

    def database(self, db: Any) -> Any:
        """A renamed copy of a domain database (a τ²-bench ``DB``)."""
        return type(db).model_validate_json(self.text(db.model_dump_json()))


def renamed(domain: str) -> bool:
    """Whether ``domain``'s worlds are renamed per seed."""
    return domain in RENAMED


def build(domain: str, key: int, db: Any, kept: str, tasks: str = "") -> Renaming:
    """The renaming of ``domain``'s public database ``db`` for seed key ``key`` (deterministic);
    names that are words of ``kept`` (the policy and the tools' descriptions) stay; no new value
    is a token of ``db``, ``kept`` or ``tasks`` (the public tasks, as text), and no public task's
    date moves onto a date of theirs."""
    if not renamed(domain):
        raise ValueError(f"the {domain} domain is not renamed; renamed: {', '.join(RENAMED)}")
    fixed = set(re.findall(r"\w+", kept))
    rng = random.Random(f"memgym tau2 rename\0{domain}\0{key}")
    table: dict[str, str] = {}
    users = list(db.users.values())
    for part in ("first_name", "last_name"):
        names = sorted({getattr(u.name, part) for u in users} - fixed)
        shuffled = names[:]
        rng.shuffle(shuffled)
        table.update(zip(names, shuffled, strict=True))
    world = db.model_dump_json()
    fresh = _Fresh(set(_WORD.findall(world + " " + kept + " " + tasks)))
    for user in users:
        first = table.get(user.name.first_name, user.name.first_name).lower()
        last = table.get(user.name.last_name, user.name.last_name).lower()
        table[user.user_id] = fresh(lambda f=first, n=last: f"{f}_{n}_{_digits(rng, 4)}")
        table[user.email] = fresh(lambda f=first, n=last: f"{f}.{n}{_digits(rng, 4)}@example.com")
        for pid in user.payment_methods:
            kind = pid.rsplit("_", 1)[0]
            table[pid] = fresh(lambda k=kind: f"{k}_{_digits(rng, 7)}")
    if domain == "airline":
        _airline(db, rng, fresh, table)
        days, year = _shift(rng, world, tasks), _year(world)
        return Renaming(domain, key, table, days, year)
    for oid in db.orders:
        table[oid] = fresh(lambda: f"#W{_digits(rng, 7)}")
    for product in db.products.values():
        table[product.product_id] = fresh(lambda: _digits(rng, 10))
        for item in product.variants:
            table[item] = fresh(lambda: _digits(rng, 10))
    for order in db.orders.values():
        for parcel in order.fulfillments:
            for tracking in parcel.tracking_id:
                if tracking not in table:
                    table[tracking] = fresh(lambda t=tracking: _digits(rng, len(t)))
    return Renaming(domain, key, table)


def _airline(db: Any, rng: random.Random, fresh: _Fresh, table: dict[str, str]) -> None:
    """Reservation ids, flight numbers (same letters, new digits) and airport codes."""
    alphabet = string.ascii_uppercase + string.digits
    for rid in db.reservations:
        table[rid] = fresh(lambda: "".join(rng.choice(alphabet) for _ in range(6)))
    for number in db.flights:
        letters = number.rstrip(string.digits)
        width = len(number) - len(letters)
        table[number] = fresh(lambda p=letters, w=width: p + _digits(rng, w))
    codes = sorted({c for f in db.flights.values() for c in (f.origin, f.destination)})
    for code in codes:
        size = len(code)
        table[code] = fresh(lambda n=size: "".join(rng.choices(string.ascii_uppercase, k=n)))


def _shift(rng: random.Random, world: str, tasks: str) -> int:
    """A whole number of weeks (``WEEKS``, either way) that moves no date of the public tasks
    (ISO or in words) onto a date of the world or of the tasks."""
    year = _year(world)
    told = set(_ISO.findall(tasks))
    for m in _PHRASE.finditer(tasks):
        try:
            told.add(datetime.date(year, MONTHS.index(m[1]) + 1, int(m[2])).isoformat())
        except ValueError:
            continue
    every = {datetime.date.fromisoformat(d) for d in told | set(_ISO.findall(world))}
    for _ in range(1000):
        days = 7 * rng.randint(*WEEKS) * rng.choice((-1, 1))
        moved = {(d + datetime.timedelta(days=days)).isoformat() for d in every}
        if not moved & told:
            return days
    raise ValueError("no date shift keeps the public tasks' dates out of the renamed world")


def _year(world: str) -> int:
    """The commonest year of the world's dates (the year of a date said in words)."""
    years = Counter(d[:4] for d in _ISO.findall(world))
    return int(years.most_common(1)[0][0]) if years else 2024


def _ordinal(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


class _Fresh:
    """Draws values until one is neither a value of the public world nor drawn before."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = set(taken)

    def __call__(self, draw: Any) -> str:
        value = str(draw())
        while value in self.taken:
            value = str(draw())
        self.taken.add(value)
        return value
