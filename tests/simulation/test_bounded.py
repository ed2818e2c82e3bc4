"""The bounded-memory family: each member holds what its rule says and no more, is scored as the
cheat suite scores, and the union bound chooses on training seeds only."""

from memgym.scoring import is_correct
from memgym.scoring.reading import answer_names
from memgym.simulation.bounded import BOUNDED_SHARE, UNION, bounded_scores, choose, main
from memgym.simulation.bounded_family import (
    CHANGE,
    Keeper,
    Marked,
    Member,
    answers,
    event_classes,
    family,
    looks_like_change,
)
from memgym.simulation.cheats import CHEAT_CEILING, run_cheats
from memgym.tokens import count_tokens
from memgym.tracks import get_track, stream_events


def test_the_family_has_every_shape_the_issue_names():
    quick, full = family(), family(True)
    names = [m.name for m in full]
    assert len(names) == len(set(names)) and set(family()) <= set(full)
    assert {f"last{k}:correction" for k in (1, 2, 4, 8, 16)} <= set(names)
    assert {"first3:page", "reservoir16:update", "tokens2000", "last16:change"} <= set(names)
    assert {m.rule for m in quick} == {"last", "first", "reservoir", "tokens", "learned"}
    assert {"learned250", "learned500", "learned1000"} <= set(names)


def test_each_member_keeps_only_what_its_rule_allows():
    track = get_track("codeqa")
    scenario = track.generate(3, "lite")
    members = family(True)
    keeper = Keeper(members, scenario.seed)
    history: list[tuple[str, list[str]]] = []  # (text, classes) of every event so far
    checked = 0
    for event in stream_events(scenario):
        if event.question is None:
            keeper.observe(event)
            classes = ["any", event.kind] + (["page"] if event.kind != "distractor" else [])
            classes += ["change"] if CHANGE.search(event.text) else []
            history.append((event.text, classes))
            continue
        for m in members:
            kept = keeper.kept(m)
            of_class = [t for t, c in history if m.event_class in c]
            if m.rule == "last":
                assert list(kept) == of_class[-m.size :] if of_class else kept == ()
            elif m.rule == "first":
                assert list(kept) == of_class[: m.size]
            elif m.rule == "reservoir":
                assert len(kept) == min(m.size, len(of_class))
                assert set(kept) <= set(of_class)
            elif m.rule == "learned":  # no selector here: the best-scored (all 0) that fit
                assert sum(count_tokens(t) for t in kept) <= m.size
                assert set(kept) <= {t for t, _ in history}
            else:
                assert sum(count_tokens(t) for t in kept) <= m.size
                assert list(kept) == [t for t, _ in history[len(history) - len(kept) :]]
            checked += 1
    assert checked > 100


def test_a_change_is_found_by_its_text():
    assert looks_like_change("Correction: the rate is now 4.")
    assert looks_like_change("ACTUALLY it moved")
    assert not looks_like_change("The Nowak report, unchanged since the known era.")
    event = next(
        e for e in get_track("entities").generate(0, "lite").events if e.kind == "correction"
    )
    assert {"any", "page", "correction"} <= set(event_classes(event))


def test_last_event_member_agrees_with_the_suite_cheat():
    """``last1:any`` is the suite's ``last_event``: two code paths, one composite."""
    track = get_track("entities")
    for seed in (0, 1):
        scenario = track.generate(seed, "lite")
        rows = {r.member: r for r in bounded_scores("entities", "lite", [seed])}
        cheat = run_cheats(track, scenario, {}, ["last_event"])["last_event"]
        assert rows["last1:any"].composite == cheat.composite


def test_answers_are_marked_by_the_scorer():
    track = get_track("dialogue")
    members = family()
    right = 0
    for seed in (3, 4):  # bounded members are rarely right on dialogue: two seeds, not one
        scenario = track.generate(seed, "lite")
        names = answer_names(scenario)
        for gold, row, shares in answers(track, scenario, members):
            assert len(row) == len(shares) == len(members)
            assert all(0.0 <= s <= 1.0 for s in shares)
            right += sum(is_correct(gold, a, names) for a in row)
    assert right > 0  # some member is right somewhere: the reader reads


def test_the_union_chooses_per_template_among_small_members_only():
    small, big = 0.0, 1.0
    training = [
        Marked(
            templates=["value", "delta", "value"],
            axes=["maintenance", "maintenance", "abstention"],
            correct=[(True, False, True), (False, True, True), (False, False, True)],
            held=(small, small, big),
        )
    ]
    choice = choose(training, 3)
    assert choice.allowed == (0, 1)  # member 2 held the whole stream: not a bounded memory
    assert choice.pick("value") == 0 and choice.pick("delta") == 1
    assert choice.pick("unseen") in (0, 1)


def test_rows_judge_only_small_members_and_the_union_is_last():
    rows = bounded_scores("research", "lite", [0, 1])
    assert rows[-1].member == UNION
    assert {r.member for r in rows[:-1]} == {m.name for m in family()}
    for r in rows:
        assert r.judged == (r.share <= BOUNDED_SHARE)
        assert r.passed == (not r.judged or r.composite <= CHEAT_CEILING)
    assert any(not r.judged for r in rows) and any(r.judged for r in rows)


def test_a_scored_member_is_deterministic():
    first = bounded_scores("codeqa", "lite", [7])
    assert first == bounded_scores("codeqa", "lite", [7])


def test_the_command_line_prints_every_track_and_tier(capsys):
    code = main(["research", "lite", "--seeds", "0-1"])
    out = capsys.readouterr().out
    assert "research/lite over seeds 0-1: union" in out and "above 0.05" in out
    failed = int(out.splitlines()[-1].split()[0])
    assert failed == out.count("> ceiling") and code == (1 if failed else 0)


def test_a_member_is_a_real_memory_if_the_answer_is_where_it_looks():
    """Fed a stream where each question's evidence is restated as the last correction before
    it, ``last1:correction`` answers: a low score means the generator is fair, not the member
    blind."""
    track = get_track("entities")
    scenario = track.generate(0, "lite")
    index = scenario.fact_index()
    events = []
    for e in scenario.events:
        if e.question is not None:
            facts = [index[f] for f in e.question.evidence]
            text = "\n".join(f"{f.entity} | {f.attribute}={f.value}" for f in facts)
            events.append(
                e.model_copy(update={"question": None, "kind": "correction", "text": text})
            )
        events.append(e)
    planted = scenario.model_copy(
        update={"events": [ev.model_copy(update={"step": i}) for i, ev in enumerate(events)]}
    )
    member = Member("last", 1, "correction")
    right = sum(
        is_correct(gold, row[0], answer_names(planted))
        for gold, row, _ in answers(track, planted, [member])
        if gold.axis != "abstention"
    )
    scored = sum(q.axis != "abstention" for q in planted.questions)
    assert right / scored > 0.5
