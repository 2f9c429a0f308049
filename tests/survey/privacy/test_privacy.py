"""Privacy by design: consent, a member's data export, erasure, purging old answers and the audit log."""

from __future__ import annotations

import io
import json
import random
from datetime import datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa
from flask import render_template

from survey.core import audit, security
from survey.demo.answers import answer_survey
from survey.extensions import db
from survey.models import (
    Answer,
    Assignment,
    AuditEvent,
    MatchRule,
    MatchRun,
    Member,
    MemberImport,
    NetworkMembership,
    Organisation,
    OrganisationKind,
    OutgoingMessage,
    Profile,
    RegistryMatch,
    RuleKind,
    Shift,
    Submission,
    SubmissionStatus,
    SurveyLink,
    Task,
    TaskKind,
    utcnow,
)
from survey.privacy import services as privacy
from survey.respond import links, signatures
from survey.respond import services as responses

PERSON = {"first_name": "Zlatana", "last_name": "Quxberg", "phone": "+46701239876",
          "email": "zlatana.q@example.se", "address": "Kvistgatan 7", "member_number": "KK77123"}
# Everything that identifies her, including the phone number as the survey prefills it.
NEEDLES = [*PERSON.values(), "070-123 98 76"]


def occurrences(needles: list[str]) -> set[tuple[str, str]]:
    """(table, column) pairs whose text (or JSON text) contains any needle: generic over the whole schema."""
    found = set()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, (sa.String, sa.JSON)):
                continue
            hit = sa.or_(*(sa.cast(column, sa.Text).contains(n, autoescape=True) for n in needles))
            if db.session.scalar(sa.select(sa.func.count()).select_from(table).where(hit)):
                found.add((table.name, column.name))
    return found


@pytest.fixture
def zlatana(app, load_survey, make_member):
    """A member with a trace in every table that can hold one. Returns (member, tokens, survey)."""
    survey = load_survey()
    member = make_member(**PERSON)
    network = Organisation(slug="klimat", name="Klimatnätverket", kind=OrganisationKind.NETWORK)
    db.session.add_all([network, NetworkMembership(member=member, organisation=network)])
    personal = links.issue_link(survey, member)
    links.issue_link(survey, member)
    sheet = answer_survey(survey, member, random.Random(3), utcnow())
    chosen = {"skills": {"skill:canvassing": 2}, "availability": ["2030-08-05:weekday_evenings"]}
    responses.save_answers(sheet, survey.questions(), {**responses.answers_by_key(sheet), **chosen})
    responses.submit(sheet, utcnow(), consent=True)
    note = next(q for q in survey.questions() if q.key == "anything_else")
    sheet.answers.append(Answer(question=note, value="Ring Zlatana Quxberg på 070-123 98 76"))
    # The same person also answered through the open link and was matched by phone.
    open_token = links.issue_link(survey, None)
    opened = responses.submission_for(links.resolve(open_token))
    signatures.sign(opened, "Zlatana Q", "070-123 98 76", None)
    responses.save_answers(opened, survey.questions(), {"first_name": "Zlatana", "consent": True})
    responses.submit(opened, utcnow(), consent=True)
    signatures.match_registry(opened)
    # A sheet signed with her phone before she was in the registry: unmatched, waiting for review.
    stray = Submission(survey=survey, respondent_key="l:9999", registry_match=RegistryMatch.UNMATCHED,
                       needs_review=True, signed_name="Z.", signed_phone=PERSON["phone"])
    later = load_survey(slug="host-2031")
    draft = responses.submission_for(links.resolve(links.issue_link(later, member)))
    responses.save_answers(draft, later.questions(), {"first_name": "Zlatana"})
    task = Task(title="Bokbord på torget", kind=TaskKind.STALL, place="Stora torget")
    shift = Shift(task=task, start_local=datetime(2030, 8, 10, 10), end_local=datetime(2030, 8, 10, 14))
    db.session.add_all([stray, task, shift, Assignment(shift=shift, member=member, token_hash="f" * 64)])
    db.session.flush()
    db.session.add_all([MatchRule(shift_id=shift.id, member_id=member.id, kind=RuleKind.PIN),
                        OutgoingMessage(survey_id=survey.id, member_id=member.id, kind="invitation",
                                        round="1", error=f"rejected {PERSON['email']}"),
                        MemberImport(filename="reg.csv", report_csv=f"row,member_number,problem\n"
                                     f"7,{PERSON['member_number']},no phone\n8,KK1,bad postcode\n")])
    db.session.commit()
    return member, personal, open_token, survey


