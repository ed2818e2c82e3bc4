"""A worker whose components may call an LLM endpoint does, before it forks any episode, what
every SDK client's first request would do once per process: the SDK's platform headers (cached
in the SDK, but worked out with a ``uname -p`` subprocess) and the IDNA codec's import. Each
episode child then inherits them instead of paying them (``memgym.run.worker.preload``)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("openai")

CHECK = """
import sys
from memgym.run.worker import preload
import openai._base_client as sdk
assert sdk.platform_headers.cache_info().currsize == 0 and "encodings.idna" not in sys.modules
preload()
print(sdk.platform_headers.cache_info().currsize, "encodings.idna" in sys.modules)
"""


def test_preload_fills_the_platform_headers_and_imports_idna() -> None:
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "True"]
