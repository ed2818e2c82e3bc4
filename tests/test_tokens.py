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