# -- consent and the privacy notice -------------------------------------------------------------------

def test_the_notice_is_shown_and_consent_is_stored_with_the_survey_version(client, personal_link):
    survey, _member, token = personal_link()
    start = client.get(f"/s/{token}").text
    assert "Så hanterar vi dina uppgifter" in start and "Vi sparar dina svar i den här enkäten" in start
    consent_page = client.get(f"/s/{token}/p/anything_else").text
    assert "står i informationen om personuppgifter i början av enkäten" in consent_page  # the consent help
    client.post(f"/s/{token}/p/contact", data={"contact_method": "contact:sms"})
    client.post(f"/s/{token}/p/anything_else", data={"consent": "y"})
    assert client.post(f"/s/{token}/submit").location.endswith("/thanks")
    db.session.expire_all()
    sub = db.session.scalars(sa.select(Submission)).one()
    assert sub.consent_at is not None and sub.survey_version == survey.version == 1


# -- export ---------------------------------------------------------------------------------------------

def test_export_holds_everything_about_the_member_and_no_secrets(zlatana, make_user):
    member, _personal, _open, survey = zlatana
    data = privacy.export_member(member, make_user("admin"), utcnow())
    text = json.dumps(data, ensure_ascii=False)
    assert data["member"]["first_name"] == "Zlatana" and data["member"]["association"] == "Sundsvall"
    assert data["networks"][0]["network"] == "Klimatnätverket"
    assert [s["survey"] for s in data["submissions"]] == ["valkampanj-2030", "valkampanj-2030", "host-2031"]
    first = data["submissions"][0]
    assert first["survey_version"] == 1 and first["status"] == "submitted" and first["consent_at"]
    note = next(a for a in first["answers"] if a["question"] == "anything_else")
    assert note["label"]["sv"].startswith("Är det något mer") and note["label"]["en"].startswith("Is there")
    profile = db.session.scalar(sa.select(Profile).where(Profile.member_id == member.id))
    assert first["profile"]["skills"] == [{"skill": s.skill, "level": s.level} for s in profile.skills] != []
    assert len(first["profile"]["availability"]) == len(profile.intervals)
    assert {"interests", "networks", "max_tasks", "travels", "hours_per_week"} <= set(first["profile"])
    assert data["submissions"][1]["registry_match"] == "matched"
    assert data["submissions"][2]["status"] == "draft"
    assert data["survey_links"]["count"] == 3 and len(data["survey_links"]["created_at"]) == 3
    assert data["messages"][0]["kind"] == "invitation"
    assert data["task_assignments"][0]["task"] == "Bokbord på torget"
    assert data["match_rules"][0]["kind"] == "pin"
    assert "token_hash" not in text and "f" * 64 not in text
    assert not any(link.token_hash in text for link in db.session.scalars(sa.select(SurveyLink)))
    event = db.session.scalars(sa.select(AuditEvent)).one()
    assert (event.action, event.target) == ("export", f"member:{member.id}")


def test_cli_export_prints_utf8_json(runner, make_member):
    make_member(first_name="Åsa", last_name="Öberg", member_number="M-1")
    result = runner.invoke(args=["privacy", "export", "M-1"])
    assert result.exit_code == 0, result.output
    assert "Åsa" in result.stdout_bytes.decode("utf-8")  # not \u00c5sa
    assert json.loads(result.stdout_bytes)["member"]["last_name"] == "Öberg"
    assert runner.invoke(args=["privacy", "export", "nobody"]).exit_code != 0


