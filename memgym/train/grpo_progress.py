"""What lets a killed ``memgym train grpo`` resume at the stage it was in.

After each curriculum stage the weights trained so far (the LoRA adapter, or the whole model when
every weight trains) go to ``OUT/progress/stage-K`` and ``OUT/progress.json`` records the run's
options, the stages done, the reward curve and the CPU seconds so far (written whole: a kill leaves
the previous record). Run again with the same options, training starts from those weights at the
next stage; each stage seeds its own trainer (``seed + stage``), so a resumed run trains as an
unbroken one does. The record and the folder are removed once ``OUT/model`` is written. Another
run's record in ``OUT`` is refused, never trained over.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from memgym.files import write_atomic

RECORD = "progress.json"
FOLDER = "progress"
LEFT_OUT = ("out", "max_minutes")
"""Options that do not change what a stage trains: a resume may change them."""


def run_options(run: Any) -> dict[str, Any]:
    """The options a resume must share with the run it continues (JSON types)."""
    options = {k: v for k, v in asdict(run).items() if k not in LEFT_OUT}
    return dict(json.loads(json.dumps(options, default=list)))  # a range of seeds: a list


@dataclass
class Progress:
    """The stages a run into ``out`` has finished, and what they left."""

    out: Path
    options: dict[str, Any]
    done: int = 0
    curve: list[dict[str, Any]] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @classmethod
    def load(cls, run: Any) -> Progress:
        """The progress of ``run`` in its ``out`` (none yet: zero stages); ``ValueError`` when
        ``out`` holds another run's."""
        out = Path(run.out)
        options = run_options(run)
        path = out / RECORD
        if not path.is_file():
            return cls(out, options)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            raise ValueError(f"{path} cannot be read: remove it to start over") from None
        if record.get("options") != options:
            raise ValueError(
                f"{out} holds an unfinished GRPO run with other options ({path}): run those"
                " options again to resume it, or give another --out"
            )
        done = int(record["done"])
        if not (out / FOLDER / f"stage-{done - 1}").is_dir():
            raise ValueError(f"{path} names stage {done - 1}, whose weights are missing")
        return cls(out, options, done, list(record["curve"]), list(record["cpu"]))

    @property
    def weights(self) -> Path | None:
        """The folder of the weights the last finished stage left (None before any)."""
        return self.out / FOLDER / f"stage-{self.done - 1}" if self.done else None

    def stage_done(
        self, model: Any, tokenizer: Any, curve: list[dict[str, Any]], cpu: list[float]
    ) -> None:
        """Record one more finished stage: its weights (and tokenizer) first, then the record
        naming them."""
        folder = self.out / FOLDER / f"stage-{self.done}"
        if folder.exists():
            shutil.rmtree(folder)
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
        previous = self.weights
        self.done += 1
        self.curve, self.cpu = list(curve), list(cpu)
        record = {"options": self.options, "done": self.done, "curve": self.curve, "cpu": self.cpu}
        write_atomic(self.out / RECORD, json.dumps(record, indent=1))
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)

    def finish(self) -> None:
        """The model is written: remove the record and the stage weights."""
        (self.out / RECORD).unlink(missing_ok=True)
        shutil.rmtree(self.out / FOLDER, ignore_errors=True)
