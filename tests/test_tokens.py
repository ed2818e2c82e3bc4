from hypothesis import given
from hypothesis import strategies as st

from memgym.tokens import count_tokens, truncate_to_tokens


def test_counts_words_and_punctuation():
    assert count_tokens("") == 0
    assert count_tokens("hello world") == 2
    assert count_tokens("a, b.") == 4
    # a 20-character word counts one token per started 8 characters
    assert count_tokens("x" * 20) == 3


@given(st.text(max_size=300), st.integers(min_value=0, max_value=60))
def test_truncation_is_a_prefix_within_budget(text, budget):
    cut = truncate_to_tokens(text, budget)
    assert text.startswith(cut)
    assert count_tokens(cut) <= budget
    if count_tokens(text) <= budget:
        assert cut == text


@given(st.lists(st.text(max_size=40), max_size=8))
def test_a_text_counts_the_sum_of_its_lines_fresh_or_remembered(lines):
    from memgym import tokens

    text = "\n".join(lines)
    tokens.clear_memo()
    plain = len(tokens._PIECE.findall(text)) + sum(
        (len(w) - 1) // 8 for w in tokens._LONG_WORD.findall(text)
    )
    assert count_tokens(text) == plain  # counted line by line, nothing remembered yet
    assert count_tokens(text) == plain  # remembered
    assert sum(count_tokens(line) for line in lines) == plain


def test_the_memo_stays_within_its_entry_and_character_budgets():
    from memgym import tokens

    tokens.clear_memo()
    for i in range(3 * tokens.MEMO_SIZE):
        count_tokens(f"line {i} " + "x" * (i % 300))
        assert len(tokens._MEMO) <= tokens.MEMO_SIZE
        assert sum(map(len, tokens._MEMO)) <= tokens.MEMO_BUDGET_CHARS
    assert tokens._MEMO  # it does remember


def _regex_count(text: str) -> int:
    """The counter's definition, written out: word runs and other non-space characters are
    pieces, a word adds one token per started 8 characters after its first 8."""
    import re

    pieces = re.findall(r"\w+|[^\w\s]", text)
    return len(pieces) + sum((len(p) - 1) // 8 for p in pieces if len(p) > 8)


ASCII_TEXT = st.text(alphabet=st.characters(max_codepoint=127), max_size=200)
WORDY_TEXT = st.lists(
    st.sampled_from(["a", "_", "Z9", "x" * 8, "y" * 9, "w" * 17, " ", "\n", ".", ",", "\x1c", "é"]),
    max_size=40,
).map("".join)


@given(st.one_of(ASCII_TEXT, WORDY_TEXT, st.text(max_size=100)))
def test_the_fast_ascii_count_matches_the_definition(text):
    from memgym import tokens

    assert tokens._count(text) == _regex_count(text)


@given(st.lists(st.one_of(ASCII_TEXT, WORDY_TEXT), max_size=6))
def test_total_tokens_is_the_sum_of_the_counts(texts):
    from memgym.tokens import total_tokens

    assert total_tokens(texts) == sum(count_tokens(t) for t in texts)
