"""The web track's apps as data: four kinds of list-and-detail app (mail, shop, issue tracker,
calendar) and their seeded records.

Every app is the same page (``page.py``) filled from one ``App``: what its records are called,
the label of each column, the value a later errand asks for, and the two status actions its
detail page offers. Records are drawn from one ``random.Random``; a record's title and date
together are unique, so an errand can name a record by them without giving its id.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class App:
    """One kind of app: names, labels and the vocabulary its records are drawn from."""

    name: str
    heading: str
    noun: str
    id_prefix: str
    who_label: str
    value_label: str
    actions: tuple[tuple[str, str], ...]
    """(button label, the status it sets), e.g. ("Cancel order", "cancelled")."""
    titles: tuple[str, ...]
    people: tuple[str, ...]
    value_kind: str


@dataclass(frozen=True)
class Record:
    """One row of an app's list: an id, a title, a person, a date and the value errands ask for."""

    id: str
    title: str
    who: str
    date: str
    value: str

    def to_state(self) -> dict[str, str]:
        """The record as the app's state holds it (status and note start empty)."""
        return {**self.__dict__, "status": "open", "note": ""}


_PEOPLE = (
    "Ada Brennan", "Bilal Haddad", "Chen Wei", "Dana Ito", "Emeka Obi", "Farah Nasser",
    "Goran Petrov", "Hana Sato", "Ines Duarte", "Jonas Berg", "Kavya Rao", "Luca Moretti",
    "Mira Novak", "Nils Strand", "Olga Ivanova", "Pablo Ruiz", "Quinn Avery", "Rosa Lind",
)  # fmt: skip

APPS: dict[str, App] = {
    "mail": App(
        "mail", "Inbox", "message", "M", "From", "Reference",
        (("Archive", "archived"), ("Flag", "flagged")),
        ("Quarterly budget", "Site visit", "Contract renewal", "Travel booking", "Team offsite",
         "Invoice query", "Security review", "Hiring plan", "Vendor onboarding", "Release notes",
         "Office move", "Training schedule"),
        _PEOPLE, "ref",
    ),
    "shop": App(
        "shop", "Order history", "order", "O", "Seller", "Total",
        (("Cancel order", "cancelled"), ("Request return", "return requested")),
        ("Walnut desk lamp", "Linen duvet cover", "Ceramic teapot", "Trail running shoes",
         "Noise-cancelling headphones", "Cast iron skillet", "Wool throw blanket",
         "Bamboo cutting board", "Standing desk mat", "Espresso grinder", "Rain jacket",
         "Copper kettle"),
        ("Northwind", "Bluebird Goods", "Cedar & Co", "Harbor Supply", "Kestrel Home",
         "Lumen Store", "Maple Market", "Orchid Trading", "Pine Outfitters", "Quartz Retail"),
        "money",
    ),
    "tracker": App(
        "tracker", "Issues", "issue", "ISS", "Assignee", "Build",
        (("Close issue", "closed"), ("Escalate", "escalated")),
        ("Login times out", "Export drops rows", "Search ignores accents", "Crash on upload",
         "Slow dashboard", "Broken pagination", "Wrong currency symbol", "Email not sent",
         "Memory leak in worker", "Timezone off by one", "Stale cache", "Missing audit log"),
        _PEOPLE, "build",
    ),
    "calendar": App(
        "calendar", "Events", "event", "EV", "Organiser", "Location",
        (("Decline", "declined"), ("Accept", "accepted")),
        ("Design review", "Budget sync", "One-to-one", "Sprint planning", "Customer call",
         "Board prep", "Interview loop", "Retrospective", "Launch rehearsal", "Vendor demo",
         "All-hands", "Security drill"),
        _PEOPLE, "room",
    ),
}  # fmt: skip
APP_NAMES = tuple(APPS)


MAX_RECORDS = 2400
"""Records one app may hold: well inside every space drawn from (4,032 title-date pairs, 7,200
rooms, 90,000 ids), so drawing unique ones ends quickly."""


def draw_records(app: App, count: int, rng: random.Random) -> list[Record]:
    """``count`` (at most ``MAX_RECORDS``) records with unique ids, unique values and unique
    (title, date) pairs."""
    if count > MAX_RECORDS:
        raise ValueError(f"an app holds at most {MAX_RECORDS} records, asked for {count}")
    records: list[Record] = []
    ids: set[str] = set()
    values: set[str] = set()
    named: set[tuple[str, str]] = set()
    while len(records) < count:
        rid = f"{app.id_prefix}-{rng.randrange(10_000, 100_000)}"
        title = rng.choice(app.titles)
        date = f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        value = _value(app.value_kind, rng)
        if rid in ids or value in values or (title, date) in named:
            continue
        ids.add(rid)
        values.add(value)
        named.add((title, date))
        records.append(Record(rid, title, rng.choice(app.people), date, value))
    records.sort(key=lambda r: (r.date, r.id), reverse=True)  # newest first, as apps list them
    return records


def _value(kind: str, rng: random.Random) -> str:
    if kind == "ref":
        return f"REF-{rng.randrange(1000, 10_000)}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}"
    if kind == "money":
        return f"${rng.randrange(5, 900)}.{rng.randrange(100):02d}"
    if kind == "build":
        return f"b{rng.randrange(1000, 10_000)}.{rng.randrange(10)}"
    return f"Room {rng.randrange(100, 1000)}{rng.choice('ABCDEFGH')}"
