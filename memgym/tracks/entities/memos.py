"""Distractor memos and the agent's brief: plausible text that states no attribute value.

Memos name world entities (so retrieval by name alone surfaces them) but never use a statement
frame, so the reader extracts nothing from them; a test holds every memo to that.
"""

from __future__ import annotations

import random as _random

from memgym.tracks.entities.names import person

MEMOS = (
    "Facilities memo: the {day} fire drill for staff working with {E} moves to the east stairwell.",
    "Reminder from {P}: expense reports that mention {E} are due before the end of the month.",
    "News brief: {E} appeared in a regional newsletter feature on {topic}.",
    "Calendar note: {P} will host a lunch session on {topic} next {day}.",
    "IT notice: the shared folder for {E} will be read-only during maintenance on {day}.",
    "Travel desk: bookings for the {E} site visit now need sign-off from {P}.",
    "Office chatter: several people asked whether {E} will sponsor the {topic} meetup again.",
    "Housekeeping: please return the meeting room keys borrowed for the {E} review by {day}.",
    "From the archive team: older correspondence with {E} has been moved to cold storage.",
    "Social committee: {P} is collecting names for the {day} quiz night; teams from {E} are welcome.",
    "Press desk: a journalist asked about {E} and {F}; all enquiries go to {P}.",
    "Training update: the {topic} workshop is full, so {P} will run it again next {day}.",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
TOPICS = (
    "supply chain resilience",
    "remote work etiquette",
    "data privacy",
    "quarterly planning",
    "accessibility",
    "carbon reporting",
    "hiring practices",
    "open source licensing",
    "public speaking",
    "records management",
)


def memo(rng: _random.Random, names: list[str]) -> str:
    """One distractor memo naming one or two of ``names``."""
    random = rng.random
    pattern = MEMOS[int(random() * len(MEMOS))]
    first = int(random() * len(names))
    second = (first + 1 + int(random() * (len(names) - 1))) % len(names)
    return pattern.format(
        E=names[first],
        F=names[second],
        P=person(random),
        day=DAYS[int(random() * len(DAYS))],
        topic=TOPICS[int(random() * len(TOPICS))],
    )


def brief(params: dict, noun: str, plural: str) -> str:
    """What the agent is told before the stream starts."""
    placement = (
        "all at the end of the stream"
        if params["question_placement"] == "end"
        else "at points along the stream"
    )
    sessions = params["sessions"]
    session_note = f" The stream is split into {sessions} sessions." if sessions > 1 else ""
    style = "narrative profile" if params["doc_style"] == "narrative" else "key-value fact sheet"
    return (
        f"You will read a stream of records about {params['entities']} fictional {plural} "
        f"(domain: {params['template']}), one {style} per {noun}, mixed with unrelated "
        f"office memos.{session_note} Values change over time: labelled corrections give a new "
        f"value and the one it replaces, and later status notes may restate values with one of "
        f"them silently changed, so always keep the latest value. {params['questions']} questions "
        f"will be asked {placement}. Your memory store allows {params['write_budget']} writes of "
        f"at most {params['max_write_tokens']} tokens each. When something was never stated, "
        f"answer that it is unknown."
    )
