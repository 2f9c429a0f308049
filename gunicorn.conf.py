"""gunicorn settings for Kraftkartan: `gunicorn -c gunicorn.conf.py` from the project root.

Every value can be overridden by environment variables (KRAFTKARTAN_BIND, KRAFTKARTAN_WORKERS,
KRAFTKARTAN_THREADS, KRAFTKARTAN_TIMEOUT) or by gunicorn's own command-line flags. See
docs/production.md for how many workers for how many members, and the reverse proxy in front.
"""

import gc
import multiprocessing
import os

wsgi_app = "survey.wsgi:app"
bind = os.environ.get("KRAFTKARTAN_BIND", "127.0.0.1:8000")
# Sync workers: every request is short (big sends run in batches with a deadline, or from the CLI);
# 2 per core plus one is gunicorn's advice.
workers = int(os.environ.get("KRAFTKARTAN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("KRAFTKARTAN_THREADS", "1"))
timeout = int(os.environ.get("KRAFTKARTAN_TIMEOUT", "30"))
graceful_timeout = 20
# Build the app once in the master, then fork: faster start, shared memory for what never changes.
preload_app = True
# No gunicorn access log: its request lines would carry bearer tokens (survey links, calendar feeds) that
# the app's own redacting logs (survey/core/logs.py) never show.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("KRAFTKARTAN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def pre_fork(server, worker):
    """Garbage collection tuned for a web worker (issue 12; measured in benchmarks/bench_web.py).

    Freeze what the preloaded app allocated before the workers fork: the collector never walks those
    objects again (its full passes were pauses of tens of milliseconds, a tail of slow requests), and the
    pages it would have touched stay shared between workers. A request allocates thousands of objects (ORM
    rows, form fields, template output) that die with it; the default threshold (700) ran a collection
    several times per request, 20,000 runs one every few requests. On the skills page under 50 clients:
    POST 309 -> 606 requests/s, p99 201 -> 94 ms; GET 0.11x -> 0.14x of the hello ceiling.
    """
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
