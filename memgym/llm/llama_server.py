"""``python -m memgym.llm.llama_server ARGS``: llama-cpp-python's OpenAI-compatible server
(``python -m llama_cpp.server ARGS``, the same arguments) with weight repacking off.

llama.cpp repacks a model's weights into the CPU's extra buffer types when it loads them; a
llama-cpp-python built on a CPU with AMX crashes on the first chat request with those buffers.
Every model loaded here gets ``use_extra_bufts = False`` (the plain CPU buffers: the same
answers, no repacked fast path). The ``[llama]`` extra installs llama-cpp-python.
"""

from __future__ import annotations

import runpy
import sys
from collections.abc import Callable
from typing import Any

from memgym.extras import require


def without_repacking(default_params: Callable[[], Any]) -> Callable[[], Any]:
    """``default_params`` (llama.cpp's model defaults) with ``use_extra_bufts`` turned off."""

    def params() -> Any:
        found = default_params()
        if hasattr(found, "use_extra_bufts"):
            found.use_extra_bufts = False
        return found

    return params


def patch() -> None:
    """Make every model llama-cpp-python loads in this process skip weight repacking."""
    native: Any = require("llama_cpp.llama_cpp", "memgym's llama server", "llama")
    native.llama_model_default_params = without_repacking(native.llama_model_default_params)


def main() -> None:
    """Patch, then run ``llama_cpp.server`` as ``__main__`` with this process's arguments."""
    patch()
    # the server's own modules import its [server] parts (starlette_context, sse_starlette, ...),
    # which a llama-cpp-python installed without them lacks: one line naming the extra
    require("llama_cpp.server.app", "memgym's llama server", "llama")
    sys.argv[0] = "memgym.llm.llama_server"
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    try:
        main()
    except ValueError as exc:  # a missing extra: one line, exit 2, as the memgym command does
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(2) from None
