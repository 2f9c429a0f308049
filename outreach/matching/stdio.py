"""Keep a solver library's chatter off standard output.

``python -m outreach.matching > solution.json`` promises JSON and nothing else on stdout, but HiGHS prints
a banner on file descriptor 1 from C++ the moment ``highspy.Highs()`` is constructed, before its
``output_flag`` can be turned off. ``contextlib.redirect_stdout`` only swaps Python's ``sys.stdout`` and
never sees it. So for the whole solve descriptor 1 itself points at stderr, where chatter belongs, and the
real stdout is kept on a duplicate for the one thing meant for it: the solution.

The switch is process-wide (descriptors are shared by all threads). In a threaded web server two solves
can overlap, so the first one in switches, the last one out switches back, and what other threads print
meanwhile lands on stderr instead of being lost.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

_lock = threading.Lock()
_depth = 0
_saved: int | None = None


def _flush() -> None:
    """Flush Python's and C's buffers, so what was written so far goes where fd 1 points now."""
    if sys.stdout is not None:
        sys.stdout.flush()
    # A library writing through C stdio keeps its bytes in a buffer that would outlive the switch. Where
    # there is no C library to ask (not POSIX), Python's flush has to do.
    with suppress(OSError, AttributeError, TypeError):
        ctypes.CDLL(None).fflush(None)


@contextmanager
def stdout_to_stderr() -> Iterator[int | None]:
    """While inside, anything written to fd 1 goes to stderr; yields a descriptor of the real stdout.

    The descriptor belongs to this context manager (do not close it) and is valid only inside. It is None
    when the process has no stdout or stderr to switch (a daemon with closed descriptors): then nothing is
    switched, since there is no terminal or pipe a banner could corrupt.
    """
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _flush()
            try:
                saved = os.dup(1)
            except OSError:
                saved = None
            if saved is not None:
                try:
                    os.dup2(2, 1)
                except OSError:
                    os.close(saved)
                    saved = None
            _saved = saved
        _depth += 1
        saved = _saved
    try:
        yield saved
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                _flush()
                os.dup2(_saved, 1)
                os.close(_saved)
                _saved = None
