"""``memgym rm score --out``: the scores of a killed run are kept chunk by chunk and read back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from memgym.cli import main
from memgym.rm import score_log
from memgym.rm.models import load_model
from memgym.rm.rows import read_jsonl
from memgym.rm.score_log import predict_logged


class Counting:
    """Scores row i as i / 1000 and counts the rows it was asked; stops (a kill) once it has
    been asked ``stop_after`` chunks."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.asked: list[int] = []
        self.stop_after = stop_after

    def predict(self, rows: Sequence[dict[str, Any]]) -> list[float]:
        if self.stop_after is not None and len(self.asked) >= self.stop_after * score_log.CHUNK:
            raise KeyboardInterrupt
        self.asked += [r["i"] for r in rows]
        return [r["i"] / 1000 for r in rows]


ROWS = [{"i": i} for i in range(23)]
KEY = {"model": "m", "rows": "r"}


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(score_log, "CHUNK", 4)


def test_a_killed_scoring_resumes_after_its_last_whole_chunk(tmp_path: Path) -> None:
    log = tmp_path / "out.jsonl.scoring"
    with pytest.raises(KeyboardInterrupt):
        predict_logged(Counting(stop_after=3), ROWS, log, KEY)
    again = Counting()
    scores, resumed = predict_logged(again, ROWS, log, KEY)
    assert resumed == 12  # three chunks of four were logged before the kill
    assert again.asked == list(range(12, 23))  # only the rest is scored again
    assert scores == [r["i"] / 1000 for r in ROWS]  # as an unbroken run scores them


def test_a_cut_line_is_scored_again_and_never_blocks_a_later_resume(tmp_path: Path) -> None:
    log = tmp_path / "scoring"
    with pytest.raises(KeyboardInterrupt):
        predict_logged(Counting(stop_after=2), ROWS, log, KEY)
    with open(log, "a") as out:
        out.write("[0.008, 0.0")  # a chunk the kill cut in the middle
    with pytest.raises(KeyboardInterrupt):  # killed again, one chunk later
        predict_logged(Counting(stop_after=1), ROWS, log, KEY)
    again = Counting()
    scores, resumed = predict_logged(again, ROWS, log, KEY)
    assert resumed == 12 and again.asked == list(range(12, 23))
    assert scores == [r["i"] / 1000 for r in ROWS]


def test_a_log_of_other_rows_or_another_model_is_not_read(tmp_path: Path) -> None:
    log = tmp_path / "scoring"
    with pytest.raises(KeyboardInterrupt):
        predict_logged(Counting(stop_after=2), ROWS, log, KEY)
    for other in ({"model": "m2", "rows": "r"}, {"model": "m", "rows": "r2"}):
        fresh = Counting()
        _, resumed = predict_logged(fresh, ROWS, log, other)
        assert resumed == 0 and fresh.asked == list(range(23))
    log.write_text("not json\n[0.5]\n")
    assert predict_logged(Counting(), ROWS, log, KEY)[1] == 0


def test_rm_score_reads_a_killed_runs_scores_back(
    quick_data: tuple[Path, Any], lite_model: tuple[Path, Any], tmp_path: Path, capsys: Any
) -> None:
    """The CLI with a real lite model: the scores a log holds under this model's and these rows'
    digests are used as they are (marker values prove it), the rest are the model's own, and
    the log goes once the output is written."""
    folder, _ = quick_data
    model_path, _ = lite_model
    source = folder / "iid.jsonl"
    whole = tmp_path / "whole.jsonl"
    assert main(["rm", "score", str(source), "--model", str(model_path), "--out", str(whole)]) == 0
    expected = [r["p_harmful"] for r in read_jsonl(whole)]
    assert len(expected) > 8 and not (tmp_path / "whole.jsonl.scoring").exists()

    rows = list(read_jsonl(source))
    key = {"model": score_log.model_digest(model_path), "rows": score_log.rows_digest(rows)}
    out = tmp_path / "scored.jsonl"
    markers = [0.5 + i / 1000 for i in range(8)]  # two chunks of four, not the model's figures
    Path(f"{out}.scoring").write_text(
        json.dumps({"key": key})
        + "\n"
        + json.dumps(markers[:4])
        + "\n"
        + json.dumps(markers[4:])
        + "\n"
    )
    capsys.readouterr()
    assert main(["rm", "score", str(source), "--model", str(model_path), "--out", str(out)]) == 0
    assert f"read 8 scores of {len(rows)} back" in capsys.readouterr().err
    got = [r["p_harmful"] for r in read_jsonl(out)]
    assert got[:8] == markers
    assert got[8:] == pytest.approx(expected[8:], abs=1e-12)
    assert got[8:] == pytest.approx(load_model(model_path).predict(rows[8:]), abs=1e-12)
    assert not Path(f"{out}.scoring").exists()
