"""CPU cost of scoring compactions with the MemRM encoder beside lite, on texts not seen before.

    python bench/studies/rm_encoder_speed.py --model results/rm/encoder.pkl \
        --rows results/rm/trainval/iid.jsonl [--n 300]

Loads the encoder model (and MiniLM, one torch thread) first, then times ``predict`` of ``--n``
stratified rows with ``time.process_time``: lite alone, then the encoder with its regression
forced on (so the similarities are computed even when validation did not adopt them).
"""

from __future__ import annotations

import argparse
import time

from memgym.rm.encoder import EncoderModel, load_encoder
from memgym.rm.models import load_model
from memgym.rm.rows import read_jsonl, stratified


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--rows", required=True)
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    model = load_model(args.model)
    if not isinstance(model, EncoderModel):
        raise SystemExit(f"{args.model} is not an encoder model (memgym rm train --model encoder)")
    rows = stratified(list(read_jsonl(args.rows)), args.n, seed=2)
    load_encoder()
    start = time.process_time()
    model.lite.predict(rows)
    lite = time.process_time() - start
    model.adopted = True
    start = time.process_time()
    model.predict(rows)
    enc = time.process_time() - start
    print(
        f"{len(rows)} rows: lite {lite:.2f} s CPU ({len(rows) / lite:.0f}/s),"
        f" encoder {enc:.2f} s CPU ({len(rows) / enc:.1f}/s)"
    )


if __name__ == "__main__":
    main()
