"""Dialogue turns as event texts: what the customer says and how the agent confirms it.

Every function returns the text and the facts it states (in the order the reader finds them).
The customer's own words (the same for anyone's values) match no frame the reader parses, so what the reader finds in a turn
is known from its facts (``confirmed``, ``listed``), without reading the text back;
``tests/tracks/test_dialogue_turn_claims.py`` checks that against the reader.
"""

from __future__ import annotations

import random as _random

from memgym.claims import Claim, render_record
from memgym.tokens import count_tokens
from memgym.tracks.dialogue import phrases
from memgym.tracks.dialogue.catalogue import ITEM_ATTRS, Catalogue
from memgym.tracks.dialogue.world import COLLEAGUE_TRIP, Change, FactRec, Person

PARTY_FACTS = ("travels_with", "meal")
"""What the party frame states; a companion's other facts come in profile-shaped turns."""


def confirmed(facts: list[FactRec]) -> list[Claim]:
    """What the reader finds in a turn whose agent confirms ``facts`` in order (a profile,
    party, colleague or mention turn; a party frame states travels_with and meal, the first
    two facts of a companion)."""
    return [Claim(f.entity, f.attribute, f.text) for f in facts]


def listed(catalogue: Catalogue) -> list[Claim]:
    """What the reader finds in a search listing ``catalogue``: every note line's claims."""
    return [Claim(item.name, f.attribute, f.text) for item in catalogue.items for f in item.facts]


def _confirm(rng: _random.Random, fact: FactRec) -> str:
    frame = rng.choice(phrases.CONFIRM_FRAMES)
    label = phrases.LABELS[fact.attribute]
    return frame.replace("{E}", fact.entity).replace("{L}", label).replace("{V}", fact.text)


def _saying(rng: _random.Random, fact: FactRec) -> str:
    return rng.choice(phrases.SAYINGS[fact.attribute]).replace("{v}", fact.text)


def profile(rng: _random.Random, facts: list[FactRec], opening: bool) -> tuple[str, list[FactRec]]:
    """The customer states ``facts`` (their own profile); the agent confirms each one."""
    said = []
    for i, fact in enumerate(facts):
        opener = "" if opening or i else rng.choice(phrases.OPENERS)
        saying = _saying(rng, fact)
        if opener and not opener.endswith(". "):  # "Also, the trip is to ..."
            saying = saying[:1].lower() + saying[1:]
        said.append(opener + saying)
    if opening:
        said.insert(0, rng.choice(phrases.GREETINGS).replace("{E}", facts[0].entity))
    agent = [rng.choice(phrases.AGENT_OPENERS)] + [_confirm(rng, f) for f in facts]
    return f"User: {' '.join(said)}\nAgent: {' '.join(agent)}", list(facts)


def party(rng: _random.Random, person: Person, user: str) -> tuple[str, list[FactRec]]:
    """The customer adds a companion to ``user``'s party with a meal; the agent records them
    (their other facts follow in turns shaped as the customer's own profile: ``details``)."""
    said = rng.choice(phrases.PARTY_SAYINGS).replace("{C}", person.name)
    agent = phrases.PARTY_FRAME.replace("{C}", person.name).replace("{E}", user)
    meal = person.meal
    said, agent = said.replace("{M}", meal), agent.replace("{M}", meal)
    return f"User: {said}\nAgent: {agent}", [f for f in person.facts if f.attribute in PARTY_FACTS]


def details(rng: _random.Random, person: Person) -> list[tuple[str, list[FactRec]]]:
    """A companion's facts beyond the party frame, one to a turn, each turn shaped as a profile
    turn of the customer's (``profile``). One each: in twos (date of birth with loyalty number,
    loyalty number with passport) the pairs marked a companion's turn, a quarter of them
    evidence against 4 % of the turns shaped alike."""
    return [
        profile(rng, [f], opening=False) for f in person.facts if f.attribute not in PARTY_FACTS
    ]


def roster(rng: _random.Random, people: list[Person], user: str) -> tuple[str, list[FactRec]]:
    """The customer adds several party members who have only a meal to tell; the agent lists
    them under one frame naming whose party (the fewest tokens the reader parses)."""
    lines = [phrases.ROSTER_FRAME.replace("{E}", user)]
    for person in people:
        lines.append(phrases.ROSTER_LINE.replace("{C}", person.name).replace("{M}", person.meal))
    said = rng.choice(phrases.ROSTER_REQUESTS)
    facts = [f for p in people for f in p.facts]
    return f"User: {said}\nAgent: " + "\n".join(lines), facts


def correction(rng: _random.Random, change: Change) -> tuple[str, list[FactRec]]:
    """The customer says an earlier value was wrong; the agent corrects it, naming both."""
    slots = {
        "{E}": change.new.entity,
        "{L}": phrases.LABELS[change.attribute],
        "{V}": change.new.text,
        "{P}": change.old.text,
    }
    said = rng.choice(phrases.CORRECTION_SAYINGS)
    agent = rng.choice(phrases.CORRECTION_FRAMES)
    for slot, value in slots.items():
        said, agent = said.replace(slot, value), agent.replace(slot, value)
    return f"User: {said}\nAgent: {agent}", [change.new]