def test_export_route_is_scoped_and_audited(client, login_as, make_member):
    mine, theirs = make_member(association="Sundsvall"), make_member(association="Timrå")
    user = login_as("organizer", "Sundsvall")
    r = client.post(f"/admin/privacy/members/{mine.id}/export")
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.headers["Content-Disposition"] == f"attachment; filename=medlem-{mine.member_number}.json"
    assert r.json["member"]["member_number"] == mine.member_number
    assert client.post(f"/admin/privacy/members/{theirs.id}/export").status_code == 404
    assert client.post("/admin/privacy/members/99999/export").status_code == 404
    assert client.get(f"/admin/privacy/members/{mine.id}/export").status_code == 405
    events = db.session.scalars(sa.select(AuditEvent)).all()
    assert [(e.user_id, e.action, e.target) for e in events] == [(user.id, "export", f"member:{mine.id}")]


def test_callers_cannot_export(client, login_as, make_member):
    member = make_member()
    login_as("caller")
    assert client.post(f"/admin/privacy/members/{member.id}/export").status_code == 403


# -- erasure --------------------------------------------------------------------------------------------

def test_erasure_leaves_no_trace_but_keeps_anonymous_statistics(zlatana, client):
    member, personal, open_token, survey = zlatana
    before = occurrences(NEEDLES)
    tables = {"members", "answers", "submissions", "outgoing_messages", "member_imports"}
    assert tables <= {t for t, _c in before}  # the search does find her while she is there
    counts = privacy.erase_member(member, None)
    db.session.commit()
    db.session.expire_all()

    assert occurrences(NEEDLES) == set()
    assert client.get(f"/s/{personal}").status_code == 404
    assert client.get(f"/s/{open_token}").status_code == 404
    for model in (Member, NetworkMembership, Assignment, MatchRule, OutgoingMessage):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
    kept = db.session.scalars(sa.select(Submission).where(
        Submission.survey_id == survey.id, Submission.status == SubmissionStatus.SUBMITTED)).all()
    anonymized = [s for s in kept if s.respondent_key.startswith("erased:")]
    assert len(anonymized) == 2 and counts["submissions_anonymized"] == 2 and counts["drafts_deleted"] == 1
    for sub in anonymized:
        assert sub.member_id is None and sub.registry_match is RegistryMatch.ANONYMOUS
        assert not sub.needs_review
        assert sub.signed_name is sub.signed_phone is sub.signed_email is None
        keys = {a.question.key for a in sub.answers}
        assert "consent" in keys and not keys & {"first_name", "phone", "email", "anything_else"}
    assert any(a.question.key == "skills" for s in anonymized for a in s.answers)  # statistics survive
    profiles = db.session.scalars(sa.select(Profile)).all()
    assert len(profiles) == 2 and all(p.member_id is None for p in profiles)
    assert db.session.scalar(sa.select(MemberImport.report_csv)).endswith("8,KK1,bad postcode\n")
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "erase")).one()
    assert event.target == f"member:{member.id}" and event.detail["submissions_anonymized"] == 2


# Her phone number as people write it; the scan below also compares the digits of every value.
PHONE_FORMATS = ["+46701239876", "070-123 98 76", "0701239876", "070 123 98 76", "+46 70 123 98 76",
                 "0046701239876", "070-1239876"]
DISTINCT = ["Zlatana", "Quxberg", PERSON["email"], PERSON["address"], PERSON["member_number"], *PHONE_FORMATS]


