"""Checks that MemRM lite's features are bit-identical to those of another tree.

    python bench/studies/rm_features_identity.py dump OUT.pkl DATA.jsonl [DATA.jsonl ...]
    python bench/studies/rm_features_identity.py compare A.pkl B.pkl

``dump`` reads every row of the files with ``read_features`` (the scoring path: cold caches,
rows in file order, so the caches fill as they do when a model scores them) and pickles the
hand features and the bucket lists. Run it under each tree (``PYTHONPATH=TREE``), then
``compare``: it prints how many rows differ (exit 1 if any) and the first difference. Hand
features must match bit for bit and bucket lists as sets (sorted): their order follows the
iteration order of sets of strings, which changes with the process's hash seed
(``PYTHONHASHSEED``) even between two runs of the same tree; the rows whose order differs are
counted apart.
"""

from __future__ import annotations

import json
import pickle
import struct
import sys
import time
from pathlib import Path

CHUNK = 512
"""Rows read per call (caches stay warm between calls, as when a model scores a file)."""


def dump(out: str, files: list[str]) -> None:
    """Pickle ``{file: [(hand, buckets), ...]}`` of every row of ``files``."""
    from memgym.rm.features import clear_caches
    from memgym.rm.lite import read_features, row_parts

    result: dict[str, list[tuple[list[float], list[int]]]] = {}
    start = time.process_time()
    for name in files:
        clear_caches()
        read: list[tuple[list[float], list[int]]] = []
        with Path(name).open() as lines:
            chunk = []
            for line in lines:
                chunk.append(row_parts(json.loads(line)))
                if len(chunk) == CHUNK:
                    read.extend(read_features(chunk))
                    chunk = []
            read.extend(read_features(chunk))
        result[Path(name).name] = read
    Path(out).write_bytes(pickle.dumps(result))
    rows = sum(map(len, result.values()))
    print(
        f"{rows} rows from {len(files)} files in {time.process_time() - start:.1f} s CPU -> {out}"
    )


def _bits(hand: list[float]) -> bytes:
    """The exact bits of the hand features (so -0.0 and NaN compare exactly too)."""
    return struct.pack(f"{len(hand)}d", *hand)


def compare(a: str, b: str) -> int:
    """Rows whose hand features (bitwise) or bucket sets differ; prints the first."""
    left, right = (pickle.loads(Path(p).read_bytes()) for p in (a, b))
    if sorted(left) != sorted(right):
        print(f"different files: {sorted(left)} vs {sorted(right)}")
        return 1
    differ = total = order = 0
    for name in sorted(left):
        if len(left[name]) != len(right[name]):
            print(f"{name}: {len(left[name])} vs {len(right[name])} rows")
            return 1
        for i, ((h1, b1), (h2, b2)) in enumerate(zip(left[name], right[name], strict=True)):
            total += 1
            order += b1 != b2
            if _bits(h1) != _bits(h2) or sorted(b1) != sorted(b2):
                if not differ:
                    what = "hand" if _bits(h1) != _bits(h2) else "buckets"
                    print(f"first difference: {name} row {i} ({what})")
                differ += 1
    print(
        f"{total} rows compared, {differ} differ (hand features bitwise, bucket sets); "
        f"bucket order differs in {order} (hash seed)"
    )
    return 1 if differ else 0


def main() -> None:
    if len(sys.argv) >= 4 and sys.argv[1] == "dump":
        dump(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        sys.exit(compare(sys.argv[2], sys.argv[3]))
    else:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
