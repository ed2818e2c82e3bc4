"""Per-seed renaming of a τ²-bench world, so that a prior from its public tasks cannot hit.

τ²-bench's tasks are public: a model that has read them knows, without remembering anything of
a shift, that airline task 2's gold is ``send_certificate(noah_muller_9847, 50)`` (issue #67).
Each seed of the airline and retail domains therefore serves a renamed copy of the world: every
user id, user's first and last name, e-mail, payment method id, and reservation (airline) or
order (retail) id gets a new value of the same form, drawn from a ``random.Random`` seeded with
the domain and the seed's key (the scenario's seed, salted when the run is). The same table
rewrites, as whole tokens, the database the tools read (keys and values), each task (the
customer's instructions, its initial state, its gold actions and what it must communicate) and
so τ²-bench's evaluator, which replays the renamed gold on the renamed world. New values are
never values of the public world, and names are permuted among the users' own names, so a
guessed id names nothing and a guessed name finds another person, if anyone. Names that the
policy or the tools' descriptions use as words are left as they are.

The mock domain is not renamed: its world (one user, one task) is read whole by ``get_users``,
so it stays out of the memory gate (``docs/tau2.md``).
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass
from typing import Any

RENAMED = ("airline", "retail")
"""The domains whose worlds are renamed per seed."""

_WORD = re.compile(r"#W\d{7}\b|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\w+")
"""A token: an order id, an e-mail address, or a word (ids, names)."""


@dataclass(frozen=True)
class Renaming:
    """One seed's table of a domain's renamed values (old -> new)."""

    domain: str
    key: int
    table: dict[str, str]

    def text(self, text: str) -> str:
        """``text`` with every renamed token replaced (whole tokens only)."""
        table = self.table
        return _WORD.sub(lambda m: table.get(m.group(0), m.group(0)), text)

    def task(self, task: Any) -> Any:
        """A renamed copy of a τ²-bench ``Task``."""
        return type(task).model_validate_json(self.text(task.model_dump_json()))

    def database(self, db: Any) -> Any:
        """A renamed copy of a domain database (a τ²-bench ``DB``)."""
        return type(db).model_validate_json(self.text(db.model_dump_json()))


def renamed(domain: str) -> bool:
    """Whether ``domain``'s worlds are renamed per seed."""
    return domain in RENAMED


def build(domain: str, key: int, db: Any, kept: str) -> Renaming:
    """The renaming of ``domain``'s public database ``db`` for seed key ``key`` (deterministic);
    names that are words of ``kept`` (the policy and the tools' descriptions) stay."""
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
    taken = set(_WORD.findall(db.model_dump_json()))
    fresh = _Fresh(taken)
    for user in users:
        first = table.get(user.name.first_name, user.name.first_name).lower()
        last = table.get(user.name.last_name, user.name.last_name).lower()
        table[user.user_id] = fresh(lambda f=first, n=last: f"{f}_{n}_{_digits(rng, 4)}")
        table[user.email] = fresh(lambda f=first, n=last: f"{f}.{n}{_digits(rng, 4)}@example.com")
        for pid in user.payment_methods:
            kind = pid.rsplit("_", 1)[0]
            table[pid] = fresh(lambda k=kind: f"{k}_{_digits(rng, 7)}")
    if domain == "airline":
        alphabet = string.ascii_uppercase + string.digits
        for rid in db.reservations:
            table[rid] = fresh(lambda: "".join(rng.choice(alphabet) for _ in range(6)))
    else:
        for oid in db.orders:
            table[oid] = fresh(lambda: f"#W{_digits(rng, 7)}")
    return Renaming(domain, key, table)


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