def scan(needles: list[str] = DISTINCT, digits: str = "701239876") -> set[tuple[str, str]]:
    """(table, column) for every value anywhere in the database whose text holds a needle (any case), or
    whose digits hold hers: every table, every column, every row, whatever its type, read back as Python."""
    found = set()
    folded = [n.casefold() for n in needles]
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).mappings():
            for column, value in row.items():
                text = str(value).casefold()
                if any(n in text for n in folded) or digits in "".join(c for c in text if c.isdigit()):
                    found.add((table.name, column))
    return found


@pytest.fixture
def more_traces(zlatana, make_member):
    """Copies of her details that no foreign key leads to: other people's sheets, notes, logs."""
    member, _personal, _open, survey = zlatana
    bertil = make_member("Bertil", "Ek", phone="+46701112233", email="bertil@example.se")
    questions = {q.key: q for q in survey.questions()}
    # Her partner answered through the open link with the shared phone and her email: ambiguous.
    shared = Submission(survey=survey, respondent_key="l:9998", registry_match=RegistryMatch.AMBIGUOUS,
                        needs_review=True, status=SubmissionStatus.SUBMITTED, signed_name="Bertil Ek",
                        signed_phone=PERSON["phone"], signed_email=PERSON["email"])
    shared.answers = [Answer(question=questions["first_name"], value="Zlatana"),
                      Answer(question=questions["email"], value=PERSON["email"].upper()),
                      Answer(question=questions["phone"], value="070 123 98 76"),
                      Answer(question=questions["anything_else"], value="Vi delar telefon."),
                      Answer(question=questions["consent"], value=True)]
    # Someone else names her in free text, and an old sheet was signed with her name only.
    sheet = answer_survey(survey, bertil, random.Random(5), utcnow())
    sheet.answers.append(Answer(question=questions["anything_else"],
                                value="Fråga quxberg, zlatana (+46 70 123 98 76), hon bor på Kvistgatan 7."))
    named = Submission(survey=survey, respondent_key="l:9997", registry_match=RegistryMatch.UNMATCHED,
                       needs_review=True, signed_name="Zlatana Quxberg")
    task = Task(title="Dörrknackning med Zlatana Quxberg", kind=TaskKind.CANVASSING,
                notes="Nyckeln: ring 0701239876 eller mejla zlatana.q@example.se")
    shift = Shift(task=task, start_local=datetime(2030, 8, 11, 10), end_local=datetime(2030, 8, 11, 12))
    db.session.add_all([shared, named, task, shift])
    db.session.flush()
    db.session.add_all([
        OutgoingMessage(survey_id=survey.id, member_id=bertil.id, kind="invitation", round="1",
                        error=f"550 forwarded to {PERSON['email']} refused"),
        AuditEvent(action="import", target="members", detail={"file": "Zlatana Quxberg 0701239876.csv",
                                                              "rows": 1}),
        MatchRun(stats={"dropped_pins": [{"shift": shift.id, "member": member.id, "why": "busy"},
                                         {"shift": shift.id, "member": bertil.id, "why": "busy"}]}),
    ])
    db.session.commit()
    return member, bertil, shared, sheet


def test_erasure_leaves_her_nowhere_in_the_database(more_traces):
    member, bertil, shared, sheet = more_traces
    before = scan()
    assert {t for t, _c in before} >= {"members", "answers", "submissions", "outgoing_messages",
                                       "member_imports", "tasks", "audit_events"}
    counts = privacy.erase_member(member, None)
    db.session.commit()
    db.session.expire_all()

    assert scan() == set()
    assert counts["answers_scrubbed"] == 4 and counts["signatures_cleared"] >= 3
    # What belongs to others stays: his signature, his own answers, the rest of his sentence.
    shared = db.session.get(Submission, shared.id)
    assert shared.signed_name == "Bertil Ek" and shared.signed_phone is shared.signed_email is None
    assert {a.question.key for a in shared.answers} == {"anything_else", "consent"}
    notes = {a.question.key: a.value for a in db.session.get(Submission, sheet.id).answers}
    assert notes["anything_else"] == "Fråga [raderad] ([raderad]), hon bor på [raderad]."
    assert notes["first_name"] == "Bertil" and notes["email"] == "bertil@example.se"
    named = db.session.scalar(sa.select(Submission).where(Submission.respondent_key == "l:9997"))
    assert named.signed_name is None and named.registry_match is RegistryMatch.ANONYMOUS
    assert not named.needs_review
    task = db.session.scalar(sa.select(Task).where(Task.kind == TaskKind.CANVASSING))
    assert task.title == "Dörrknackning med [raderad]"
    assert task.notes == "Nyckeln: ring [raderad] eller mejla [raderad]"
    run = db.session.scalar(sa.select(MatchRun))
    assert [p["member"] for p in run.stats["dropped_pins"]] == [bertil.id]
    assert db.session.get(Member, bertil.id).first_name == "Bertil"


