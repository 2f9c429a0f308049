"""Every route × every role: who may reach what, and that nothing of another association leaks.

EVERY endpoint in the app's url_map must have a line in POLICY; `test_every_route_is_in_the_policy` fails
naming any that is missing (or stale), so a new route cannot skip this matrix.

Adding a route is one line in POLICY:

    "blueprint.endpoint": Route(URL, EXPECT),                         # GET routes are requested with GET
    "blueprint.thing": Route(lambda s: f"/admin/things/{s.task['sundsvall']}", SUNDSVALLS),
    "blueprint.do": Route("/admin/do", STAFF, data={"field": "value"}),  # POST-only routes are POSTed

- URL is a string, or a function of the seeded world `s` (see `Seed`) for URLs with ids, slugs or
  tokens. Point object URLs at Sundsvall's object: the Sundsvall organizer then checks "own association"
  and the Timrå organizer "another association" (the matrix expects 404 there: no confirming it exists).
- EXPECT is five outcomes, one per role in ROLES order: "ok" (200, or a redirect anywhere but the login
  page), "login" (redirected to log in), or a status code ("403", "404", "400"). The common rows have
  names: PUBLIC, SIGNED_IN, STAFF, ADMIN, SUNDSVALLS.
- `token=True` for addresses that are themselves the key (personal survey links, calendar feeds,
  unsubscribe links): whoever holds one may see what it is for, so the leak check is skipped there.
- `fresh=True` for a route that ends or changes the session (logout): that case logs in anew.

Besides the status, every response an organizer gets is searched for the other association's members
(names, numbers, e-mail addresses, tasks) and for open-link answers that belong to no association;
callers and anonymous visitors must see none of them.

Runs on SQLite only, on one seeded database for the whole module, so that the whole matrix stays fast.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from survey import spec as surveyspec
from survey.accounts import services as accounts
from survey.core import job_files
from survey.demo.answers import answer_survey
from survey.extensions import db
from survey.invitations import services as invitations
from survey.models import (
    Assignment,
    AssignmentStatus,
    CallTarget,
    Job,
    Member,
    MemberImport,
    NetworkMembership,
    Organisation,
    OrganisationKind,
    RegistryCorrection,
    RegistryMatch,
    Role,
    Shift,
    Task,
    TaskKind,
    utcnow,
)
from survey.respond import links
from survey.spec import services as surveys
from tests.conftest import DEFAULT_SURVEY, PASSWORD, _make_app

ROLES = ("anonymous", "caller", "org_timra", "org_sundsvall", "admin")
# Rows that many routes share, in ROLES order.
PUBLIC = "ok ok ok ok ok"
SIGNED_IN = "login ok ok ok ok"
STAFF = "login 403 ok ok ok"
ADMIN = "login 403 403 403 ok"
SUNDSVALLS = "login 403 404 ok ok"  # an object of Sundsvall's: Timrå's organizer must not learn it exists
CALLERS_OF_SUNDSVALL = "login 404 404 ok ok"  # a call list: its callers and those who manage it
HOLDER = "login 404 404 ok 404"  # a call target: only the one holding it (Sundsvall's organizer) sees it


@dataclass
class Seed:
    """What the URLs are built from: ids, slugs and tokens, by association ("sundsvall", "timra")."""

    survey: str = ""
    section: str = ""
    org: dict[str, str] = field(default_factory=dict)  # association -> slug
    org_id: dict[str, int] = field(default_factory=dict)
    member_import: int = 0
    correction: int = 0  # a pending registry correction for Sundsvall's member
    job: int = 0  # a job Sundsvall's organizer started
    letters_job: int = 0  # a letters job of Sundsvall's organizer, its PDF in the instance folder
    network: str = ""  # a network's slug; both associations' members are on its list
    review: int = 0  # an open-link answer whose one candidate (by name) is Sundsvall's member
    member: dict[str, int] = field(default_factory=dict)
    traveller: int = 0  # a Sundsvall member booked on Timrå's shift
    task: dict[str, int] = field(default_factory=dict)
    shift: dict[str, int] = field(default_factory=dict)  # the task's one shift
    token: dict[str, str] = field(default_factory=dict)  # personal survey links; "open": an open-link one
    unsubscribe: dict[str, str] = field(default_factory=dict)  # association -> /u/... path
    ics: dict[str, str] = field(default_factory=dict)  # "sundsvall", "district", "member" -> /ics/... path
    users: dict[str, int] = field(default_factory=dict)  # role -> user id; "victim": an account to change
    emails: dict[str, str] = field(default_factory=dict)
    # Call lists: "sundsvall" (its one target held by Sundsvall's organizer), "timra" (the caller's list);
    # "target", "ask", "call", "welcome" (a one-time password link).
    calls: dict[str, object] = field(default_factory=dict)
    # What must not reach the other association's organizer ("district": no organizer at all).
    markers: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    url: str | Callable[[Seed], str]
    expect: str
    data: dict | Callable[[Seed], dict] | None = None
    token: bool = False
    fresh: bool = False

    def outcomes(self) -> tuple[str, ...]:
        parts = tuple(self.expect.split())
        assert len(parts) == len(ROLES), f"{self.expect!r}: one outcome per role in {ROLES}"
        return parts


POLICY: dict[str, Route | tuple[Route, ...]] = {
    "static": Route("/static/kk.css", PUBLIC),
    "home.index": Route("/", PUBLIC),
    # -- members' side: the address is the key ----------------------------------------------------------
    "respond.open_link": Route(lambda s: f"/o/{s.survey}", PUBLIC),
    "respond.start": Route(lambda s: f"/s/{s.token['sundsvall']}", PUBLIC, token=True),
    "respond.page": Route(lambda s: f"/s/{s.token['sundsvall']}/p/{s.section}", PUBLIC, token=True),
    "respond.review": Route(lambda s: f"/s/{s.token['sundsvall']}/review", PUBLIC, token=True),
    "respond.saved": Route(lambda s: f"/s/{s.token['sundsvall']}/saved", PUBLIC, token=True),
    "respond.thanks": Route(lambda s: f"/s/{s.token['sundsvall']}/thanks", PUBLIC, token=True),
    "respond.signature": Route(lambda s: f"/s/{s.token['open']}/signature", PUBLIC, token=True),
    "respond.submit": Route(lambda s: f"/s/{s.token['sundsvall']}/submit", PUBLIC, token=True),
    "invitations.unsubscribe": Route(lambda s: s.unsubscribe["sundsvall"], PUBLIC, token=True),
    "ics.association": Route(lambda s: s.ics["sundsvall"], PUBLIC, token=True),
    "ics.district": Route(lambda s: s.ics["district"], PUBLIC, token=True),
    "ics.member": Route(lambda s: s.ics["member"], PUBLIC, token=True),
    # -- logging in and out, one's own account ------------------------------------------------------
    "admin.login": Route("/admin/login", PUBLIC),
    "admin.login_totp": Route("/admin/login/totp", PUBLIC),  # without a pending login: back to the form
    "admin.logout": Route("/admin/logout", SIGNED_IN, fresh=True),
    "admin.index": Route("/admin/", SIGNED_IN),  # callers: "no call lists yet"
    "today.index": Route("/admin/today", SIGNED_IN),  # callers are sent on to their call lists
    "accounts.me": Route("/admin/accounts/me", SIGNED_IN),
    "accounts.change_password": Route("/admin/accounts/me/password", SIGNED_IN),  # no data: form errors
    "accounts.totp_setup": Route("/admin/accounts/me/totp", SIGNED_IN),
    "accounts.totp_disable": Route("/admin/accounts/me/totp/disable", SIGNED_IN),
    # -- accounts of others: admins only ------------------------------------------------------------
    "accounts.index": Route("/admin/accounts/", ADMIN),
    "accounts.new": Route("/admin/accounts/new", ADMIN),
    "accounts.user": Route(lambda s: f"/admin/accounts/{s.users['victim']}", ADMIN),
    "accounts.reset_password": Route(lambda s: f"/admin/accounts/{s.users['victim']}/password", ADMIN),
    "accounts.toggle_active": Route(lambda s: f"/admin/accounts/{s.users['victim']}/active", ADMIN),
    "accounts.disable_user_totp": Route(lambda s: f"/admin/accounts/{s.users['victim']}/totp/disable", ADMIN),
    # -- surveys: scoped to the organizer's associations on the server ------------------------------
    "admin.survey": Route(lambda s: f"/admin/surveys/{s.survey}", STAFF),
    "admin.export": Route(lambda s: f"/admin/surveys/{s.survey}/export.csv", STAFF),
    "overview.index": Route("/admin/overview/", STAFF),
    "overview.district": Route("/admin/overview/district", ADMIN),
    "overview.association": Route(lambda s: f"/admin/overview/{s.org['sundsvall']}", SUNDSVALLS),
    "overview.export": Route(lambda s: f"/admin/overview/{s.org['sundsvall']}/export.csv", SUNDSVALLS,
                             data=lambda s: {"survey": s.survey}),
    # -- invitations and member lists ---------------------------------------------------------------
    "invitations.index": Route("/admin/invitations", STAFF),
    "invitations.plan": Route("/admin/invitations/plan", STAFF),  # no data: form errors, nothing sent
    "invitations.send": Route("/admin/invitations/send", SUNDSVALLS, data=lambda s: _round(s)),
    "invitations.retry": Route("/admin/invitations/retry", SUNDSVALLS, data=lambda s: _round(s)),
    "invitations.sms_csv": Route("/admin/invitations/sms.csv", SUNDSVALLS,
                                 data=lambda s: {"survey": s.survey, "association": s.org["sundsvall"]}),
    "invitations.not_answered": Route(
        lambda s: f"/admin/invitations/not-answered?survey={s.survey}&association={s.org['sundsvall']}",
        SUNDSVALLS),
    "invitations.not_answered_csv": Route("/admin/invitations/not-answered.csv", SUNDSVALLS,
                                          data=lambda s: {"survey": s.survey,
                                                          "association": s.org["sundsvall"]}),
    "invitations.qr": Route(lambda s: f"/admin/invitations/qr/{s.survey}", STAFF),
    "invitations.qr_png": Route(lambda s: f"/admin/invitations/qr/{s.survey}.png", STAFF),
    "invitations.qr_svg": Route(lambda s: f"/admin/invitations/qr/{s.survey}.svg", STAFF),
    # -- the member registry ------------------------------------------------------------------------
    "members.index": (Route("/admin/members", STAFF),
                      Route(lambda s: f"/admin/members?association={s.org_id['sundsvall']}", SUNDSVALLS)),
    "members.detail": Route(lambda s: f"/admin/members/{s.member['sundsvall']}", SUNDSVALLS),
    "members.duplicates_page": Route("/admin/members/duplicates", STAFF),
    # Keeping Sundsvall's member and merging nobody: 404 for Timrå, 400 (nothing to merge) for the rest.
    "members.merge": Route("/admin/members/duplicates/merge", "login 403 404 400 400",
                           data=lambda s: {"keep": s.member["sundsvall"]}),
    # The open-link review page: Sundsvall's item (its candidate is Sundsvall's member); the district's
    # stray answer (no candidate, no postcode) is the admins' alone, and the leak check looks for it.
    "review.index": Route("/admin/review", STAFF),
    "review.link": Route(lambda s: f"/admin/review/{s.review}/link", SUNDSVALLS,
                         data=lambda s: {"member": s.member["sundsvall"]}),
    "review.anonymous": Route(lambda s: f"/admin/review/{s.review}/anonymous", SUNDSVALLS),
    # No association chosen: refused with a message (a redirect), nothing is created.
    "review.create": Route(lambda s: f"/admin/review/{s.review}/new", ADMIN, data={}),
    "members.import_page": Route("/admin/members/import", ADMIN),
    "corrections.index": Route("/admin/members/corrections", STAFF),
    "jobs.index": Route("/admin/jobs", STAFF),
    "jobs.show": Route(lambda s: f"/admin/jobs/{s.job}", SUNDSVALLS),  # the starter and admins only
    "corrections.decide": Route(lambda s: f"/admin/members/corrections/{s.correction}", SUNDSVALLS,
                                data={"action": "reject"}),
    "members.import_report": Route(lambda s: f"/admin/members/imports/{s.member_import}/report.csv", ADMIN),
    # -- the networks: district-wide lists, each organizer sees their own members on them -----------
    "networks.index": Route("/admin/networks", STAFF),
    "networks.show": (Route(lambda s: f"/admin/networks/{s.network}", STAFF),
                      Route(lambda s: f"/admin/networks/{s.network}?association={s.org_id['sundsvall']}",
                            SUNDSVALLS),
                      Route("/admin/networks/nope", "login 403 404 404 404")),
    "networks.export": (Route(lambda s: f"/admin/networks/{s.network}/export.csv", STAFF),
                        Route(lambda s: f"/admin/networks/{s.network}/export.xlsx", SUNDSVALLS,
                              data=lambda s: {"association": s.org_id["sundsvall"]})),
    # -- members' rights and the audit log ----------------------------------------------------------
    "privacy.export_member": Route(lambda s: f"/admin/privacy/members/{s.member['sundsvall']}/export",
                                   SUNDSVALLS),
    "privacy.erase_member": Route(lambda s: f"/admin/privacy/members/{s.member['sundsvall']}/erase", ADMIN),
    "privacy.audit_log": Route("/admin/privacy/audit", ADMIN),
    "privacy.audit_csv": Route("/admin/privacy/audit.csv", ADMIN),
    # -- campaign tasks -----------------------------------------------------------------------------
    "tasks.index": Route("/admin/tasks/", STAFF),
    "tasks.week": Route("/admin/tasks/week?start=2030-08-19", STAFF),
    "tasks.new": Route("/admin/tasks/new", STAFF),
    "tasks.import_csv": Route("/admin/tasks/import", STAFF),
    "tasks.show": Route(lambda s: f"/admin/tasks/{s.task['sundsvall']}", SUNDSVALLS),
    "tasks.edit": Route(lambda s: f"/admin/tasks/{s.task['sundsvall']}/edit", SUNDSVALLS),
    "tasks.delete": Route(lambda s: f"/admin/tasks/{s.task['sundsvall']}/delete", SUNDSVALLS),
    # -- matching members to shifts: organizers only their association's scope and shifts ------------
    "match.index": (Route("/admin/match", STAFF),
                     Route(lambda s: f"/admin/match?association={s.org_id['sundsvall']}", SUNDSVALLS)),
    "match.run": Route("/admin/match/run", SUNDSVALLS, data=lambda s: {"association": s.org_id["sundsvall"]}),
    "match.rule": Route("/admin/match/rule", SUNDSVALLS,
                        data=lambda s: {"shift": s.shift["sundsvall"], "member": s.member["sundsvall"],
                                        "kind": "clear"}),
    "match.publish": Route("/admin/match/publish", SUNDSVALLS,
                           data=lambda s: {"association": s.org_id["sundsvall"]}),
    "match.send": Route("/admin/match/send", SUNDSVALLS,
                        data=lambda s: {"association": s.org_id["sundsvall"]}),
    "match.sms_csv": Route("/admin/match/sms.csv", SUNDSVALLS,
                           data=lambda s: {"association": s.org_id["sundsvall"]}),
    "match.replacements": Route(lambda s: f"/admin/match/shifts/{s.shift['sundsvall']}/replacements",
                                SUNDSVALLS),
    # Offering to a member who cannot take it: a redirect back with a message, after the scope check.
    "match.offer": Route(lambda s: f"/admin/match/shifts/{s.shift['sundsvall']}/offer", SUNDSVALLS,
                         data=lambda s: {"member": s.member["sundsvall"]}),
    "match.adopt": Route(lambda s: f"/admin/match/members/{s.member['sundsvall']}/association", ADMIN,
                         data=lambda s: {"association": s.org_id["sundsvall"]}),
    # -- print-outs: the same scoping as the pages their buttons sit on ------------------------------
    # PDFs are compressed, so the leak check below cannot read them: tests/outreach/printing reads
    # them back with pdftotext and checks that Timrå's organizer never gets Sundsvall's members.
    "printing.matches": (
        Route("/admin/print/matches.pdf?week=all", STAFF),
        Route(lambda s: f"/admin/print/matches.pdf?week=all&association={s.org['sundsvall']}", SUNDSVALLS)),
    "printing.rosters_pdf": Route(
        lambda s: f"/admin/print/rosters.pdf?week=all&association={s.org_id['sundsvall']}", SUNDSVALLS),
    "printing.roster": Route(lambda s: f"/admin/print/shifts/{s.shift['sundsvall']}/roster.pdf", SUNDSVALLS),
    "printing.attendance": Route(lambda s: f"/admin/print/shifts/{s.shift['sundsvall']}/attendance",
                                 SUNDSVALLS),
    # Letters give asks fresh links: a week without shifts keeps the task link above valid.
    "printing.letters": (Route("/admin/print/letters.pdf", SUNDSVALLS,
                               data=lambda s: {"member": s.member["sundsvall"], "week": "2031-01-06"}),
                         Route("/admin/print/letters.pdf", SUNDSVALLS,
                               data=lambda s: {"association": s.org["sundsvall"], "week": "2031-01-06"})),
    "printing.letters_file": Route(lambda s: f"/admin/print/letters/{s.letters_job}.pdf", SUNDSVALLS),
    "printing.summary": (Route("/admin/print/summary.pdf?scope=district", ADMIN),
                         Route(lambda s: f"/admin/print/summary.pdf?scope={s.org['sundsvall']}", SUNDSVALLS)),
    "printing.survey_pdf": Route(lambda s: f"/admin/surveys/{s.survey}/export.pdf", STAFF),
    # -- a member's task link: the address is the key ----------------------------------------------
    "member_tasks.show": Route(lambda s: f"/t/{s.token['task']}", PUBLIC, token=True),
    "member_tasks.respond": Route(lambda s: f"/t/{s.token['task']}", PUBLIC, token=True,
                                  data={"answer": "accept"}),
    "member_tasks.cancel": Route(lambda s: f"/t/{s.token['task']}/cancel", PUBLIC, token=True),
    # -- call lists: callers reach only their lists and the target they hold ---------------------------
    "calllists.mine": Route("/calls/", SIGNED_IN),
    "calllists.call": Route(lambda s: f"/calls/{s.calls['sundsvall']}", CALLERS_OF_SUNDSVALL),
    "calllists.next_person": Route(lambda s: f"/calls/{s.calls['sundsvall']}/next", CALLERS_OF_SUNDSVALL),
    "calllists.target": Route(lambda s: _held(s), HOLDER),
    "calllists.outcome": Route(lambda s: _held(s), "login 404 404 400 404"),  # no outcome given: 400
    "calllists.ask": Route(lambda s: f"{_held(s)}/asks/{s.calls['ask']}", "login 404 404 400 404"),
    "calllists.survey_start": Route(lambda s: f"{_held(s)}/survey", HOLDER),
    "calllists.survey_page": Route(lambda s: f"{_held(s)}/survey/p/{s.section}", HOLDER),
    "calllists.survey_review": Route(lambda s: f"{_held(s)}/survey/review", HOLDER),
    "calllists.survey_submit": Route(lambda s: f"{_held(s)}/survey/submit", HOLDER),
    "calllists.welcome": Route(lambda s: f"/calls/welcome/{s.calls['welcome']}", PUBLIC, token=True),
    "calllists_admin.index": Route("/admin/calls/", STAFF),
    "calllists_admin.new": Route("/admin/calls/new", STAFF),
    "calllists_admin.show": Route(lambda s: f"/admin/calls/{s.calls['sundsvall']}", SUNDSVALLS),
    "calllists_admin.edit": Route(lambda s: f"/admin/calls/{s.calls['sundsvall']}/edit", SUNDSVALLS),
    "calllists_admin.callers": Route(lambda s: f"/admin/calls/{s.calls['sundsvall']}/callers", SUNDSVALLS),
    "calllists_admin.new_caller": Route(lambda s: f"/admin/calls/{s.calls['sundsvall']}/callers/new",
                                        SUNDSVALLS),
    "calllists_admin.flags": Route(lambda s: f"/admin/calls/{s.calls['sundsvall']}/flags", SUNDSVALLS),
    "calllists_admin.resolve": Route(lambda s: f"/admin/calls/{s.calls['sundsvall']}/flags/{s.calls['call']}",
                                     SUNDSVALLS),
    "calllists_admin.paper_results": Route(lambda s: f"/admin/calls/{s.calls['sundsvall']}/paper",
                                           SUNDSVALLS),
    "calllists_admin.export": Route(lambda s: f"/admin/calls/{s.calls['sundsvall']}/export.csv", SUNDSVALLS),
}


def _held(s: Seed) -> str:
    return f"/calls/{s.calls['sundsvall']}/t/{s.calls['target']}"


def _round(s: Seed) -> dict:
    return {"survey": s.survey, "kind": "invitation", "round": "matris", "association": s.org["sundsvall"]}


# -- the seeded world ------------------------------------------------------------------------------

def _seed() -> Seed:
    s = Seed()
    orgs = {}
    for key, name in (("sundsvall", "Sundsvall"), ("timra", "Timrå")):
        orgs[key] = Organisation(slug=key, name=name, kind=OrganisationKind.ASSOCIATION)
        db.session.add(orgs[key])
        db.session.flush()
        s.org[key], s.org_id[key] = key, orgs[key].id
    spec = surveyspec.load_spec(DEFAULT_SURVEY.read_text(encoding="utf-8"), "default.yaml")
    survey, _what = surveys.import_spec(spec)
    s.survey, s.section = survey.slug, survey.sections[0].key
    people = {"sundsvall": ("Sigrid", "Sundsvallsdotter", "SUN-7001", "Torgmöte i Stenstan"),
              "timra": ("Tova", "Timråsson", "TIM-8001", "Affischering i Vivsta")}
    rng = random.Random(5)
    for key, (first, last, number, task_title) in people.items():
        member = Member(member_number=number, first_name=first, last_name=last, association=orgs[key],
                        email=f"{first.lower()}@{key}.example")
        db.session.add(member)
        db.session.flush()
        answer_survey(survey, member, rng, utcnow())
        s.member[key] = member.id
        s.token[key] = links.issue_link(survey, member)
        s.unsubscribe[key] = urlsplit(invitations.unsubscribe_url("", member)).path
        task = Task(title=task_title, kind=list(TaskKind)[0], association_id=orgs[key].id)
        start = datetime(2030, 8, 20, 17, 0)
        task.shifts = [Shift(start_local=start, end_local=start + timedelta(hours=2), slots=2)]
        db.session.add(task)
        db.session.flush()
        s.task[key] = task.id
        s.shift[key] = task.shifts[0].id
        s.markers[key] = [f"{first} {last}", last, number, f"{first.lower()}@{key}.example", task_title]
    network = Organisation(slug="natverk-klimat", name="Klimatnätverket", kind=OrganisationKind.NETWORK)
    db.session.add(network)
    db.session.flush()
    s.network = network.slug
    db.session.add_all(NetworkMembership(member_id=s.member[key], organisation_id=network.id)
                       for key in people)
    stray = answer_survey(survey, None, rng, utcnow())  # open link, tied to no member
    stray.registry_match, stray.signed_name = RegistryMatch.UNMATCHED, "Olle Öppenlänk"
    s.markers["district"] = ["Olle Öppenlänk"]
    named = answer_survey(survey, None, rng, utcnow())
    named.registry_match, named.signed_name = RegistryMatch.AMBIGUOUS, "Sigrid Sundsvallsdotter"
    db.session.flush()
    s.review = named.id
    s.token["open"] = links.issue_link(survey, None)
    # A published ask for Sundsvall's member on Sundsvall's shift: the member's task link.
    from outreach.match import services as assign

    asked = Assignment(shift_id=s.shift["sundsvall"], member_id=s.member["sundsvall"])
    db.session.add(asked)
    s.token["task"] = assign.issue_token(asked)
    correction = RegistryCorrection(member_id=s.member["sundsvall"], field="phone", old_value=None,
                                    new_value="+46705551234")
    db.session.add(correction)
    record = MemberImport(filename="register.csv", rows=2, report_csv="row,problem\n")
    db.session.add(record)
    db.session.flush()
    s.member_import = record.id
    s.correction = correction.id

    from outreach.tasks import ics

    s.ics = {"sundsvall": f"/ics/association/{ics.token('association', orgs['sundsvall'].id)}.ics",
             "district": f"/ics/district/{ics.token('district', ics.DISTRICT)}.ics",
             "member": urlsplit(ics.member_feed_url(db.session.get(Member, s.member["sundsvall"]))).path}
    roles = {"caller": (Role.CALLER, []), "org_timra": (Role.ORGANIZER, [orgs["timra"]]),
             "org_sundsvall": (Role.ORGANIZER, [orgs["sundsvall"]]), "admin": (Role.ADMIN, []),
             "victim": (Role.CALLER, [])}
    for role, (kind, associations) in roles.items():
        user, _pw = accounts.create_user(f"{role}@matrix.example", kind, associations, PASSWORD)
        s.users[role], s.emails[role] = user.id, user.email
    _seed_call_lists(s, survey, orgs, asked)
    started = Job(kind="invitations.send", title="Utskick Sundsvall", started_by_id=s.users["org_sundsvall"],
                  params={}, status="done")
    db.session.add(started)
    db.session.flush()
    s.job = started.id
    letters = Job(kind="printing.letters", title="Brev Sundsvall", started_by_id=s.users["org_sundsvall"],
                  status="done", params={"association": s.org_id["sundsvall"],
                                         "file": job_files.write(b"%PDF-1.4 matrix", ".pdf")})
    db.session.add(letters)
    db.session.flush()
    s.letters_job = letters.id
    # A Sundsvall volunteer booked on Timrå's shift (last, so the call lists above do not hold him):
    # Timrå's organizer must be able to reach him, and learns nothing else of him
    # (test_a_task_organizer_sees_who_is_booked_and_nothing_more).
    traveller = Member(member_number="SUN-7002", first_name="Sune", last_name="Resare", phone="+46701112233",
                       association=orgs["sundsvall"])
    db.session.add(traveller)
    db.session.flush()
    db.session.add(Assignment(shift_id=s.shift["timra"], member_id=traveller.id,
                              status=AssignmentStatus.ACCEPTED))
    s.traveller = traveller.id
    db.session.commit()
    return s


def _seed_call_lists(s: Seed, survey, orgs, asked) -> None:
    """A Sundsvall list whose one target Sundsvall's organizer holds, and a Timrå list for the caller."""
    from outreach.calllists import caller_accounts, queue, services
    from survey.models import Call, User

    now = utcnow()
    caller, holder = db.session.get(User, s.users["caller"]), db.session.get(User, s.users["org_sundsvall"])
    for key in ("sundsvall", "timra"):
        data = services.ListInput(title=f"Ringlista {key}", associations=[orgs[key]], survey_id=survey.id)
        s.calls[key] = services.save_list(data, None, now).id
    timra_list = db.session.get(services.CallList, s.calls["timra"])
    services.add_caller(timra_list, caller)
    sundsvall_list = db.session.get(services.CallList, s.calls["sundsvall"])
    target = queue.next_target(sundsvall_list, holder, now) or db.session.scalar(
        sa.select(CallTarget).where(CallTarget.call_list_id == sundsvall_list.id))
    target.allocated_to_id, target.allocated_at = holder.id, now + timedelta(days=1)  # held all module long
    s.calls["target"], s.calls["ask"] = target.id, asked.id
    call = Call(call_list_id=sundsvall_list.id, target_id=target.id, member_id=target.member_id,
                caller_id=holder.id, outcome="reached", needs_action=True, action_message="Ring upp igen")
    db.session.add(call)
    db.session.flush()
    s.calls["call"] = call.id
    _user, s.calls["welcome"] = caller_accounts.create_caller("new-caller@matrix.example", timra_list, None,
                                                              now)


