"""Campaign tasks for `kraftkartan demo`: the last month before the 2030 election in Västernorrland.

Stalls on Saturdays, door-knocking evenings in named neighbourhoods, phoning sessions, members' meetings,
trainings and the district's remote tasks — about 180 shifts between 10 August and 6 September 2030, inside
the default survey's availability weeks so that matching finds people. Sundsvall and Örnsköldsvik, the
biggest associations, get the most. A second run adds only what is missing (tasks are keyed by title and
association, shifts by start time).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import force_locale

from outreach.tasks import services as tasks
from survey.extensions import db
from survey.models import Organisation, Shift, Task, TaskKind

FIRST, LAST = date(2030, 8, 10), date(2030, 9, 6)
SATURDAYS = [FIRST + timedelta(weeks=n) for n in range(4)]  # 10, 17, 24, 31 August
MONDAYS = [date(2030, 8, 12) + timedelta(weeks=n) for n in range(4)]  # weeks 33-36
REMOTE = "På distans"


@dataclass(frozen=True)
class Local:
    size: int  # 3 big, 2 middle, 1 small: how many stalls, evenings and phoning sessions
    stalls: tuple[str, ...]
    neighbourhoods: tuple[str, ...]
    office: str
    station: str | None = None  # morning flyering at the travel centre


LOCALS: dict[str, Local] = {
    "sundsvall": Local(3, ("Stora torget, Sundsvall", "Birsta City"),
                       ("Nacksta", "Skönsberg", "Granloholm", "Haga", "Bosvedjan"),
                       "Partilokalen, Storgatan 24, Sundsvall", "Sundsvalls resecentrum"),
    "ornskoldsvik": Local(3, ("Torget, Örnsköldsvik", "Gullänget centrum"),
                          ("Gene", "Själevad", "Gullänget", "Husum", "Bjästa"),
                          "Partilokalen, Nygatan 18, Örnsköldsvik", "Örnsköldsviks resecentrum"),
    "harnosand": Local(2, ("Nybrogatan, Härnösand",), ("Bondsjöhöjden", "Saltvik", "Öbacka"),
                       "Folkets hus, Härnösand"),
    "timra": Local(1, ("Timrå centrum",), ("Vivsta", "Sörberge"), "Folkets hus, Timrå"),
    "kramfors": Local(1, ("Torget, Kramfors",), ("Gudmundrå", "Bollstabruk"), "ABF-lokalen, Kramfors"),
    "solleftea": Local(1, ("Storgatan, Sollefteå",), ("Hågesta", "Österåsen"), "Folkets hus, Sollefteå"),
    "ange": Local(1, ("Torget, Ånge",), ("Ånge centrum", "Fränsta"), "Ånge bibliotek, studierummet"),
}
TOPICS = ("climate", "healthcare", "housing", "union", "rural", "feminism", "antiracism")


@dataclass
class Plan:
    title: str
    kind: TaskKind
    slug: str | None  # None: district-wide or remote
    place: str | None
    times: list[tuple[datetime, datetime, int]]
    required: tuple[str, ...] = ()
    preferred: tuple[str, ...] = ()
    topic: str | None = None
    priority: int = 1
    notes: str | None = None


def _at(day: date, start: str, end: str) -> tuple[datetime, datetime]:
    return (datetime.combine(day, time.fromisoformat(start)), datetime.combine(day, time.fromisoformat(end)))


def plans(rng: random.Random) -> list[Plan]:
    """The whole month as plain data; `rng` only varies how many people each shift needs."""
    result = []
    for slug, local in LOCALS.items():
        result += _local_plans(slug, local, rng)
    return result + _district_plans(rng)


def _local_plans(slug: str, local: Local, rng: random.Random) -> list[Plan]:
    big = local.size == 3
    saturdays = SATURDAYS if local.size > 1 else SATURDAYS[1:]
    out = []
    for place in local.stalls:
        times = [(*_at(d, a, b), rng.randint(2, 4 if big else 3)) for d in saturdays
                 for a, b in (("10:00", "12:00"), ("12:00", "14:00"))]
        out.append(Plan(f"Bokbord på {place.split(',')[0]}", TaskKind.STALL, slug, place, times,
                        preferred=("stalls", "flyering"), topic=rng.choice(TOPICS), priority=2,
                        notes="Tält, bord och material hämtas i partilokalen kl 9.30."))
    evenings = [m + timedelta(days=d) for m in MONDAYS for d in (1, 3)]  # Tuesdays and Thursdays
    for i, hood in enumerate(local.neighbourhoods):
        days = [evenings[(2 * i + k * 3) % len(evenings)] for k in range(2)]
        times = [(*_at(d, "17:30", "20:00"), rng.randint(4, 6) if big else rng.randint(2, 4)) for d in days]
        out.append(Plan(f"Dörrknackning i {hood}", TaskKind.CANVASSING, slug,
                        f"{hood} (samling vid busshållplatsen)", times, preferred=("canvassing",),
                        topic=rng.choice(("housing", "healthcare")), priority=3 if i < 2 else 2,
                        notes="Vi går två och två. Ta med bekväma skor."))
    per_week = {3: (0, 2), 2: (0,), 1: (2,)}[local.size]  # Mondays and Wednesdays
    weeks = MONDAYS if local.size > 1 else MONDAYS[1::2]
    out.append(Plan("Ringkväll", TaskKind.PHONING, slug, local.office,
                    [(*_at(m + timedelta(days=d), "18:00", "20:00"), rng.randint(3, 6))
                     for m in weeks for d in per_week],
                    preferred=("phoning",), priority=2,
                    notes="Vi ringer medlemmar som inte svarat på enkäten. Manus och fika finns."))
    out.append(Plan("Medlemsmöte: valplanen", TaskKind.EVENT, slug, local.office,
                    [(*_at(MONDAYS[0] + timedelta(days=1), "18:30", "20:30"), 2)],
                    preferred=("event_planning", "cooking"),
                    notes="Vi behöver två som fixar fika och tar emot."))
    if big:
        out.append(Plan("Dörrknackarutbildning", TaskKind.TRAINING, slug, local.office,
                        [(*_at(MONDAYS[0] + timedelta(days=2), "18:00", "20:30"), 15)],
                        preferred=("canvassing",),
                        notes="För dig som vill knacka dörr men inte har gjort det förut."))
        out.append(Plan(f"Flygblad vid {local.station}", TaskKind.FLYERING, slug, local.station,
                        [(*_at(m + timedelta(days=3), "07:00", "08:30"), 3) for m in MONDAYS],
                        preferred=("flyering",), topic="climate"))
        out.append(Plan("Valupptakt med riksdagskandidaterna", TaskKind.EVENT, slug, local.stalls[0],
                        [(*_at(SATURDAYS[0], "15:00", "17:00"), 6)],
                        preferred=("event_planning", "photo_video"), priority=3))
    elif local.size == 1:
        hood = local.neighbourhoods[-1]
        out.append(Plan(f"Flygblad i brevlådor, {hood}", TaskKind.FLYERING, slug, hood,
                        [(*_at(SATURDAYS[2] + timedelta(days=1), "13:00", "16:00"), 3)],
                        preferred=("flyering",), topic="rural"))
    if slug in ("solleftea", "ange"):
        out.append(Plan("Skjuts till bokbordet", TaskKind.DRIVING, slug, local.office,
                        [(*_at(d, "09:00", "14:30"), 1) for d in saturdays[:2]], required=("driving",),
                        notes="Från byarna till torget och hem igen. Milersättning enligt reglerna."))
    return out


def _district_plans(rng: random.Random) -> list[Plan]:
    weekdays = [m + timedelta(days=d) for m in MONDAYS for d in (0, 2, 4)]
    return [
        Plan("Sociala medier: dagens inlägg", TaskKind.SOCIAL_MEDIA, None, REMOTE,
             [(*_at(d, "19:00", "20:00"), 1) for d in weekdays], required=("social_media",),
             preferred=("photo_video", "writing"), priority=2,
             notes="Ett inlägg om dagens aktiviteter i länet."),
        Plan("Poddavsnitt: Vården i Västernorrland", TaskKind.PODCAST, None, REMOTE,
             [(*_at(date(2030, 8, 14), "18:00", "19:30"), 3), (*_at(date(2030, 8, 21), "18:00", "20:00"), 3)],
             required=("podcast",), preferred=("writing",), topic="healthcare"),
        Plan("Insändare om klimatet", TaskKind.ARTICLE, None, REMOTE,
             [(*_at(date(2030, 8, 18), "10:00", "12:00"), 3), (*_at(date(2030, 9, 1), "10:00", "12:00"), 3)],
             required=("writing",), topic="climate", notes="Till Sundsvalls Tidning, Allehanda och ÖA."),
        Plan("Insändare om vården", TaskKind.ARTICLE, None, REMOTE,
             [(*_at(date(2030, 8, 25), "10:00", "12:00"), rng.randint(2, 4))], required=("writing",),
             topic="healthcare"),
        Plan("Grafisk form: delbilder till valrörelsen", TaskKind.OTHER, None, REMOTE,
             [(*_at(date(2030, 8, 12), "18:00", "21:00"), 2), (*_at(date(2030, 8, 26), "18:00", "21:00"), 2)],
             required=("graphic_design",), preferred=("social_media",)),
        Plan("Översättning av valmaterial", TaskKind.OTHER, None, REMOTE,
             [(*_at(date(2030, 8, 13), "18:00", "20:00"), 4)], required=("translation",), topic="antiracism",
             notes="Finska, arabiska och somaliska."),
        Plan("Utbildning: sociala medier i valrörelsen", TaskKind.TRAINING, None, "Digitalt möte",
             [(*_at(date(2030, 8, 11), "18:00", "19:30"), 25)], preferred=("social_media",)),
    ]


def seed_tasks(orgs: dict[str, Organisation], rng: random.Random) -> int:
    """Add the demo month's tasks and shifts that are missing; returns how many shifts were added."""
    # Outside a request the app's locale selector has no request to read: say which language we mean.
    with force_locale("sv"):
        return _seed(orgs, rng)


def _seed(orgs: dict[str, Organisation], rng: random.Random) -> int:
    added = 0
    for plan in plans(rng):
        org = orgs.get(plan.slug) if plan.slug else None
        if plan.slug and org is None:
            continue
        association_id = org.id if org else None
        same_association = (Task.association_id.is_(None) if association_id is None
                            else Task.association_id == association_id)
        task = db.session.scalar(sa.select(Task).where(Task.title == plan.title, same_association))
        shifts = [tasks.ShiftInput(start, end, slots) for start, end, slots in plan.times]
        if task is None:
            tasks.save_task(tasks.TaskInput(
                plan.title, plan.kind, association_id, plan.place, list(plan.required), list(plan.preferred),
                plan.topic, plan.priority, plan.notes, shifts))
            added += len(shifts)
            continue
        have = {s.start_local for s in task.shifts}
        missing = [Shift(start_local=s.start, end_local=s.end, slots=s.slots)
                   for s in shifts if s.start not in have]
        task.shifts.extend(missing)
        added += len(missing)
    db.session.flush()
    return added
