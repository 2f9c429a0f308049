"""Test infrastructure shared by the test suite.

- :mod:`tests.support.pgcluster` -- a throwaway PostgreSQL cluster started by the tests.
- :mod:`tests.support.liveserver` -- serve a WSGI (Flask) app on 127.0.0.1 in a thread.
- :mod:`tests.support.browser` -- Playwright driving Debian's /usr/bin/chromium.
- :mod:`tests.support.gunicornserver` -- gunicorn with gunicorn.conf.py, SIGKILLed as a whole group.
- :mod:`tests.support.respondent` -- a member answering a survey over plain HTTP, resending when cut off.

Missing infrastructure is a skip on a developer's machine but a failure in CI
(``CI=true``), so that a CI run can never go green by silently skipping.
"""

from __future__ import annotations

import os

__all__ = ["in_ci", "require"]


def in_ci() -> bool:
    """True when running under CI (env ``CI`` set to a truthy value)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def require(problem: str | None) -> None:
    """Stop the current test if ``problem`` is set: fail in CI, skip elsewhere.

    ``problem`` is a human-readable reason such as the one returned by
    :func:`tests.support.browser.browser_available`; ``None`` means all is well.
    Usable in tests and fixtures.
    """
    if problem is None:
        return
    import pytest  # lazy: the support modules are usable without pytest

    if in_ci():
        pytest.fail(f"required test infrastructure missing in CI: {problem}", pytrace=False)
    pytest.skip(problem)
