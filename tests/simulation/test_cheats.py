"""The cheat suite: each cheat sees only what a memoryless agent has, and scores what it should."""

from memgym.simulation.cheats import CHEATS, RECENT, learn, run_cheats, sightings, template_key
from memgym.tracks import get_track


def test_a_sighting_holds_the_public_question_and_only_the_last_events():
    track = get_track("entities")
    scenario = track.generate(0, "lite")
    seen = sightings(track, scenario)
    assert [g.id for g, _ in seen] == [q.id for q in scenario.questions]
    for gold, s in seen:
        assert s.question == gold.public()
        assert len(s.recent) <= RECENT and len(s.pages) <= RECENT


def test_the_entity_blind_memory_holds_every_value_of_the_asked_attribute_so_far():
    from memgym.simulation.cheats import asked_attribute

    track = get_track("research")
    scenario = track.generate(3, "lite")
    seen = {g.id: s for g, s in sightings(track, scenario)}
    stated: list[tuple[str, str]] = []  # (attribute, value) in stream order, recomputed
    checked = 0
    for event in scenario.events:
        if event.question is None:
            stated += [(c.attribute, c.value) for c in track.read(event.text)]
            continue
        attribute = asked_attribute(event.question.spec)
        expected = tuple(v for a, v in stated if a == attribute)
        assert seen[event.question.id].attribute_values == expected
        checked += bool(expected)
    assert checked  # some questions ask about an attribute stated before them


def test_a_cheat_that_reads_the_evidence_would_be_caught():
    """The keep-last cheats are real readers: fed a stream whose questions follow their
    evidence, they score well (so a low score means the generator is fair, not the cheat
    broken)."""
    track = get_track("entities")
    scenario = track.generate(0, "lite")
    index = scenario.fact_index()
    events = []
    for e in scenario.events:
        if e.question is not None:
            facts = [index[f] for f in e.question.evidence]
            text = "\n".join(f"{f.entity} | {f.attribute}={f.value}" for f in facts)
            events.append(e.model_copy(update={"question": None, "kind": "document", "text": text}))
        events.append(e)
    cheat = scenario.model_copy(
        update={"events": [ev.model_copy(update={"step": i}) for i, ev in enumerate(events)]}
    )
    result = run_cheats(track, cheat, {}, ["last_event"])["last_event"]
    assert result.composite > 0.5


def test_template_gold_learns_from_other_seeds_only():
    track = get_track("codeqa")
    learned = learn(track, "lite", {})
    assert learned and all(sum(c.values()) > 0 for c in learned.values())
    spec = {"op": "count", "where": [["raises", "==", "XError"]]}
    assert template_key(spec, fine=False) == template_key(
        {"op": "count", "where": [["raises", "==", "YError"]]}, fine=False
    )
    assert template_key(spec, fine=True) != template_key(
        {"op": "count", "where": [["raises", "==", "YError"]]}, fine=True
    )
    assert len(CHEATS) >= 20


def _listing(rows: list[dict[str, object]]) -> str:
    return "\n".join(
        f"{r['id']} | " + "; ".join(f"{k}={v}" for k, v in r.items() if k != "id") for r in rows
    )


def test_the_option_cheats_find_a_target_built_around_its_catalogue():
    """Fed a catalogue in the old style (the target plus one flight failing each rule, the rest
    failing several), the catalogue-reading cheats pick the target: so their low scores on the
    real track mean the catalogue hides it, not that they cannot read one."""
    import random

    from memgym.simulation.cheats import Context, Sighting
    from memgym.types import Question

    track = get_track("dialogue")
    rng = random.Random(3)
    want = {"from_city": "Oslo", "to_city": "Riga", "day": "2027-05-02",
            "cabin_class": "economy", "stops": 1, "fare_usd": 500}  # fmt: skip
    other = {"from_city": ["Porto", "Lyon", "Cork"], "to_city": ["Bern", "Graz", "Turku"],
             "day": ["2027-05-04", "2027-04-29", "2027-05-07"],
             "cabin_class": ["business", "premium economy"], "stops": [2, 3], "fare_usd": [700, 900]}  # fmt: skip
    plans = [set()] + [{k} for k in want] + [set(rng.sample(list(want), 3)) for _ in range(3)]
    rows = []
    for i, fail in enumerate(plans):
        row: dict[str, object] = {"id": f"AX{100 + i}", "catalogue": "S1", "airline": "Aerion"}
        row.update({k: rng.choice(other[k]) if k in fail else v for k, v in want.items()})
        row["departs"] = f"{8 + i:02d}:00"
        rows.append(row)
    rng.shuffle(rows)
    question = Question(id="q", text="Which flight?", spec={
        "op": "select", "entity": "U", "where": [["catalogue", "==", "S1"]],
        "match": [["from_city", "==", "home_city"], ["stops", "<=", "max_stops"]]})  # fmt: skip
    scenario = track.generate(0, "lite")
    ctx = Context(track, scenario, {})
    seen = Sighting(question, (), (), {"S1": _listing(rows)})
    for name in ("central_option", "hub_option"):
        assert CHEATS[name][0](ctx, seen) == "AX100", (name, _listing(rows))


