import pytest

from memgym.commands.common import overrides
from memgym.specs import parse_spec, seed_range, typed_value


@pytest.mark.parametrize(
    ("raw", "value"),
    [("12", 12), ("-3", -3), ("0.5", 0.5), ("1e3", 1000.0), ("TRUE", True), ("false", False),
     ("kv", "kv"), ("", "")],
)  # fmt: skip
def test_typed_value_tries_int_float_bool_then_text(raw, value):
    got = typed_value(raw)
    assert got == value and type(got) is type(value)


def test_memory_specs_and_track_overrides_type_values_alike():
    name, options = parse_spec(" window : max_tokens=4000 , exact=true, ,style=kv")
    assert name == "window"
    assert options == {"max_tokens": 4000, "exact": True, "style": "kv"}
    assert overrides(["max_tokens=4000", "exact=true", "style = kv"]) == options
    with pytest.raises(ValueError, match="expected key=value"):
        parse_spec("window:max_tokens")


def test_an_option_given_twice_in_a_spec_is_refused_not_silently_dropped():
    with pytest.raises(ValueError, match="option 'max_tokens' given twice"):
        parse_spec("window:max_tokens=2000,max_tokens=3")
    with pytest.raises(ValueError, match="option 'k' given twice"):
        parse_spec("rag-bm25:k=5, k =5")


def test_each_registry_names_its_kind_and_known_names_in_its_errors(track):
    from memgym.interactive.registry import agent_names, make_agent
    from memgym.memory import make_memory, memory_names
    from memgym.reasoners import make_reasoner, reasoner_names

    makers = [
        (make_memory, "memory", "memories", memory_names()),
        (make_reasoner, "reasoner", "reasoners", reasoner_names()),
        (make_agent, "agent", "agents", agent_names()),
    ]
    for make, kind, kinds, names in makers:
        with pytest.raises(ValueError) as unknown:
            make("no-such", track)
        assert str(unknown.value) == f"unknown {kind} 'no-such'; known {kinds}: {', '.join(names)}"
        with pytest.raises(ValueError, match=f"^bad options for {kind} '{names[-1]}': "):
            make(f"{names[-1]}:no_such_option=1", track)


def test_no_registry_lets_a_second_factory_take_a_name() -> None:
    from memgym.interactive.registry import make_agent  # noqa: F401  (registers the agents)
    from memgym.memory import register_memory
    from memgym.memory.writers.base import register_policy
    from memgym.reasoners import make_reasoner, register_reasoner
    from memgym.specs import factory_module, register_factory
    from memgym.tracks import get_track, register_track
    from memgym.tracks.agent import register_agent

    table: dict[str, object] = {}
    register_factory(table, "a", "thing")(len)
    register_factory(table, "a", "thing")(len)  # the same factory again: a re-import
    with pytest.raises(ValueError, match="thing 'a' is already registered"):
        register_factory(table, "a", "thing")(str)
    assert table == {"a": len}
    thing = type("Thing", (), {})
    register_factory(table, "b", "thing", named=True)(thing)
    assert thing.name == "b" and factory_module(table, "b") == __name__  # type: ignore[attr-defined]
    assert factory_module(table, "c") is None
    # Each real registry refuses before it changes anything (built-in names stay built-in).
    for register, name in [
        (register_memory, "window"), (register_reasoner, "scripted"), (register_agent, "gold"),
        (register_track, "entities"), (register_policy, "perfect"),
    ]:  # fmt: skip
        with pytest.raises(ValueError, match="already registered"):
            register(name)(type("Impostor", (), {}))
    track = get_track("entities")
    assert type(make_reasoner("scripted", track)).__name__ == "ScriptedReasoner"


def test_seed_range_reads_both_ends_included_and_a_lone_seed() -> None:
    assert list(seed_range("3-6")) == [3, 4, 5, 6]
    assert list(seed_range("7")) == [7]
    assert list(seed_range("5-4")) == []
    with pytest.raises(ValueError):
        seed_range("a-b")


def test_options_that_name_something_stay_text() -> None:
    """A model called 123 or true reaches the API as the string it is (it was sent as an int
    and a bool), while other options are typed."""
    from memgym.specs import parse_spec

    _, options = parse_spec("llm:model=123,api_key_env=true,cache=7,base_url=1.5,max_tokens=5")
    assert options == {"model": "123", "api_key_env": "true", "cache": "7", "base_url": "1.5",
                       "max_tokens": 5}  # fmt: skip


@pytest.mark.parametrize(
    "spec",
    [
        "window:max_tokens=true",
        "mask:keep=true",
        "relevance:max_tokens=true",
        "summary:max_tokens=true",
        "pipeline:stages=window(max_tokens=true)",
    ],
)
def test_true_is_not_a_token_budget(spec: str) -> None:
    """``true`` parses as a bool, which Python counts as the int 1: a budget of one token ran,
    labelled "window True". Each memory now refuses it."""
    import memgym

    with pytest.raises(ValueError, match="must be a non-negative integer, got True"):
        memgym.make_memory(spec, memgym.get_track("entities"))


def test_an_unknown_option_names_the_options_the_factory_takes() -> None:
    """``window:max_token=2000`` (a typo) says what ``window`` takes instead of Python's
    "unexpected keyword argument"; a factory taking ``**options`` keeps the original message."""
    import inspect

    from memgym.memory import make_memory
    from memgym.memory.window import window
    from memgym.tracks import get_track

    track = get_track("dialogue")
    takes = list(inspect.signature(window).parameters)[1:]
    with pytest.raises(ValueError) as caught:
        make_memory("window:max_token=2000", track)
    assert str(caught.value) == (
        f"bad options for memory 'window': no option 'max_token'; it takes {', '.join(takes)}"
    )
    with pytest.raises(ValueError, match="no option 'foo'; it takes no options"):
        make_memory("none:foo=1", track)
