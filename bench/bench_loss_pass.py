"""Peak memory of one GRPO loss pass on CPU: TRL's fused LM head with its own tiles or narrower.

    python bench/bench_loss_pass.py [--tokens 3700] [--layers 10] [--tiles 256x4096 | --tiles trl]
                                    [--attention sdpa]

One forward (TRL's fused head, ``fused_lm_head=True``, as ``GRPOTrainer`` scores a micro-batch)
and one backward over one sequence of ``--tokens`` random tokens, its first third left out as a
prompt: a Llama of SmolLM2-135M's shape (hidden 576, 9 and 3 heads, 49,152-token vocabulary)
with random weights and ``--layers`` layers, LoRA (rank 16) on q, k, v, o of the top 8, one
torch thread. ``--tiles TxV`` runs the head in tiles of T tokens by V vocabulary entries
(``memgym.train.fused_head.cpu_tiles``; ``train grpo`` uses 256x4096 on CPU), ``trl`` leaves
TRL's (4,096 by 32,768). Prints the peak RSS above the model (``ru_maxrss``, so run one setting
per process) and the pass's CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import resource
import time


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tokens", type=int, default=3700)
    p.add_argument("--layers", type=int, default=10, help="SmolLM2-135M has 30 (8 adapted)")
    p.add_argument("--tiles", default="256x4096", help="TxV, or trl for TRL's own")
    p.add_argument("--attention", default="sdpa", help="the model's attention implementation")
    args = p.parse_args(argv)
    import peft
    import torch
    import transformers
    from trl.trainer.utils import add_fused_lm_head

    from memgym.train.fused_head import cpu_tiles

    tiles = None if args.tiles == "trl" else tuple(int(x) for x in args.tiles.split("x"))
    torch.set_num_threads(1)
    config = transformers.LlamaConfig(
        vocab_size=49_152, hidden_size=576, intermediate_size=1536,
        num_hidden_layers=args.layers, num_attention_heads=9, num_key_value_heads=3,
        max_position_embeddings=8192, tie_word_embeddings=True,
    )  # fmt: skip
    config._attn_implementation = args.attention
    torch.manual_seed(0)
    model = transformers.LlamaForCausalLM(config)
    add_fused_lm_head(model)
    top = list(range(max(0, args.layers - 8), args.layers))
    lora = peft.LoraConfig(r=16, lora_alpha=32, layers_to_transform=top, task_type="CAUSAL_LM",
                           target_modules=["q_proj", "k_proj", "v_proj", "o_proj"])  # fmt: skip
    model = peft.get_peft_model(model, lora)
    ids = torch.randint(0, config.vocab_size, (1, args.tokens))
    labels = ids.clone()
    labels[:, : args.tokens // 3] = -100
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.process_time()
    with cpu_tiles(tiles):  # type: ignore[arg-type]
        out = model(input_ids=ids, attention_mask=torch.ones_like(ids), labels=labels,
                    fused_lm_head=True)  # fmt: skip
        (-out.log_probs.sum()).backward()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "tiles": args.tiles, "tokens": args.tokens, "layers": args.layers,
        "attention": args.attention, "model_mib": round(before),
        "peak_above_model_mib": round(peak - before),
        "cpu_s": round(time.process_time() - started, 1),
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
