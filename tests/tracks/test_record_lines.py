"""The readers' shared line loop: note lines, record blocks and prose, each line read once."""

from __future__ import annotations

from memgym.claims import Claim, render_claims
from memgym.tracks.record_lines import item_pattern, read_lines

_ITEM = item_pattern("- {L}: {V}", "age|city")


def _header(line: str) -> str | None:
    return line[len("Record of ") :].rstrip(":") if line.startswith("Record of ") else None


def _item(line: str) -> tuple[str, str | None] | None:
    m = _ITEM.match(line)
    if m is None:
        return None
    value = m.group("v")
    return m.group("l"), value if m.group("l") != "age" or value.isdigit() else None


def _prose(line: str, claims: list[Claim]) -> None:
    if line.startswith("Now "):
        entity, _, value = line[4:].partition(" lives in ")
        claims.append(Claim(entity, "city", value))


def test_blocks_notes_and_prose_in_text_order() -> None:
    note = render_claims([Claim("Bo", "age", "40")])
    lines = [
        "Record of Ann:",
        "- age: 31",
        "- age: old",  # an item whose value does not fit: no claim, the block goes on
        "- city: Oslo",
        "Now Cy lives in Rome",  # not an item: closes the block, read as prose
        "- city: Lima",  # outside a block: prose that says nothing
        "Record of Di:",
        "- city: Bern",
        note,  # a note line closes the block too
        "- age: 7",
    ]
    assert read_lines("\n".join(lines), _header, _item, _prose) == [
        Claim("Ann", "age", "31"),
        Claim("Ann", "city", "Oslo"),
        Claim("Cy", "city", "Rome"),
        Claim("Di", "city", "Bern"),
        Claim("Bo", "age", "40"),
    ]


def test_item_pattern_takes_only_whole_lines_with_known_labels() -> None:
    m = _ITEM.match("- city: Oslo  ")
    assert m is not None and (m.group("l"), m.group("v")) == ("city", "Oslo")
    assert _ITEM.match("- height: 3") is None
    assert _ITEM.match("x - city: Oslo") is None
