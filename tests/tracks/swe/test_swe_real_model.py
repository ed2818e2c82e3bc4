"""A real small model (SmolLM2-135M-Instruct through llama-cpp-python's server, docs/llm.md)
repairing swe tasks end to end: real tool calls run in the sandbox, every task verified by its
hidden tests, every failure classified. The score is low and not asserted. Slow: run with
``pytest -m slow tests/tracks/swe/test_swe_real_model.py`` after ``pip install -e '.[llama]'``.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from memgym.interactive.episode import evaluate_interactive
from memgym.interactive.loop import Limits
from memgym.tracks import get_track
from tests.engines import needs
from tests.llm.test_real_model import llama_server  # noqa: F401  (the server fixture)

pytestmark = [
    pytest.mark.slow,
    needs("swe"),
]
CLASSES = ("solved", "wrong fix", "gave up without editing", "ran out of turns without editing")


def classify(answer: str) -> str:
    """One task's outcome, from the verifier's detail."""
    if answer.startswith("reward 1"):
        return "solved"
    if "module edited" in answer:
        return "wrong fix"
    if "out of turns" in answer:
        return "ran out of turns without editing"
    return "gave up without editing"


def test_smollm2_repairs_swe_tasks_end_to_end(llama_server, capsys) -> None:  # noqa: F811
    base_url, model = llama_server
    track = get_track("swe")
    scenario = track.generate(5, tasks=2, redo=0, output_chars=1500, target_tokens=0)
    agent = f"llm:model={model},base_url={base_url},max_tokens=160,timeout=600,max_retries=2"
    result = evaluate_interactive(
        track, scenario, "window:max_tokens=1000", agent, Limits(turns_per_task=4)
    )
    usage = result.usage
    assert result.status == "ok" and result.model == model
    assert usage["calls"] >= 2 and usage["tool_calls"] >= 1  # the model acted with tools
    assert len(result.answers) == 2
    assert all("hidden tests pass" in a.answer for a in result.answers)  # each one verified
    classes = Counter(classify(a.answer) for a in result.answers)
    assert set(classes) <= set(CLASSES)
    assert classes["solved"] == result.correct
    counted = [re.search(r"(\d+) tool calls \((\d+) refused\)", a.answer) for a in result.answers]
    assert all(counted)  # every task says what the model did in it, and it adds up
    assert sum(int(m[1]) for m in counted if m) == usage["tool_calls"]
    refused = sum(int(m[2]) for m in counted if m)
    with capsys.disabled():
        print(
            f"\nswe real model: {result.correct}/2 solved; {dict(classes)}; "
            f"{usage['calls']:.0f} calls, {usage['tool_calls']:.0f} tool calls ({refused} refused), "
            f"{usage.get('model_errors', 0):.0f} model errors, {usage.get('overflows', 0):.0f} "
            f"overflows, {usage['view_tokens']:.0f} view tokens"
        )
