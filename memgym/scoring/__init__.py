"""Scoring: is an answer right (validators), and what an episode's answers are worth (axes)."""

from memgym.scoring.abstention import is_abstention
from memgym.scoring.axes import ACCURACY_AXES, WEIGHTS, Scores, aggregate, score_answers
from memgym.scoring.validators import VALIDATORS, is_correct, within_tolerance

__all__ = [
    "ACCURACY_AXES",
    "VALIDATORS",
    "WEIGHTS",
    "Scores",
    "aggregate",
    "is_abstention",
    "is_correct",
    "score_answers",
    "within_tolerance",
]
