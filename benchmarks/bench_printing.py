"""Benchmark of the print-outs (not a test: prints a table).

Builds a 6,000-member district on a fresh SQLite database (the real migrations): seven associations,
the demo's campaign month of shifts, and asks or accepted tasks for about a third of the members, of
whom 1,000 have no email address. Then, each in its own forked process so that every row's peak memory
is its own:

- `letters`: `kraftkartan print letters` for the 1,000 members without email (query, fresh links, QR
  codes, layout, PDF), against `plain WeasyPrint` rendering the very same HTML with WeasyPrint's own
  fetcher: the ratio is our overhead;
- `task list`: the ombudsman's list of every shift in the district, likewise against plain WeasyPrint.

Target: letters for 1,000 members in at most 10 s on a 2-core machine. Usage::

    python benchmarks/bench_printing.py                      # 6,000 members, 1,000 letters
    python benchmarks/bench_printing.py --members 1200 --letters 200 --keep
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FIRST = ["Anna", "Åsa", "Björn", "Per", "Märta", "Göran", "Örjan", "Lena", "Karl", "Sofia", "Ali", "Fatima",
         "Jörgen", "Ingrid", "Elsa", "Noah", "Maja", "Hugo", "Saga", "Åke"]
LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
        "Svensson", "Öberg", "Åström", "Lindqvist", "Sjögren", "Hassan", "Nyström", "Bäckström"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed(members: int, letters: int, rng: random.Random) -> None:
    """The district: members, the demo's shifts, and asks (published or accepted) for about a third."""
    import sqlalchemy as sa

    from outreach import demo as task_demo
    from survey import demo
    from survey.extensions import db
    from survey.models import Assignment, AssignmentStatus, Member, Shift

    orgs = demo.ensure_organisations()
    task_demo.seed_tasks(orgs, rng)
    associations = [o for o in orgs.values() if o.kind.value == "association"]
    rows = []
    for i in range(members):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        rows.append(Member(member_number=f"B{i:06d}", first_name=first, last_name=last,
                           phone=f"+4670{i:07d}", email=None if i < letters else f"m{i}@example.se",
                           address=f"Storgatan {i % 90 + 1}", postcode=f"{85230 + i % 700}", city="Sundsvall",
                           association=associations[i % len(associations)]))
    db.session.add_all(rows)
    db.session.flush()
    shifts = db.session.scalars(sa.select(Shift)).all()
    asked = rows[:letters] + rng.sample(rows[letters:], min(len(rows) - letters, members // 4))
    for member in asked:
        for shift in rng.sample(shifts, rng.choice((1, 1, 2))):
            status = rng.choice((AssignmentStatus.ACCEPTED, AssignmentStatus.PUBLISHED))
            db.session.add(Assignment(shift_id=shift.id, member_id=member.id, status=status))
    db.session.commit()


def pdf_pages(data: bytes) -> int | str:
    """The page count by pdfinfo (poppler-utils), if it is installed."""
    import subprocess

    try:
        out = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def _measure(db_url: str, job: str, queue) -> None:
    """In a forked child: one job, timed, with its own peak memory."""
    from weasyprint import HTML

    from outreach.printing import filters, letters, matches, render, service
    from survey import create_app
    from survey.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "bench",
                      "PUBLIC_BASE_URL": "https://kraftkartan.example.se",
                      "PRINT_QR": "png" if job.endswith("(PNG QR)") else "svg"})
    with app.app_context():
        everything = filters.Period(None, None)
        base = peak_mb()
        start, cpu = time.perf_counter(), time.process_time()
        if job.startswith("letters"):
            printed = service.print_letters(None, None, everything)
            db.session.rollback()  # keep the database as it was for the plain run
            pages, rows = pdf_pages(printed.pdf), printed.rows
        elif job == "task list":
            printed = service.print_matches(None, None, everything)
            db.session.rollback()
            pages, rows = pdf_pages(printed.pdf), printed.rows
        else:  # plain WeasyPrint on the same HTML, built (untimed) first
            kind = job.removeprefix("plain ")
            doc = (letters.build(None, None, everything) if kind == "letters"
                   else matches.build(None, None, everything))
            html = render.render_html(f"print/{'letters' if kind == 'letters' else 'matches'}.html",
                                      doc=doc, head=doc.head)
            db.session.rollback()
            base = peak_mb()
            start, cpu = time.perf_counter(), time.process_time()
            pdf = HTML(string=html, base_url=render.STATIC_DIR.as_uri() + "/").write_pdf()
            pages, rows = pdf_pages(pdf), doc.people
        seconds, cpu_s = time.perf_counter() - start, time.process_time() - cpu
    queue.put((job, seconds, cpu_s, rows, pages, base, peak_mb()))


def run(db_url: str, job: str) -> tuple:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_measure, args=(db_url, job, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--members", type=int, default=6000)
    parser.add_argument("--letters", type=int, default=1000, help="members without email (one letter each)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder and print its path.")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kk-bench-print-"))
    os.environ["KRAFTKARTAN_INSTANCE_PATH"] = str(tmp)
    from flask_migrate import upgrade

    from survey import create_app

    db_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        seed(args.members, args.letters, random.Random(args.seed))
        from survey.extensions import db

        db.engine.dispose()  # the children open their own connections

    jobs = ("letters", "plain letters", "letters (PNG QR)", "task list", "plain task list")
    results = {job: run(db_url, job) for job in jobs}
    print(f"district: {args.members} members, {args.letters} without email; {date.today()}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'document':<12}{'people':>7}{'pages':>7}{'ours s':>8}{'cpu s':>7}{'plain s':>9}{'cpu s':>7}"
          f"{'ratio':>7}{'ours MB':>9}{'plain MB':>10}{'target':>9}")
    for label, ours, plain, target in (("letters", "letters", "plain letters", 10.0),
                                       ("letters PNG", "letters (PNG QR)", "plain letters", 10.0),
                                       ("task list", "task list", "plain task list", None)):
        _j, seconds, cpu_s, rows, pages, _b, peak = results[ours]
        _pj, plain_s, plain_cpu, _r, _p, _pb, plain_peak = results[plain]
        verdict = "" if target is None else ("ok" if seconds <= target else f"> {target:.0f} s")
        print(f"{label:<12}{rows:>7}{pages:>7}{seconds:>8.2f}{cpu_s:>7.2f}{plain_s:>9.2f}{plain_cpu:>7.2f}"
              f"{cpu_s / plain_cpu:>7.2f}{peak:>9.0f}{plain_peak:>10.0f}{verdict:>9}")
    print("(ours: query, fresh links, QR codes, template and PDF through the locked fetcher; plain: "
          "weasyprint.HTML(string=the same HTML).write_pdf() with its default fetcher, SVG QR codes; "
          "letters PNG: PRINT_QR=png; s: wall clock, cpu s: that process only (other work on the machine "
          "slows the wall clock, not the cpu time); ratio: ours cpu / plain cpu; MB: peak resident size "
          "of the process that did it)")
    if args.keep:
        print(f"kept: {tmp}")
    else:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