def test_the_sqlite_file_forgets_her_too(sqlite_app, load_survey, make_member):
    """Deleted rows stay readable in a database file's free space unless secure_delete zeroes them, and
    old pages stay in the write-ahead log until a checkpoint: neither may keep her details."""
    from pathlib import Path

    survey = load_survey()
    member = make_member(**PERSON)
    sheet = answer_survey(survey, member, random.Random(3), utcnow())  # prefilled: name, phone, email
    note = next(q for q in survey.questions() if q.key == "anything_else")
    sheet.answers.append(Answer(question=note, value=f"Skriv till {PERSON['email']}"))
    # Enough other members that the tables and the email index span many pages.
    db.session.execute(sa.insert(Member), [
        {"member_number": f"N{i}", "first_name": "Anna", "last_name": f"Berg{i}", "phone": f"+4670{i:07d}",
         "email": f"anna{i}@example.se", "address": f"Storgatan {i}"} for i in range(3000)])
    db.session.commit()
    path = Path(db.engine.url.database)

    def file_bytes() -> bytes:
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())

    needles = [PERSON["email"].encode(), PERSON["phone"].encode(), b"Quxberg"]
    assert all(n in file_bytes() for n in needles)
    privacy.erase_member(member, None)
    db.session.commit()
    assert privacy.clear_freed_space()
    db.session.remove()
    assert not any(n in file_bytes() for n in needles)
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0


def test_cli_erase_asks_unless_yes(runner, zlatana):
    member, *_ = zlatana
    refused = runner.invoke(args=["privacy", "erase", PERSON["member_number"]], input="n\n")
    assert refused.exit_code != 0 and db.session.get(Member, member.id) is not None
    done = runner.invoke(args=["privacy", "erase", PERSON["member_number"], "--yes"])
    assert done.exit_code == 0 and "submissions_anonymized=2" in done.output, done.output
    db.session.expire_all()
    assert privacy.member_by_number(PERSON["member_number"]) is None
    assert runner.invoke(args=["privacy", "erase", PERSON["member_number"], "--yes"]).exit_code != 0


def test_the_next_registry_import_does_not_bring_an_erased_member_back(runner, zlatana, tmp_path):
    from survey.registry.services import import_registry

    member, *_ = zlatana
    privacy.erase_member(member, None)
    db.session.commit()
    register = ("Medlemsnummer;Förnamn;Efternamn;Mobil;E-post\n"
                f"{PERSON['member_number']};Zlatana;Quxberg;070-123 98 76;zlatana.q@example.se\n"
                "KK90001;Ny;Medlem;;\n").encode()
    result = import_registry(register, "register.csv")
    db.session.commit()
    assert (result.created, result.skipped, result.problems) == (1, 1, 0)
    note = next(n for n in result.notes if n.row == 2)
    assert "raderats på begäran" in note.message and note.value == ""
    assert privacy.member_by_number(PERSON["member_number"]) is None
    assert occurrences(NEEDLES) == set()  # not in the members table, nor in the stored report
    # She rejoins and asks to take part again: an admin readmits her number, and the import adds her.
    path = tmp_path / "register.csv"
    path.write_bytes(register)
    assert runner.invoke(args=["privacy", "readmit", "KK00000"]).exit_code != 0
    assert runner.invoke(args=["privacy", "readmit", PERSON["member_number"]]).exit_code == 0
    again = runner.invoke(args=["members", "import", str(path)])
    assert again.exit_code == 0, again.output
    assert privacy.member_by_number(PERSON["member_number"]) is not None