@dataclass
class World:
    app: object
    seed: Seed
    clients: dict[str, object]

    def client(self, role: str, fresh: bool = False):
        """The role's logged-in client; `fresh`: a new one, for a case that ends or changes the session."""
        if not fresh:
            return self.clients[role]
        client = self.app.test_client()
        if role != "anonymous":
            _log_in(client, self.seed.emails[role])
        return client


def _log_in(client, email: str) -> None:
    response = client.post("/admin/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.text


@pytest.fixture(scope="module")
def world(sqlite_template, instance_dir, tmp_path_factory):
    path = tmp_path_factory.mktemp("matrix") / "matrix.sqlite3"
    shutil.copyfile(sqlite_template, path)
    app = _make_app(f"sqlite:///{path}")
    with app.app_context():
        seed = _seed()
    world = World(app, seed, {role: app.test_client() for role in ROLES})
    for role in ROLES[1:]:
        _log_in(world.clients[role], seed.emails[role])
    yield world
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# -- the tests -------------------------------------------------------------------------------------

def test_every_route_is_in_the_policy(world):
    endpoints = {rule.endpoint for rule in world.app.url_map.iter_rules()}
    missing = sorted(endpoints - set(POLICY))
    assert not missing, f"routes without a line in POLICY (tests/test_access_matrix.py): {missing}"
    stale = sorted(set(POLICY) - endpoints)
    assert not stale, f"POLICY lines for routes that no longer exist: {stale}"


def test_every_route_that_needs_a_login_is_under_admin(world):
    """The admins' two-factor gate (`survey.core.access.require_admin_totp`) guards every path under /admin; a
    signed-in route elsewhere would slip past it."""
    from survey.core import access

    outside = sorted(rule.rule for rule in world.app.url_map.iter_rules()
                     if not rule.rule.startswith(tuple(p + "/" for p in access.STAFF_PREFIXES))
                     and any(case.outcomes()[0] == "login" for case in _cases(rule.endpoint)))
    assert not outside, f"routes that need a login outside {access.STAFF_PREFIXES}: {outside}"


def _outcome(response) -> str:
    if response.status_code in (301, 302, 303, 307, 308):
        target = urlsplit(response.location)
        # Flask-Login's "please log in" carries ?next=; a plain redirect to the form (after logging out,
        # or from the second login step without a first) is a normal answer.
        return "login" if target.path == "/admin/login" and "next=" in target.query else "ok"
    return "ok" if response.status_code == 200 else str(response.status_code)


def _forbidden_markers(seed: Seed, role: str) -> list[str]:
    if role == "admin":
        return []
    if role == "org_timra":
        return seed.markers["sundsvall"] + seed.markers["district"]
    if role == "org_sundsvall":
        return seed.markers["timra"] + seed.markers["district"]
    return [m for markers in seed.markers.values() for m in markers]


def _cases(endpoint: str) -> tuple[Route, ...]:
    entry = POLICY[endpoint]
    return entry if isinstance(entry, tuple) else (entry,)


def _request(world: World, route: Route, role: str, method: str) -> tuple[str, int, str, bytes]:
    """(outcome, status, redirect target, body) of one request, the response closed again."""
    url = route.url(world.seed) if callable(route.url) else route.url
    data = route.data(world.seed) if callable(route.data) else route.data
    response = world.client(role, fresh=route.fresh).open(url, method=method, data=data)
    try:
        return _outcome(response), response.status_code, response.location or "", response.get_data()
    finally:
        response.close()


@pytest.mark.parametrize("endpoint", sorted(POLICY))
def test_route(world, endpoint):
    rules = [rule for rule in world.app.url_map.iter_rules() if rule.endpoint == endpoint]
    if not rules:
        pytest.fail(f"{endpoint} is in POLICY but not in the app")
    method = "GET" if "GET" in rules[0].methods else "POST"
    problems = []
    for route in _cases(endpoint):
        url = route.url(world.seed) if callable(route.url) else route.url
        for role, expected in zip(ROLES, route.outcomes(), strict=True):
            got, status, location, body = _request(world, route, role, method)
            if got != expected:
                where = f" -> {location}" if location else ""
                problems.append(f"{method} {url} as {role}: expected {expected}, got {got} ({status}{where})")
            forbidden = [] if route.token else _forbidden_markers(world.seed, role)
            leaked = [m for m in forbidden if m.encode() in body]
            if leaked:
                problems.append(f"{method} {url} as {role}: the response shows {leaked}")
    assert not problems, "\n".join(problems)


def test_the_markers_are_really_there_for_those_allowed(world):
    """Guards the leak check: it must search responses that do contain member data for the right role."""
    s = world.seed
    export = world.clients["org_sundsvall"].post(f"/admin/surveys/{s.survey}/export.csv").get_data()
    missing = [m for m in s.markers["sundsvall"][:4] if m.encode() not in export]
    assert not missing, export.decode()
    admin_export = world.clients["admin"].post(f"/admin/surveys/{s.survey}/export.csv").get_data()
    missing = [m for m in s.markers["district"] if m.encode() not in admin_export]
    assert not missing, admin_export.decode()
    network = world.clients["org_sundsvall"].post(f"/admin/networks/{s.network}/export.csv").get_data()
    missing = [m for m in s.markers["sundsvall"][1:4] if m.encode() not in network]  # the name is split
    assert not missing, network.decode()
    task = world.clients["org_sundsvall"].get(f"/admin/tasks/{s.task['sundsvall']}").get_data()
    assert s.markers["sundsvall"][-1].encode() in task
    # The shared sessions are still logged in (no case ended them), so 403s and 404s are real refusals.
    for role in ROLES[1:]:
        assert world.clients[role].get("/admin/accounts/me").status_code == 200, role


@pytest.mark.parametrize("role", ["org_timra", "org_sundsvall"])
def test_guessing_ids_answers_404_for_everything_not_ones_own(world, role):
    """Walk ids around the seeded ones: another association's member or task answers exactly like an id
    that does not exist (404), so ids cannot be used to probe what exists."""
    own = "timra" if role == "org_timra" else "sundsvall"
    seed, client = world.seed, world.clients[role]
    mine = {seed.member[own]} | ({seed.traveller} if own == "sundsvall" else set())
    for member_id in range(1, max(*seed.member.values(), seed.traveller) + 3):
        status = client.post(f"/admin/privacy/members/{member_id}/export").status_code
        assert status == (200 if member_id in mine else 404), member_id
    for task_id in range(1, max(seed.task.values()) + 3):
        status = client.get(f"/admin/tasks/{task_id}").status_code
        assert status == (200 if task_id == seed.task[own] else 404), task_id


def test_a_task_organizer_sees_who_is_booked_and_nothing_more(world):
    """Issue 11: the organizer of a task reaches everyone asked to it, travelling members of another
    association too (name and phone: `access.can_see_contact`), but nothing else of them: the member's
    page and export still answer 404, and the association's other members never appear."""
    s, client = world.seed, world.clients["org_timra"]
    page = client.get(f"/admin/tasks/{s.task['timra']}").text
    assert "Sune Resare" in page and "070-111 22 33" in page
    assert client.get(f"/admin/members/{s.traveller}").status_code == 404
    assert client.post(f"/admin/privacy/members/{s.traveller}/export").status_code == 404
    for url in (f"/admin/tasks/{s.task['timra']}", "/admin/match", "/admin/tasks/week?start=2030-08-20"):
        body = client.get(url).text
        assert not [m for m in s.markers["sundsvall"] if m in body], url  # Sigrid is on no Timrå task
    # Sundsvall's organizer sees their own member anyway, and Timrå's task not at all.
    assert client.get(f"/admin/tasks/{s.task['sundsvall']}").status_code == 404
    assert world.clients["org_sundsvall"].get(f"/admin/tasks/{s.task['timra']}").status_code == 404
