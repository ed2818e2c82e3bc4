"""Work planning: item keys name episodes before they run, and shards partition the work."""

import pytest

from memgym.run.work import parse_shard, shard, stream

PAIRS = [("agentic:policy=perfect", "scripted"), ("none", "scripted"), ("window", "llm:model=m")]


def items(seeds=range(7)):
    return list(stream("entities", "lite", seeds, {"doc_style": "kv", "entities": 6}, PAIRS))


def test_plan_is_seed_major_and_keys_are_unique_and_stable():
    work = items()
    assert [(w.seed, w.memory) for w in work[:4]] == [
        (0, PAIRS[0][0]),
        (0, PAIRS[1][0]),
        (0, PAIRS[2][0]),
        (1, PAIRS[0][0]),
    ]
    keys = [w.key for w in work]
    assert len(set(keys)) == len(work) == 7 * len(PAIRS)
    assert keys == [w.key for w in items()]
    # overrides are part of the key, whatever order they were given in
    other = list(stream("entities", "lite", [0], {"entities": 6, "doc_style": "kv"}, PAIRS[:1]))
    assert other[0].key == work[0].key
    assert next(stream("entities", "lite", [0], {"entities": 7}, PAIRS[:1])).key != work[0].key


@pytest.mark.parametrize("count", [1, 2, 3, 5, 21, 40])
def test_shards_cover_every_item_exactly_once(count):
    work = items()
    shards = [shard(work, i, count) for i in range(1, count + 1)]
    flat = [w.key for s in shards for w in s]
    assert sorted(flat) == sorted(w.key for w in work)  # each item once, none lost
    sizes = [len(s) for s in shards]
    assert max(sizes) - min(sizes) <= 1
    # deterministic, and independent of the order the work was listed in
    assert [shard(list(reversed(work)), i, count) for i in range(1, count + 1)] == shards


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "a/b", "2", "", "1/2/3", "-1/2"])
def test_bad_shards_are_clear_errors(text):
    with pytest.raises(ValueError, match="--shard"):
        parse_shard(text)


def test_good_shards_parse():
    assert parse_shard("1/1") == (1, 1)
    assert parse_shard("3/4") == (3, 4)
