"""Benchmark of `members import` on a large, messy registry file (not a test: prints a table).

Generates a semicolon-separated Windows-1252 CSV like a Swedish Excel export (mixed phone formats, postcodes
with and without space, ~1 % bad rows, association missing on most rows so the postcode table is used),
imports it into a fresh SQLite database built with the real migrations, then imports it again (the
"nothing changed" path). Prints rows, seconds for a plain `pandas.read_csv` of the same file, seconds
for each import, the ratio import/read_csv and the peak memory of the process. Target: <= 15 s for
100,000 rows on a 2-core machine. Usage::

    python benchmarks/bench_import.py                 # 100,000 rows
    python benchmarks/bench_import.py --rows 20000 --keep
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ASSOCIATIONS = [
    ("sundsvall", "Sundsvall", ("852", "853", "854", "856", "857")),
    ("timra", "Timrå", ("861",)),
    ("ange", "Ånge", ("841",)),
    ("harnosand", "Härnösand", ("871",)),
    ("kramfors", "Kramfors", ("872", "873")),
    ("solleftea", "Sollefteå", ("881",)),
    ("ornskoldsvik", "Örnsköldsvik", ("891", "892", "893", "894")),
]
FIRST = [
    "Anna",
    "Åsa",
    "Björn",
    "Per",
    "Märta",
    "Göran",
    "Örjan",
    "Lena",
    "Karl",
    "Sofia",
    "Ali",
    "Fatima",
    "Jörgen",
    "Ingrid",
    "Elsa",
    "Noah",
    "Maja",
    "Hugo",
    "Saga",
    "Åke",
]
LAST = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Öberg",
    "Åström",
    "Lindqvist",
    "Sjögren",
    "Hassan",
    "Nyström",
    "Holmgren",
    "Bäckström",
]
ASCII = str.maketrans("åäöé", "aaoe")
HEADER = [
    "Medlemsnr",
    "Förnamn",
    "Efternamn",
    "Mobil",
    "E-post",
    "Gatuadress",
    "Postnr",
    "Ort",
    "Förening",
    "Medlem sedan",
    "Födelseår",
    "Anteckning",
]


def _phone(rng: random.Random, i: int) -> str:
    digits = f"{rng.choice('0236')}{i % 10_000_000:07d}"
    form = rng.randrange(7)
    if form == 0:
        return f"07{digits[0]}-{digits[1:4]} {digits[4:6]} {digits[6:]}"
    if form == 1:
        return f"+46 7{digits[0]} {digits[1:4]} {digits[4:6]} {digits[6:]}"
    if form == 2:
        return f"00467{digits}"
    if form == 3:
        return f"07{digits}"
    if form == 4:
        return f"060-{digits[1:3]} {digits[3:5]} {digits[5:7]}"  # Sundsvall landline
    if form == 5:
        return ""
    return f"+467{digits}"


def generate(path: Path, rows: int, seed: int = 1) -> None:
    """A registry export of `rows` members; about 1 % of rows carry one problem each."""
    rng = random.Random(seed)
    today = date.today()
    lines = [";".join(HEADER)]
    for i in range(rows):
        slug, name, prefixes = rng.choice(ASSOCIATIONS)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        postcode = f"{rng.choice(prefixes)}{rng.randrange(100):02d}"
        postcode = f"{postcode[:3]} {postcode[3:]}" if rng.random() < 0.5 else postcode
        joined = today - timedelta(days=rng.randrange(1, 40 * 365))
        joined_text = joined.strftime("%Y-%m-%d") if rng.random() < 0.7 else joined.strftime("%Y%m%d")
        email = f"{first}.{last}{i}@exempel.se".lower()
        if rng.random() < 0.97:  # most people write their address without å, ä, ö
            email = email.translate(ASCII)
        row = [
            str(100_000 + i),
            first,
            last,
            _phone(rng, i),
            email,
            f"Storgatan {rng.randrange(1, 99)}",
            postcode,
            name,
            name if rng.random() < 0.3 else "",
            joined_text,
            str(rng.randrange(1940, 2008)),
            '=HYPERLINK("x")' if i % 1000 == 0 else "",
        ]
        if rng.random() < 0.01:  # one kind of problem
            kind = rng.randrange(5)
            if kind == 0:
                row[3] = "070-12"
            elif kind == 1:
                row[4] = "ingen.adress"
            elif kind == 2:
                row[2] = ""
            elif kind == 3:
                row[6] = "8523"
            else:
                row[0] = str(100_000 + max(0, i - 1))  # duplicate number
        lines.append(";".join(row))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder and print its path.")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kk-bench-import-"))
    os.environ["KRAFTKARTAN_INSTANCE_PATH"] = str(tmp)
    import pandas as pd
    from flask_migrate import upgrade

    from survey import create_app
    from survey.extensions import db
    from survey.models import Organisation, OrganisationKind
    from survey.registry.services import import_registry

    csv_path = tmp / "medlemmar.csv"
    generate(csv_path, args.rows, args.seed)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}", "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        for slug, name, _p in ASSOCIATIONS:
            db.session.add(Organisation(slug=slug, name=name, kind=OrganisationKind.ASSOCIATION))
        db.session.commit()
        base_mb = peak_mb()

        start = time.perf_counter()
        pd.read_csv(csv_path, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
        read_s = time.perf_counter() - start

        timings = []
        for label in ("first import", "same file again"):
            start, cpu = time.perf_counter(), time.process_time()
            result = import_registry(csv_path.read_bytes(), csv_path.name)
            db.session.commit()
            timings.append((label, time.perf_counter() - start, time.process_time() - cpu, peak_mb(), result))
            db.session.remove()

    print(f"file: {csv_path.stat().st_size / 1e6:.1f} MB, {args.rows} rows, Windows-1252, ';'; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'run':<16}{'rows':>7}{'read_csv s':>11}{'import s':>9}{'cpu s':>7}{'ratio':>7}{'peak MB':>8}"
          f"{'created':>8}{'updated':>8}{'unchanged':>10}{'skipped':>8}")
    for label, seconds, cpu_s, peak, r in timings:
        print(f"{label:<16}{r.rows:>7}{read_s:>11.2f}{seconds:>9.2f}{cpu_s:>7.2f}{seconds / read_s:>7.1f}"
              f"{peak:>8.0f}{r.created:>8}{r.updated:>8}{r.unchanged:>10}{r.skipped:>8}")
    print(f"(import s: wall clock incl. commit; cpu s: this process only; ratio: import s / read_csv s; "
          f"peak MB: maximum resident size so far, {base_mb:.0f} MB before the file was read)")
    if args.keep:
        print(f"kept: {tmp}")
    else:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
