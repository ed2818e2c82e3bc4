"""Bounded memories over the real stream answer no codeqa question.

Each memory keeps a fixed number of events of the stream the track serves (filler included):
the last K events of one kind (corrections, updates, either), of any kind, or whose text looks
like a change, and the first K changes of each kind (K up to 16); the last 1-4 pages or
documents; the first 1-4 events or pages; the last 250-2,000 tokens. It answers with the track's reader over what it kept, or the last value
of the asked attribute those events state about anyone, scored by the scorer's ``is_correct``.
The generator's guard (``memgym.tracks.bounded``) redraws what one of them would answer, so
none scores; before it (and the decoy changes) a memory of the last 4 corrections scored 0.144
at lite (seeds 200-219, ``bench/bounded_family.py``).
"""

from __future__ import annotations

from collections import deque

import pytest

from memgym.claims import Claim
from memgym.query import ABSTAIN, Table, evaluate
from memgym.scoring.reading import answer_names
from memgym.scoring.validators import is_correct
from memgym.tokens import count_tokens
from memgym.tracks import get_track, stream_events
from memgym.tracks.bounded import CHANGE_WORD

KS = (1, 2, 4, 8, 16)
FEW = (1, 2, 4)
WINDOWS = (250, 500, 1000, 2000)
SEEDS = (300, 301, 302)


def _kept(track_name: str, tier: str, seed: int) -> list[tuple[object, str, list[list[str]]]]:
    """Per question: the scenario's gold question, its track and the texts each memory keeps."""
    scenario = get_track(track_name).generate(seed, tier)
    last = {
        c: deque[str](maxlen=max(KS))
        for c in ("any", "page", "document", "correction", "update", "change", "changeword")
    }
    first_events: list[str] = []
    first_pages: list[str] = []
    first_changes: dict[str, list[str]] = {"correction": [], "update": [], "change": []}
    window: deque[tuple[str, int]] = deque()
    out = []
    for event in stream_events(scenario):
        if event.question is None:
            text, kind = event.text, event.kind
            last["any"].append(text)
            if kind != "distractor":
                last["page"].append(text)
                if len(first_pages) < 4:
                    first_pages.append(text)
            if kind in ("document", "correction", "update"):
                last[kind].append(text)
            if kind in ("correction", "update"):
                last["change"].append(text)
                for c in (kind, "change"):
                    if len(first_changes[c]) < max(KS):
                        first_changes[c].append(text)
            if CHANGE_WORD.search(text):
                last["changeword"].append(text)
            if len(first_events) < 4:
                first_events.append(text)
            window.append((text, count_tokens(text)))
            while sum(t for _, t in window) > max(WINDOWS):
                window.popleft()
            continue
        held: list[list[str]] = []
        for c, texts in last.items():
            for k in FEW if c in ("page", "document") else KS:
                held.append(list(texts)[-k:])
        held += [first_events[:k] for k in (1, 2, 3, 4)]
        held += [first_pages[:k] for k in (1, 2, 3, 4)]
        held += [texts[:k] for texts in first_changes.values() for k in KS]
        for n in WINDOWS:
            total, kept = 0, []
            for text, tokens in reversed(window):
                total += tokens
                if total > n:
                    break
                kept.insert(0, text)
            held.append(kept)
        out.append((event.question, scenario, held))
    return out


def _answer(track_name: str, spec: dict, texts: list[str]) -> str:
    track = get_track(track_name)
    claims: list[Claim] = [c for text in texts for c in track.read_cached(text)]
    answer = evaluate(spec, Table.from_claims(claims))
    if answer != ABSTAIN:
        return answer
    attribute = spec.get("attribute") or (spec.get("relations") or [""])[-1]
    stated = [c.value for c in claims if c.attribute == attribute]
    return stated[-1] if stated else ABSTAIN


@pytest.mark.parametrize(("track_name", "tier"), [("codeqa", "lite"), ("codeqa", "standard")])
def test_no_bounded_memory_answers_a_question(track_name: str, tier: str) -> None:
    answered = []
    asked = 0
    for seed in SEEDS:
        for question, scenario, held in _kept(track_name, tier, seed):
            if question.answer is None:
                continue
            asked += 1
            names = answer_names(scenario)
            spec = question.public().spec
            for texts in held:
                if texts and is_correct(question, _answer(track_name, spec, texts), names):
                    answered.append((seed, question.id, question.kind))
                    break
    assert asked >= 20
    assert answered == []