def test_erasure_route_is_admin_only_and_needs_the_member_number(client, login_as, make_member):
    member_id = make_member(**PERSON).id
    url = f"/admin/privacy/members/{member_id}/erase"
    login_as("organizer", "Sundsvall")
    assert client.get(url).status_code == 403 and client.post(url).status_code == 403
    client.post("/admin/logout")
    login_as("admin")
    page = client.get(url)
    assert page.status_code == 200 and "Zlatana Quxberg" in page.text and "Skriv medlemsnumret" in page.text
    wrong = client.post(url, data={"member_number": "KK77124"})
    assert wrong.status_code == 422 and "stämmer inte" in wrong.text
    db.session.expire_all()
    assert db.session.get(Member, member_id) is not None
    r = client.post(url, data={"member_number": " KK77123 "})
    assert r.status_code == 302
    assert "Medlemmen är raderad" in client.get(r.location).text
    db.session.expire_all()
    assert db.session.get(Member, member_id) is None and occurrences(NEEDLES) == set()


def test_member_page_actions(app, make_user, make_member):
    member = make_member()
    for role, erase in (("admin", True), ("organizer", False)):
        with app.test_request_context("/admin/members/1"):
            security.start_session(make_user(role, "Sundsvall"))
            html = render_template("registry/_actions.html", member=member)
        assert f"/admin/privacy/members/{member.id}/export" in html and 'name="csrf_token"' in html
        assert (f"/admin/privacy/members/{member.id}/erase" in html) is erase
        assert "<script" not in html and "style=" not in html


# -- purging after the retention period -------------------------------------------------------------------

def test_purge_anonymizes_old_surveys_only_and_is_idempotent(app, runner, client, load_survey, make_member):
    now = utcnow()
    member = make_member(**PERSON)
    tokens = {}
    for slug, closes in (("old-2026", now - timedelta(days=400)), ("recent-2029", now - timedelta(days=10)),
                         ("open-2030", now + timedelta(days=30))):
        survey = load_survey(slug=slug, closes_at=closes)
        tokens[slug] = links.issue_link(survey, member)
        answer_survey(survey, member, random.Random(1), now - timedelta(days=500))
        answer_survey(survey, None, random.Random(2), now - timedelta(days=500))
        db.session.add(OutgoingMessage(survey_id=survey.id, member_id=member.id, kind="invite", round="1"))
    db.session.commit()

    def by_survey() -> dict[str, int]:
        db.session.expire_all()
        rows = db.session.scalars(sa.select(Submission).where(Submission.member_id == member.id))
        return {s.survey.slug: 1 for s in rows}

    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0 and "would purge" in dry.output and "surveys=1" in dry.output, dry.output
    assert "submissions_anonymized=2" in dry.output and "links_deleted=1" in dry.output
    assert by_survey() == {"old-2026": 1, "recent-2029": 1, "open-2030": 1}

    real = runner.invoke(args=["privacy", "purge"])
    assert real.exit_code == 0 and "submissions_anonymized=2" in real.output, real.output
    assert by_survey() == {"recent-2029": 1, "open-2030": 1}
    assert db.session.get(Member, member.id) is not None  # the registry is not the survey's to purge
    assert client.get(f"/s/{tokens['old-2026']}").status_code == 404
    old = db.session.scalars(sa.select(Submission).join(Submission.survey).where(
        Submission.survey.has(slug="old-2026"))).all()
    assert all(s.respondent_key.startswith("erased:") and s.signed_name is None for s in old)
    assert not any(a.question.prefill for s in old for a in s.answers)
    purged = db.session.scalars(sa.select(AuditEvent.target).where(AuditEvent.action == "purge")).all()
    assert purged == ["survey:old-2026"]

    again = runner.invoke(args=["privacy", "purge"])
    assert "surveys=0, submissions_anonymized=0" in again.output, again.output
    assert "job_files_removed=0" in again.output

    app.config["PURGE_AFTER_DAYS"] = 5
    assert "surveys=1" in runner.invoke(args=["privacy", "purge"]).output
    assert by_survey() == {"open-2030": 1}  # an open survey is never purged
    app.config["PURGE_AFTER_DAYS"] = "soon"
    assert runner.invoke(args=["privacy", "purge"]).exit_code != 0


