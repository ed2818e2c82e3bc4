"""A web session's world, drawn from one seed: the app, its records and the errands with their
gold steps.

A session is ``errands`` reviews, then ``errands`` remembering errands in shuffled order. A
review asks the agent to page through a stretch of the list (verified by the pages the app logs
as seen). Each remembering errand names a record of one earlier review by its title and date
only, never its id or value, and asks to act on it ("archive it": the id is needed) or to copy
its value into the note of a record elsewhere in the list (the value is needed). Those are the
``needs`` of the gold steps: what the agent must still see from pages read many pages earlier.
The errand must be done from memory: paging through the list again fails it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Literal

from memgym.tracks.web.apps import APP_NAMES, APPS, App, Record, draw_records

TaskKind = Literal["review", "status", "note"]
FROM_MEMORY = "Work from what you read then: do not page through the list again."
"""The rule of every remembering errand (the verifier fails it when a list page is opened)."""


@dataclass(frozen=True)
class Step:
    """One gold tool call and the strings an agent must have seen to make it."""

    tool: str
    args: dict[str, str]
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class WebTask:
    """One errand: its text, gold steps and what the verifier expects of the app's state."""

    id: str
    kind: TaskKind
    text: str
    steps: tuple[Step, ...]
    pages: tuple[int, ...] = ()
    """review: the list pages that must be logged as seen."""
    target: str = ""
    """status / note: the id of the one record the errand may change."""
    field: str = ""
    expected: str = ""


@dataclass
class World:
    """Everything one session serves: the app, its records (list order) and its errands."""

    app: App
    page_size: int
    records: list[Record]
    tasks: list[WebTask] = field(default_factory=list)

    def initial_state(self) -> dict[str, Any]:
        """The app's state before the first errand."""
        return {"records": [r.to_state() for r in self.records], "pages_seen": []}

    def page_of(self, record_id: str) -> int:
        """The list page (1-based) that shows ``record_id``."""
        index = next(i for i, r in enumerate(self.records) if r.id == record_id)
        return index // self.page_size + 1


def app_for(seed: int, choice: str) -> App:
    """The app of a session: ``choice``, or with ``any`` the apps in turn by seed."""
    return APPS[APP_NAMES[seed % len(APP_NAMES)] if choice == "any" else choice]


def build_world(seed: int, params: dict[str, Any]) -> World:
    """The world of ``seed`` under resolved ``params``; deterministic."""
    rng = random.Random(seed)
    app = app_for(seed, params["app"])
    size, pages, errands = params["page_size"], params["pages"], params["errands"]
    world = World(app, size, draw_records(app, params["list_pages"] * size, rng))
    blocks = rng.sample(range(params["list_pages"] // pages), errands)
    reviewed = [tuple(range(b * pages + 1, b * pages + pages + 1)) for b in blocks]
    browsed = {p for r in reviewed for p in r}
    page = {r.id: i // size + 1 for i, r in enumerate(world.records)}
    elsewhere = [r for r in world.records if page[r.id] not in browsed]
    used: set[str] = set()
    tasks = [_review(app, seed, i, stretch) for i, stretch in enumerate(reviewed)]
    order = list(range(errands))
    rng.shuffle(order)
    for n, i in enumerate(order):
        on_pages = [r for r in world.records if page[r.id] in reviewed[i]]
        source = rng.choice([r for r in on_pages if r.id not in used])
        used.add(source.id)
        task_id = f"{app.name}/{seed}-{errands + n}"
        free = [r for r in elsewhere if r.id not in used]
        if rng.random() < 0.5 or not free:
            tasks.append(_status(app, task_id, source, rng))
        else:
            destination = rng.choice(free)
            used.add(destination.id)
            tasks.append(_note(app, task_id, source, destination))
    world.tasks = tasks
    return world


def describe(app: App, record: Record) -> str:
    """A record named without its id or value: its title, date and person."""
    return f'the {app.noun} "{record.title}" dated {record.date} ({app.who_label} {record.who})'


def _review(app: App, seed: int, i: int, pages: tuple[int, ...]) -> WebTask:
    first, last = pages[0], pages[-1]
    text = (
        f"Please review pages {first} to {last} of the {app.heading}: open page {first} "
        f"(url #/list/{first}) and follow 'Next page' up to page {last}. Keep what you read in "
        "mind: later requests refer to it. Reply when done."
    )
    steps = [Step("goto", {"url": f"#/list/{first}"})]
    steps += [Step("click", {"role": "link", "name": "Next page"}) for _ in pages[1:]]
    return WebTask(f"{app.name}/{seed}-{i}", "review", text, tuple(steps), pages=pages)


def _status(app: App, task_id: str, source: Record, rng: random.Random) -> WebTask:
    label, status = rng.choice(app.actions)
    text = (
        f"Find {describe(app, source)}, which you reviewed earlier, and use '{label}' on it. "
        f"{FROM_MEMORY} Reply when done."
    )
    steps = (
        Step("goto", {"url": f"#/item/{source.id}"}, (source.id,)),
        Step("click", {"role": "button", "name": label}, (source.id,)),
    )
    return WebTask(task_id, "status", text, steps, target=source.id, field="status",
                   expected=status)  # fmt: skip


def _note(app: App, task_id: str, source: Record, destination: Record) -> WebTask:
    text = (
        f"Open {app.noun} {destination.id} (url #/item/{destination.id}) and save in its note "
        f"the {app.value_label} of {describe(app, source)}, which you reviewed earlier, exactly "
        f"as the list showed it. {FROM_MEMORY} Reply when done."
    )
    steps = (
        Step("goto", {"url": f"#/item/{destination.id}"}),
        Step("type_text", {"name": "Note", "text": source.value}, (source.value,)),
        Step("click", {"role": "button", "name": "Save note"}, (source.value,)),
    )
    return WebTask(task_id, "note", text, steps, target=destination.id, field="note",
                   expected=source.value)  # fmt: skip
