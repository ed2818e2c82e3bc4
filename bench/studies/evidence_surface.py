"""What in an event's surface tells evidence from the rest: the share of evidence events and of
the others by the event's opening (its first line up to a colon, digits masked; a search keeps
its field and masks its entity: "Search result for "mentor of N":") and by its place in the
stream (tenths of the tokens before it), each with the ratio of the two shares. An opening or place whose ratio is far
from 1 is what a learned selector (``memgym.simulation.learned_selector``) can rank by::

    PYTHONPATH=. python bench/studies/evidence_surface.py --track research --tier lite --seeds 20
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Sequence

from memgym.simulation.learned_selector import Stream, read_stream
from memgym.tracks import get_track

_DIGITS = re.compile(r"\d+")
_QUERY = re.compile(r'^(Search result for ")(.+?) of .*?(":)')


def opening(text: str) -> str:
    """The event's first line up to its first colon (or its first five words), numbers written
    0; a search keeps its field and writes its entity N."""
    line = text.split("\n", 1)[0][:80]
    query = _QUERY.match(line)
    if query:
        return f"{query.group(1)}{query.group(2)} of N{query.group(3)}"
    head = line.split(":", 1)[0] if ":" in line else " ".join(line.split()[:5])
    return _DIGITS.sub("0", head)


def shares(streams: Sequence[Stream]) -> tuple[dict[str, tuple[float, float]], int, int]:
    """Opening and place (``place=K``: the K-th tenth) -> (share of evidence events, share of
    the others), and the two counts."""
    evidence: Counter[str] = Counter()
    rest: Counter[str] = Counter()
    n_ev = n_rest = 0
    for stream in streams:
        for text, label, place in zip(stream.texts, stream.labels, stream.places, strict=True):
            side = evidence if label else rest
            side[opening(text)] += 1
            side[f"place={min(int(place * 10), 9)}"] += 1
            n_ev += label
            n_rest += not label
    keys = set(evidence) | set(rest)
    return {k: (evidence[k] / max(n_ev, 1), rest[k] / max(n_rest, 1)) for k in keys}, n_ev, n_rest


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--track", default="research")
    parser.add_argument("--tier", default="lite")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--top", type=int, default=20, help="openings shown (commonest first)")
    args = parser.parse_args(argv)
    track = get_track(args.track)
    seeds = range(args.seed, args.seed + args.seeds)
    table, n_ev, n_rest = shares([read_stream(track.generate(s, args.tier)) for s in seeds])
    print(f"{args.track} {args.tier}, seeds {seeds.start}-{seeds.stop - 1}: {n_ev} evidence "
          f"events, {n_rest} others")  # fmt: skip
    openings = sorted(
        (k for k in table if not k.startswith("place=")), key=lambda k: -sum(table[k])
    )
    for key in openings[: args.top] + [f"place={i}" for i in range(10)]:
        ev, rest = table.get(key, (0.0, 0.0))
        ratio = f"{ev / rest:.1f}" if rest else "only evidence" if ev else "-"
        print(f"  {key[:60]:60s} evidence {ev:.3f}  others {rest:.3f}  ratio {ratio}")


if __name__ == "__main__":
    main()
