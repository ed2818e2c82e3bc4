"""What the envs' adversary scripts (``baselines``, ``session_baselines``) share: one played
episode's return, the share of the maximum a set of episodes earned, and their command line."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

from memgym.specs import seed_range


@dataclass(frozen=True)
class Played:
    """One episode: the return earned and the most that could be."""

    agent: str
    seed: int
    earned: float
    max_return: float

    @property
    def share(self) -> float:
        """The return as a share of the maximum (0 when nothing could be earned)."""
        return self.earned / self.max_return if self.max_return else 0.0


def return_share(runs: Sequence[Played]) -> float:
    """The return ``runs`` earned together as a share of the most they could."""
    return sum(r.earned for r in runs) / sum(r.max_return for r in runs)


def parser(prog: str, seeds: str, ids_help: str) -> argparse.ArgumentParser:
    """The command line's ``--seeds A-B`` (default ``seeds``) and ``--ids a,b``."""
    p = argparse.ArgumentParser(prog=prog)
    p.add_argument("--seeds", default=seeds, help="a range A-B (inclusive)")
    p.add_argument("--ids", help=ids_help)
    return p


def seeds_and_ids(
    prog: str, seeds: str, ids_help: str, argv: Sequence[str] | None
) -> tuple[range, list[str] | None]:
    """``--seeds A-B`` (default ``seeds``) as a range and ``--ids a,b`` as a list (None: every
    env id) from ``argv``."""
    return parsed(parser(prog, seeds, ids_help).parse_args(argv))


def parsed(args: argparse.Namespace) -> tuple[range, list[str] | None]:
    """The seeds and ids of ``parser``'s parsed arguments."""
    return seed_range(args.seeds), args.ids.split(",") if args.ids else None
