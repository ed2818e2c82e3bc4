"""``memgym.jsonl.json_objects``: blank lines skipped, numbers counted over every line, a bad
line named in one ``ValueError`` line (with its source when given)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from memgym.jsonl import json_objects


def test_objects_come_with_their_line_numbers_blank_lines_skipped() -> None:
    objects = [{"a": 1}, {"b": [2, 3]}]
    lines = [json.dumps(objects[0]) + "\n", "\n", "  \n", json.dumps(objects[1])]
    assert list(json_objects(lines)) == [(1, objects[0]), (4, objects[1])]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{oops", "line 2 is not JSON: "),
        ("[1, 2]", "line 2 is not a JSON object"),
        ("7", "line 2 is not a JSON object"),
    ],
)
def test_a_bad_line_is_named_with_its_source(bad: str, message: str) -> None:
    lines = ['{"ok": true}', bad, '{"never": "read"}']
    with pytest.raises(ValueError, match=f"^{message}") as plain:
        list(json_objects(lines))
    assert "\n" not in str(plain.value)
    with pytest.raises(ValueError, match=f"^rows.jsonl: {message}"):
        list(json_objects(lines, "rows.jsonl"))


def test_a_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    from memgym.rm.rows import read_jsonl

    path = tmp_path / "rows.jsonl"
    row = json.dumps({"after": [], "dropped": []}) + "\n"
    path.write_bytes(row.encode() * 3000 + b"\x80\xff not text\n")
    with pytest.raises(ValueError, match=r"not UTF-8 text \(after line [0-9]+\)$") as bad:
        list(read_jsonl(path))
    assert str(bad.value).startswith(f"{path}: ")
    line = int(str(bad.value).rsplit(" ", 1)[1].rstrip(")"))
    assert line <= 3000  # every line up to it was read as text


def test_sft_names_the_data_file_of_a_bad_line(tmp_path: Path, capsys) -> None:
    from memgym.cli import main

    data = tmp_path / "chat.jsonl"
    data.write_text('{"messages": [{"role": "user"')  # cut short
    base = tmp_path / "base"  # passes the base check (checked first), is never loaded
    base.mkdir()
    (base / "config.json").write_text("{}")
    argv = ["train", "sft", "--data", str(data), "--base", str(base), "--out", str(tmp_path / "o")]
    assert main(argv) == 2
    assert f"{data}: line 1 is not JSON" in capsys.readouterr().err


def test_rm_rows_name_a_line_that_is_no_compaction_row(tmp_path: Path) -> None:
    from memgym.rm.rows import read_jsonl

    path = tmp_path / "rows.jsonl"
    row = {"after": [], "dropped": [], "brief": "b"}
    path.write_text(f"{json.dumps(row)}\n\n{json.dumps({'after': []})}\n", encoding="utf-8")
    rows = read_jsonl(path)
    assert next(rows) == row
    with pytest.raises(ValueError, match=r"rows\.jsonl: line 3 is not a compaction row"):
        next(rows)
