"""The GGUF export: query/key rows in llama.cpp's order, and a slow round trip through the file."""

from __future__ import annotations

from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
pytest.importorskip("gguf", reason="the GGUF export needs the train extra")
utils = pytest.importorskip(
    "transformers.modeling_gguf_pytorch_utils", reason="needs the train extra"
)

from memgym.train.export import to_gguf_order


@pytest.mark.parametrize(("heads", "kv"), [(9, 9), (9, 3), (4, 2)])
def test_transformers_reads_the_rows_back_in_its_own_order(heads: int, kv: int) -> None:
    """transformers' GGUF loader undoes llama.cpp's order; it must undo ours to the identity."""
    rng = np.random.default_rng(0)
    q = rng.standard_normal((heads * 8, 32)).astype(np.float32)
    k = rng.standard_normal((kv * 8, 32)).astype(np.float32)
    processor = utils.LlamaTensorProcessor()
    back_q = processor._reverse_permute_weights(to_gguf_order(q, heads), heads, heads)
    back_k = processor._reverse_permute_weights(to_gguf_order(k, kv), heads, kv)
    assert np.array_equal(back_q, q) and np.array_equal(back_k, k)
    assert not np.array_equal(to_gguf_order(q, heads), q)


@pytest.mark.slow
def test_smollm2_round_trip(tmp_path: Path) -> None:
    """SmolLM2's own weights exported and read back by transformers: every tensor within
    float16 rounding of the model that was exported."""
    from memgym.rm.lm import gguf_path
    from memgym.train.export import export_gguf
    from memgym.train.sft import load_model

    try:
        source = gguf_path("smollm2")
    except ValueError as exc:
        pytest.skip(str(exc))
    assert source is not None
    _, model = load_model(source)
    counts = export_gguf(source, model, tmp_path / "m.gguf")
    assert counts["replaced"] == 4 * model.config.num_hidden_layers
    _, again = load_model(str(tmp_path / "m.gguf"))
    before, after = model.state_dict(), again.state_dict()
    assert before.keys() == after.keys()
    assert max(float((before[k] - after[k]).abs().max()) for k in before) < 4e-3
