"""A fine-tuned model as a GGUF for llama.cpp: the base GGUF with its attention weights replaced.

LoRA (as ``memgym train sft`` applies it) changes only the attention projections. ``export_gguf``
copies the base GGUF's metadata (architecture, tokenizer, chat template) and every tensor as it
is, quantised, except each layer's ``attn_q``, ``attn_k``, ``attn_v`` and ``attn_output``, which
it writes in float16 from the merged model. llama.cpp stores the query and key rows of LLaMA-style
models interleaved per head (the order its rotary embedding wants), so those two are permuted
from the transformers order back into it. Only architectures laid out like LLaMA (``llama``) are
taken; anything else is refused rather than written wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from memgym.extras import require

ATTENTION = {"q_proj": "attn_q", "k_proj": "attn_k", "v_proj": "attn_v", "o_proj": "attn_output"}
ARCHITECTURES = ("llama",)


def to_gguf_order(weights: Any, heads: int) -> Any:
    """Rows of a query or key projection, from transformers' order (each head's first half of
    rotary pairs, then its second half) to llama.cpp's (the pairs interleaved)."""
    rows = weights.shape[0]
    half = rows // heads // 2
    return weights.reshape(heads, 2, half, *weights.shape[1:]).swapaxes(1, 2).reshape(weights.shape)


def _field(reader: Any, key: str) -> Any:
    field = reader.fields.get(key)
    return None if field is None else field.contents()


def export_gguf(base_gguf: str, model: Any, out: str | Path) -> dict[str, int]:
    """Write ``out``: ``base_gguf`` with the attention projections of ``model`` (the merged
    fine-tuned model, same architecture); counts of the tensors replaced and copied."""
    gguf = require("gguf", "memgym train export", "train")
    import numpy as np

    reader = gguf.GGUFReader(base_gguf)
    arch = _field(reader, "general.architecture")
    if arch not in ARCHITECTURES:
        raise ValueError(f"GGUF export supports {', '.join(ARCHITECTURES)} models, not {arch!r}")
    heads = int(_field(reader, f"{arch}.attention.head_count"))
    kv_heads = int(_field(reader, f"{arch}.attention.head_count_kv") or heads)
    layers = int(_field(reader, f"{arch}.block_count"))
    if int(model.config.num_hidden_layers) != layers:
        raise ValueError(
            f"the model has {model.config.num_hidden_layers} layers, the GGUF {layers}: not its base"
        )
    state = model.state_dict()
    new: dict[str, Any] = {}
    for i in range(layers):
        for hf, name in ATTENTION.items():
            w = state[f"model.layers.{i}.self_attn.{hf}.weight"].detach().float().cpu().numpy()
            if name == "attn_q":
                w = to_gguf_order(w, heads)
            elif name == "attn_k":
                w = to_gguf_order(w, kv_heads)
            new[f"blk.{i}.{name}.weight"] = w.astype(np.float16)
    writer = gguf.GGUFWriter(str(out), arch)
    for key, field in reader.fields.items():
        if key.startswith("GGUF.") or key == "general.architecture":
            continue
        kind = field.types[0]
        sub = field.types[-1] if kind == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(key, field.contents(), kind, sub_type=sub)
    replaced = copied = 0
    for tensor in reader.tensors:
        if tensor.name in new:
            w = new.pop(tensor.name)
            if tuple(w.shape) != tuple(reversed([int(d) for d in tensor.shape])):
                raise ValueError(f"{tensor.name}: the model's shape {w.shape} is not the GGUF's")
            writer.add_tensor(tensor.name, w)
            replaced += 1
        else:
            writer.add_tensor(
                tensor.name, tensor.data, raw_shape=tensor.data.shape, raw_dtype=tensor.tensor_type
            )
            copied += 1
    if new:
        raise ValueError(f"the GGUF lacks {len(new)} attention tensors, e.g. {min(new)}")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return {"replaced": replaced, "copied": copied}