def test_the_entity_blind_cheats_read_the_asked_attribute_of_whoever_the_last_events_name():
    """recent_attribute and recent_values_or take the asked attribute's values from the last
    events whatever entity they are about; question_number echoes the question's last number."""
    from memgym.simulation.cheats import Context, Sighting
    from memgym.types import Question

    track = get_track("entities")
    ctx = Context(track, track.generate(0, "lite"), {})
    recent = (
        "Zedmoor Falls | founded_year=1500; parks=3",
        "Yonford Bay | parks=9",
        "Yonford Bay | founded_year=1700",
    )
    asked = Question(
        id="q", text="What is the founding year of Oskby Heights?",
        spec={"op": "value", "entity": "Oskby Heights", "attribute": "founded_year"},
    )  # fmt: skip
    seen = Sighting(asked, recent, recent, {})
    assert CHEATS["recent_attribute"][0](ctx, seen) == "1700"
    assert CHEATS["recent_values_or"][0](ctx, seen) == "1500 or 1700"
    chain = Question(
        id="q", text="Which city is the rival city of the twin city of Oskby Heights?",
        spec={"op": "chain", "entity": "Oskby Heights", "relations": ["twin_city", "rival_city"]},
    )  # fmt: skip
    linked = ("Zedmoor Falls | rival_city=Yonford Bay", "Yonford Bay | parks=9")
    assert CHEATS["recent_attribute"][0](ctx, Sighting(chain, linked, linked, {})) == "Yonford Bay"
    count = Question(
        id="q", text="How many of the cities described so far have a school count above 672?",
        spec={"op": "count", "where": [["schools", ">", 672]]},
    )  # fmt: skip
    assert CHEATS["question_number"][0](ctx, Sighting(count, (), (), {})) == "672"


def test_every_number_holds_the_gold_and_is_still_wrong():
    """The shotgun of every integer 0..1000 contains any small count, and the scorer rejects it."""
    from memgym.scoring import is_correct
    from memgym.simulation.cheats import Context, Sighting

    track = get_track("codeqa")
    scenario = track.generate(0, "lite")
    ctx = Context(track, scenario, {})
    counts = [q for q in scenario.questions if q.answer_type == "int" and 0 <= q.answer <= 1000]
    assert counts
    for gold in counts:
        text = CHEATS["every_number"][0](ctx, Sighting(gold.public(), (), (), {}))
        assert f" {gold.answer}," in f" {text}," and not is_correct(gold, text)


def test_the_position_rules_pick_by_recency_and_frequency_alone():
    from memgym.simulation.cheats import DEPTH, POSITION_RULES

    values = ["a", "b", "a", "c", "b", "a", "d"]
    assert POSITION_RULES["last1"](values) == "d"
    assert POSITION_RULES["last3"](values) == "b"
    assert POSITION_RULES["distinct2"](values) == "a"  # d, a, b, c by last mention
    assert POSITION_RULES["distinct4"](values) == "c"
    assert POSITION_RULES["commonest1@1000000000"](values) == "a"
    assert POSITION_RULES["commonest2@1000000000"](values) == "b"
    assert POSITION_RULES["commonest1@5"](values) == "a"  # c b a d + a: a twice
    assert POSITION_RULES["rarest1@1000000000"](values) == "d"  # c and d once: d stated last
    assert POSITION_RULES["rarest1@1000000000^"](values) == "c"  # ... c seen first
    assert POSITION_RULES["commonest2@1000000000^"](values) == "b"
    assert POSITION_RULES["first1"](values) == "a" and POSITION_RULES["first4"](values) == "c"
    assert POSITION_RULES["first_distinct3"](values) == "c"  # a, b, c, d by first mention
    assert POSITION_RULES["last12"](values) == "" and POSITION_RULES["first1"]([]) == ""
    deep = [f"v{i}" for i in range(DEPTH + 5)]  # rules count to DEPTH from either end
    assert POSITION_RULES[f"first{DEPTH}"](deep) == f"v{DEPTH - 1}"
    assert POSITION_RULES[f"distinct{DEPTH}"](deep) == deep[-DEPTH]
    assert f"first{DEPTH + 1}" not in POSITION_RULES