def test_purge_removes_job_files_past_their_time_without_a_worker(app, runner):
    """Letters PDFs and uploads a crash left behind hold personal data; the daily purge removes them even
    where no `kraftkartan worker` runs to sweep them."""
    import os

    from survey.core import job_files

    old, fresh = job_files.folder() / "old.pdf", job_files.folder() / "fresh.pdf"
    for found in (old, fresh):
        found.write_bytes(b"%PDF")
    past = (utcnow() - timedelta(hours=app.config["JOB_FILES_HOURS"] + 1)).timestamp()
    os.utime(old, (past, past))
    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert "job_files_removed" not in dry.output and old.exists()  # a dry run changes nothing
    real = runner.invoke(args=["privacy", "purge"])
    assert real.exit_code == 0 and "job_files_removed=1" in real.output, real.output
    assert not old.exists() and fresh.exists()


# -- the audit log ------------------------------------------------------------------------------------------

def test_audit_log_is_for_admins(client, login_as):
    assert client.get("/admin/privacy/audit").status_code == 302  # to the login page
    login_as("organizer", "Sundsvall")
    assert client.get("/admin/privacy/audit").status_code == 403
    assert client.post("/admin/privacy/audit.csv").status_code == 403


def test_audit_log_filters_pages_and_downloads_safely(client, login_as, make_user):
    admin = login_as("admin")
    other = make_user("organizer", "Sundsvall", email="org@example.org")
    now = utcnow()
    audit.record(other, "view", "members:sundsvall", rows=3).at = now - timedelta(days=10)
    audit.record(other, "export", '=HYPERLINK("http://evil.example")', rows=1)
    for i in range(55):
        audit.record(admin, "view", f"list:{i:02d}").at = now - timedelta(minutes=60 - i)
    db.session.commit()

    page = client.get("/admin/privacy/audit").text
    # 50 a page, newest first: the formula, list:54 ... list:06; then list:05 ... list:00 and the oldest.
    assert page.count("list:") == 49
    assert page.index("HYPERLINK") < page.index("list:54") < page.index("list:53")
    assert "Sida 1 av 2" in page and "members:sundsvall" not in page
    second = client.get("/admin/privacy/audit?page=2").text
    assert second.count("list:") == 6 and "members:sundsvall" in second

    only = client.get("/admin/privacy/audit?user=org@example.org&action=view").text
    assert "members:sundsvall" in only and "list:" not in only and "HYPERLINK" not in only
    old_day = (now - timedelta(days=10)).date().isoformat()
    dated = client.get(f"/admin/privacy/audit?date_from={old_day}&date_to={old_day}").text
    assert "members:sundsvall" in dated and "list:" not in dated
    bad = client.get("/admin/privacy/audit?date_from=yesterday")
    assert bad.status_code == 200 and "ÅÅÅÅ-MM-DD" in bad.text

    r = client.post("/admin/privacy/audit.csv?user=org@example.org")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    frame = pd.read_csv(io.StringIO(r.data.decode("utf-8-sig")), keep_default_na=False)
    assert list(frame["action"]) == ["export", "view"] and frame["target"][0].startswith("'=HYPERLINK")
    db.session.expire_all()
    logged = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.target == "audit_log")).one()
    assert logged.user_id == admin.id and logged.rows == 2
    assert logged.detail == {"filters": {"user": "org@example.org"}}


