"""``python -m memgym.llm.llama_server``: llama-cpp-python's server with weight repacking off
(llama.cpp's extra CPU buffer types crash a llama-cpp-python built on an AMX CPU)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from memgym.llm.llama_server import without_repacking
from tests.cli_process import env


class Params:
    use_extra_bufts = True


def test_without_repacking_turns_the_extra_buffers_off():
    made = without_repacking(Params)()
    assert made.use_extra_bufts is False
    assert Params.use_extra_bufts is True  # the defaults themselves are left alone


def test_every_model_llama_cpp_loads_gets_no_extra_buffers():
    pytest.importorskip("llama_cpp", reason="the llama extra is not installed")
    script = (
        "import memgym.llm.llama_server as s, llama_cpp.llama_cpp as n\n"
        "before = n.llama_model_default_params().use_extra_bufts\n"
        "s.patch()\n"
        "print(before, n.llama_model_default_params().use_extra_bufts)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], env=env(), capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip
    assert done.stdout.split() == ["True", "False"], done.stderr
