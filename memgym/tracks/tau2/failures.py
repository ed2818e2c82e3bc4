"""Why a τ²-bench task failed, from its answer record (``reward R: detail``): one kind each."""

from __future__ import annotations

KINDS = (
    "solved", "infra_error", "evaluator_error", "out_of_turns", "customer_failed",
    "wrong_state", "missing_action", "not_communicated", "other",
)  # fmt: skip
"""``wrong_state``: the database or the phone is not as the gold leaves it (``DB 0`` or
``ENV_ASSERTION 0``); ``missing_action``: a required call was never made (``ACTION 0``);
``not_communicated``: required information never said (``COMMUNICATE 0``); ``out_of_turns``: the
agent used its turns without ending the call; ``customer_failed``: the simulated customer broke."""


def failure_kind(answer: str, status: str = "ok", correct: bool = False) -> str:
    """The kind of one task's result (``solved`` when it was)."""
    if correct:
        return "solved"
    if status == "infra_error":
        return "infra_error"
    detail = answer.split(": ", 1)[1] if ": " in answer else ""
    if detail.startswith("evaluator error"):
        return "evaluator_error"
    if detail.startswith("max_steps"):
        return "out_of_turns"
    if detail.startswith("user_error"):
        return "customer_failed"
    if "DB 0" in detail or "ENV_ASSERTION 0" in detail:
        return "wrong_state"
    if "ACTION 0" in detail:
        return "missing_action"
    if "COMMUNICATE 0" in detail:
        return "not_communicated"
    return "other"