def update(rng: _random.Random, change: Change) -> tuple[str, list[FactRec]]:
    """The customer states a new value as if for the first time (an unlabeled update)."""
    return profile(rng, [change.new], opening=False)


def _sentence(rng: _random.Random, frames: tuple[str, ...], facts: list[FactRec]) -> str:
    parts = [phrases.COLLEAGUE_SAYINGS[f.attribute].replace("{v}", f.text) for f in facts]
    said = ", ".join(parts[:-1]) + " and " + parts[-1]
    return rng.choice(frames).replace("{C}", facts[0].entity).replace("{S}", said)


def colleague(rng: _random.Random, facts: list[FactRec]) -> str:
    """A near miss: the customer chats about a colleague's own trip and passes on their other
    details, with the same labels as the customer's."""
    trip = [f for f in facts if f.attribute in COLLEAGUE_TRIP]
    rest = [f for f in facts if f.attribute not in COLLEAGUE_TRIP]
    opener = _sentence(rng, phrases.COLLEAGUE_OPENERS, trip)
    if rest:
        opener += " " + _sentence(rng, phrases.COLLEAGUE_PERSONAL, rest)
    agent = [rng.choice(phrases.COLLEAGUE_REPLIES)] + [_confirm(rng, f) for f in facts]
    return f"User: {opener}\nAgent: {' '.join(agent)}"


def colleague_mention(rng: _random.Random, fact: FactRec) -> str:
    """A near miss: the customer passes on one fact of a colleague's own trip."""
    said = phrases.COLLEAGUE_SAYINGS[fact.attribute].replace("{v}", fact.text)
    opener = rng.choice(phrases.COLLEAGUE_MENTIONS).replace("{C}", fact.entity)
    return f"User: {opener.replace('{S}', said)}\nAgent: {_confirm(rng, fact)}"


def _listing(catalogue: Catalogue) -> list[str]:
    """The tool result: a header and one note line per flight."""
    header = phrases.TOOL_HEADER.replace("{T}", catalogue.tag)
    header = header.replace("{N}", str(len(catalogue.items)))
    lines = [
        render_record(item.name, [(f.attribute, f.text, None) for f in item.facts])
        for item in catalogue.items
    ]
    return [header, *lines]


def _listing_tokens(catalogue: Catalogue) -> int:
    """``count_tokens`` of ``_listing``'s lines, summed from their parts: a note line
    ``name | a=v; b=w`` splits into pieces at ``|``, ``=`` and ``;`` (one token each), so its
    count is the sum of its names' and values' counts and one per separator."""
    header = phrases.TOOL_HEADER.replace("{T}", catalogue.tag)
    total = count_tokens(header.replace("{N}", str(len(catalogue.items))))
    for item in catalogue.items:
        total += count_tokens(item.name) + 2 * len(item.facts)  # "|", then "=" or ";" per item
        for fact in item.facts:
            total += _ATTRIBUTE_TOKENS.get(fact.attribute) or count_tokens(fact.attribute)
            total += count_tokens(fact.text)
    return total


_ATTRIBUTE_TOKENS = {a: count_tokens(a) for a in ITEM_ATTRS}
"""A listed flight's attribute names and their token counts."""


def search(catalogue: Catalogue, booking: int) -> tuple[str, list[FactRec]]:
    """The customer asks for a search; the tool returns the catalogue as note lines."""
    request = phrases.SEARCH_REQUESTS[booking]
    agent = f"Agent: Searching {catalogue.leg.name} flights now."
    text = "\n".join([f"User: {request}", agent, *_listing(catalogue)])
    return text, [f for item in catalogue.items for f in item.facts]


def search_tokens(catalogue: Catalogue, booking: int) -> int:
    """``count_tokens(search(catalogue, booking)[0])`` without counting the text itself."""
    request = phrases.SEARCH_REQUESTS[booking]
    agent = f"Agent: Searching {catalogue.leg.name} flights now."
    return count_tokens(f"User: {request}") + count_tokens(agent) + _listing_tokens(catalogue)


def colleague_search(rng: _random.Random, catalogue: Catalogue, person: Person) -> str:
    """A near miss: a search run for a colleague's trip (it states no fact of the scenario)."""
    request = rng.choice(phrases.COLLEAGUE_SEARCHES).replace("{C}", person.name)
    agent = f"Agent: Searching flights for {person.name} now; this is not your booking."
    return "\n".join([f"User: {request}", agent, *_listing(catalogue)])


def colleague_search_tokens(text: str, catalogue: Catalogue) -> int:
    """``count_tokens(text)`` of ``colleague_search``'s ``text`` for ``catalogue``: its two
    chat lines counted, its listing summed from parts."""
    user, agent, _ = text.split("\n", 2)
    return count_tokens(user) + count_tokens(agent) + _listing_tokens(catalogue)