def test_erasure_survives_an_import_that_stored_a_huge_cell(client, login_as, make_member):
    """A registry file with a 200 KB cell (an address pasted into, or a whole document): the import reports
    the value, and erasure later reads that report back."""
    from tests.survey.registry.test_members_views import _upload

    member_id = make_member(**PERSON).id
    login_as("admin")
    huge = "Storgatan " + "x" * 200_000
    data = (f"Medlemsnr;Förnamn;Efternamn;Adress;E-post\n"
            f"{PERSON['member_number']};Zlatana;Quxberg;{huge};{PERSON['email']}\n"
            f"KK2;Bo;Ek;{huge};\n").encode()
    assert _upload(client, data, "medlemmar.csv").status_code == 200
    stored = db.session.scalar(sa.select(MemberImport.report_csv))
    assert stored and len(stored) < 10_000  # the report quotes a bounded excerpt, not the cell
    url = f"/admin/privacy/members/{member_id}/erase"
    r = client.post(url, data={"member_number": PERSON["member_number"]})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Member, member_id) is None
    assert PERSON["email"] not in db.session.scalar(sa.select(MemberImport.report_csv))


def test_erasure_reads_old_reports_with_huge_cells(app, make_member):
    """Reports stored before values were cut short can hold cells beyond the csv module's 128 KB limit."""
    member = make_member(**PERSON)
    huge = "x" * 200_000
    db.session.add(MemberImport(filename="old.csv", report_csv=(
        f"rad,kolumn,värde\n2,Adress,{huge}\n3,E-post,{PERSON['email']}\n4,Mobil,{huge}\n")))
    db.session.commit()
    assert privacy.erase_member(member, None)["import_report_rows_removed"] == 1
    db.session.commit()
    report = db.session.scalar(sa.select(MemberImport.report_csv))
    assert PERSON["email"] not in report and report.count(huge) == 2


# -- signed links after erasure --------------------------------------------------------------------------

def test_an_erased_members_links_stay_dead_when_the_next_member_arrives(client, make_member):
    """Unsubscribe links and calendar feeds are signed, not stored. SQLite gave an erased member's id, the
    highest, to the next member imported, and a link that signed only the id opened that member's."""
    from urllib.parse import urlsplit

    from outreach.tasks import ics
    from survey.invitations import services as invitations
    from survey.registry.services import import_registry

    make_member("Bo", "Ek")
    member = make_member(**PERSON)  # the highest id
    old_id = member.id
    old = [invitations.unsubscribe_url("", member), urlsplit(ics.member_feed_url(member)).path]
    assert [client.get(url).status_code for url in old] == [200, 200]
    privacy.erase_member(member, None)
    db.session.commit()
    assert [client.get(url).status_code for url in old] == [404, 404]

    import_registry(b"Medlemsnummer;F\xc3\xb6rnamn;Efternamn\nKK90001;Ny;Medlem\n", "register.csv")
    db.session.commit()
    newcomer = privacy.member_by_number("KK90001")
    assert newcomer.id > old_id  # ids are never handed out again
    assert [client.get(url).status_code for url in old] == [404, 404]
    new = [invitations.unsubscribe_url("", newcomer), urlsplit(ics.member_feed_url(newcomer)).path]
    assert [client.get(url).status_code for url in new] == [200, 200]

    # Even a member given the very same id (a restored dump, a hand-made row) is not opened by old links.
    privacy.erase_member(newcomer, None)
    db.session.add(Member(id=old_id, member_number="KK90002", first_name="Samma", last_name="Id"))
    db.session.commit()
    assert [client.get(url).status_code for url in old] == [404, 404]
