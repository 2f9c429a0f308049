"""Exact member-to-task matching for campaign planning.

A pure module (no web framework, no database): the web app and the CLI
(``python -m outreach.matching < problem.json > solution.json``) call the
same functions on plain JSON-like data.  The contract is in
``docs/matching.md``.
"""

from .explain import eligible_pairs, explain, pair_score, rank_replacements
from .model import ProblemError
from .solver import solve
from .stdio import stdout_to_stderr
from .validate import parse_problem

__all__ = [
    "ProblemError",
    "eligible_pairs",
    "explain",
    "pair_score",
    "parse_problem",
    "rank_replacements",
    "solve",
    "stdout_to_stderr",
]
