"""Command line: problem JSON on stdin, solution JSON on stdout.

Exit codes: 0 solved, 2 invalid input (message on stderr, nothing on
stdout, so a pipeline never mistakes an error for an empty plan).  Whatever
the solver library prints goes to stderr too (see :mod:`.stdio`).
"""

from __future__ import annotations

import argparse
import json
import sys

from .model import ProblemError
from .solver import solve
from .stdio import stdout_to_stderr


def dumps(solution: dict) -> str:
    """Canonical JSON text of a solution (stable key order, UTF-8 kept)."""
    return json.dumps(solution, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m outreach.matching", description=__doc__)
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds for the branch-and-bound stage (default: none, always exact)",
    )
    parser.add_argument(
        "--timing",
        action="store_true",
        help="add wall-clock times to stats (output then differs between runs)",
    )
    args = parser.parse_args(argv)
    text = sys.stdin.read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        print(f"problem: not valid JSON: {exc}", file=sys.stderr)
        return 2
    with stdout_to_stderr() as stdout_fd:
        try:
            solution = solve(data, time_limit=args.time_limit, timing=args.timing)
        except ProblemError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        if stdout_fd is None:  # no stdout to write to: say why instead of failing silently
            print("no standard output to write the solution to", file=sys.stderr)
            return 1
        with open(stdout_fd, "w", encoding="utf-8", closefd=False) as out:
            out.write(dumps(solution))
    return 0
