"""GRPO reward curves for the report: ``memgym train grpo``'s ``OUT/rewards.json`` read back (the
mean reward of every step, its standard deviation within the step's group, the stage, the
settings the run recorded)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RewardCurve:
    """One GRPO run: its name (the run's folder), steps ``(step, stage, reward, std)``, and a
    line of what it trained on."""

    name: str
    steps: list[tuple[int, int, float, float]]
    about: str


def load_curve(path: str | Path) -> RewardCurve:
    """The curve of a ``rewards.json``; a clear error for a file that is not one."""
    file = Path(path)
    try:
        saved: Any = json.loads(file.read_text(encoding="utf-8"))
        steps = [(int(s["step"]), int(s["stage"]), float(s["reward"]), float(s.get("reward_std", 0)))
                 for s in saved["steps"]]  # fmt: skip
        if not all(math.isfinite(reward) and math.isfinite(std) for _, _, reward, std in steps):
            raise ValueError("a step's reward is not a finite number")
        parts = [f"{s['steps']} steps of {s['env']} {json.dumps(s.get('params', {}))}"
                 for s in saved["stages"]]  # fmt: skip
    except FileNotFoundError:
        raise ValueError(f"--grpo {path}: no such file") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(
            f"--grpo {path}: not a `memgym train grpo` rewards.json ({type(exc).__name__}: {exc})"
        ) from None
    if "generations" in saved:
        parts.append(f"{saved['generations']} rollouts a step")
    if saved.get("stopped_at_max_minutes"):
        parts.append(f"stopped at --max-minutes after {len(steps)} steps")
    return RewardCurve(file.parent.name or str(file), steps, "; ".join(parts))