def test_the_learned_position_cheat_applies_the_rule_that_won_on_other_seeds():
    """learn counts, per template, the rules that picked the gold on other seeds (recounted
    here on the same training scenarios); the cheat answers with the winning rule."""
    from collections import Counter

    from memgym.query import ABSTAIN
    from memgym.scoring import is_correct
    from memgym.scoring.reading import answer_names
    from memgym.simulation.cheats import (
        POSITION_RULES,
        TRAIN_BASE,
        TRAIN_SEEDS,
        Context,
        stream_attribute_learned,
    )

    track = get_track("research")
    learned = learn(track, "lite", {})
    overall: Counter[str] = Counter()
    for i in range(TRAIN_SEEDS):
        scenario = track.generate(TRAIN_BASE + i, "lite")
        names = answer_names(scenario)
        for gold, s in sightings(track, scenario):
            for rule, pick in POSITION_RULES.items():
                answer = pick(s.attribute_values)
                overall[rule] += bool(answer) and is_correct(gold, answer, names)
    assert +overall == learned["rule:*"]
    scenario = track.generate(0, "lite")
    ctx = Context(track, scenario, {}, learned)
    answered = 0
    for _, s in sightings(track, scenario):
        rules = learned.get(f"rule:{template_key(s.question.spec, False)}") or learned["rule:*"]
        if rules.most_common(1)[0][1] < 3:
            rules = learned["rule:*"]
        expected = POSITION_RULES[rules.most_common(1)[0][0]](s.attribute_values)
        got = stream_attribute_learned(ctx, s)
        assert got == (expected or ABSTAIN)
        answered += bool(expected)
    assert answered


def test_prior_count_is_the_entity_count_times_each_filters_prior_share():
    """prior_count (and its +1) answer count questions from the params and priors alone,
    recomputed here from the entities track's own priors: a choice weighs its prior weight, a
    threshold the share of the prior's range beyond it."""
    from memgym.simulation.cheats import Context, Sighting
    from memgym.types import Question

    track = get_track("entities")
    scenario = track.generate(0, "lite")
    priors = track.priors(scenario.params)
    ctx = Context(track, scenario, priors)
    n = scenario.params["entities"]
    kit, cap = priors["kit_colour"], priors["stadium_capacity"]
    share = kit.weights[kit.choices.index("blue")] / sum(kit.weights)
    above = (cap.high - 50000) / (cap.high - cap.low)
    spec = {
        "op": "count",
        "where": [["kit_colour", "==", "blue"], ["stadium_capacity", ">", 50000]],
    }
    question = Question(id="q", text="How many teams ...?", spec=spec)
    seen = Sighting(question, (), (), {})
    assert CHEATS["prior_count"][0](ctx, seen) == str(round(n * share * above))
    assert CHEATS["prior_count_plus1"][0](ctx, seen) == str(round(n * share * above) + 1)
    value = Question(
        id="q", text="What?", spec={"op": "value", "entity": "X", "attribute": "titles"}
    )
    assert CHEATS["prior_count"][0](ctx, Sighting(value, (), (), {})) == "unknown"


def test_the_list_cheats_hold_every_value_and_are_judged_by_the_scorer():
    """stream_attribute_list lists each value of the asked attribute stated so far once, in
    order; vocabulary_list lists the values the training streams stated; both run in
    run_cheats and are scored like every cheat (a list is right only where the scorer says)."""
    from memgym.scoring import is_correct
    from memgym.scoring.reading import answer_names
    from memgym.simulation.cheats import Context

    track = get_track("dialogue")
    learned = learn(track, "lite", {})
    scenario = track.generate(0, "lite")
    ctx = Context(track, scenario, track.priors(scenario.params), learned)
    names = answer_names(scenario)
    listed = 0
    for gold, s in sightings(track, scenario):
        text = CHEATS["stream_attribute_list"][0](ctx, s)
        expected = list(dict.fromkeys(s.attribute_values))
        assert text == (", ".join(expected) or "unknown")
        listed += len(expected) > 1
        vocab = CHEATS["vocabulary_list"][0](ctx, s)
        learned_values = learned.get(f"vocab:{s.question.spec.get('attribute')}")
        if learned_values and s.question.spec.get("attribute"):
            assert vocab.split(", ") == sorted(learned_values)
    assert listed
    results = run_cheats(track, scenario, learned, ["stream_attribute_list", "vocabulary_list"])
    assert all(result.questions > 0 for result in results.values())
    seen = sightings(track, scenario)
    answers = {g.id: CHEATS["stream_attribute_list"][0](ctx, s) for g, s in seen}
    scored = [q for q in scenario.questions if q.axis != "abstention"]
    correct = sum(is_correct(q, answers[q.id], names) for q in scored)
    result = results["stream_attribute_list"]
    assert result.questions == len(scored) and round(result.accuracy * len(scored)) == correct
