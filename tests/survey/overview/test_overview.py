"""The organizers' overview: exact numbers on a small hand-built district, scoping, export, the charts."""

from __future__ import annotations

import io
import random
import re
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from survey.demo.answers import answer_survey
from survey.extensions import db
from survey.models import (
    AuditEvent,
    MemberStatus,
    Option,
    RegistryMatch,
    Submission,
    Survey,
    utcnow,
)
from survey.overview import charts
from survey.overview import services as overview
from survey.respond import services as responses
from tests.conftest import DEFAULT_SURVEY, login

NOW = datetime(2030, 6, 1, 12, tzinfo=UTC)
W1, W2, W3, W8 = "2030-07-15", "2030-07-22", "2030-07-29", "2030-09-02"  # campaign weeks 1, 2, 3 and 8


def sheet(survey: Survey, member=None, *, skills=None, interests=None, cells=None, submit=True, key=None,
          match=RegistryMatch.PERSONAL) -> Submission:
    """An answer sheet with just these answers, submitted (profile rebuilt) unless `submit` is False."""
    sub = Submission(survey=survey, member=member, respondent_key=key or f"m:{member.id}",
                     registry_match=match)
    db.session.add(sub)
    values = {}
    if skills:
        values["skills"] = {f"skill:{k}": v for k, v in skills.items()}
    if interests:
        values["interests"] = [f"interest:{k}" for k in interests]
    if cells:
        values["availability"] = cells
    questions = {q.key: q for q in survey.questions()}
    responses.save_answers(sub, [questions[k] for k in values], values)
    if submit:
        responses.submit(sub, NOW, consent=True)
    db.session.commit()
    return sub


@pytest.fixture
def district(app, load_survey, make_member):
    """Sundsvall: Anna (two sheets), Bo, Cia (draft), Dan (left the party, answered), Eva (silent).
    Timrå: Fia (answered), Gun (silent). Hugo: no association, silent. One anonymous open-link sheet."""
    survey = load_survey()
    m = {name: make_member(name, association=assoc) for name, assoc in [
        ("Anna", "Sundsvall"), ("Bo", "Sundsvall"), ("Cia", "Sundsvall"), ("Eva", "Sundsvall"),
        ("Fia", "Timrå"), ("Gun", "Timrå"), ("Hugo", None)]}
    m["Dan"] = make_member("Dan", association="Sundsvall", status=MemberStatus.LEFT)
    sheet(survey, m["Anna"], skills={"canvassing": 2, "phoning": 1}, interests=["climate", "housing"],
          cells=[f"{W1}:weekday_evenings", f"{W1}:weekend_daytime", f"{W2}:weekend_evenings"])
    # Anna again through the open link, matched to her: she still counts once, at her highest level.
    sheet(survey, m["Anna"], key="l:1", match=RegistryMatch.MATCHED, skills={"phoning": 2},
          interests=["climate", "feminism"], cells=[f"{W1}:weekday_evenings", f"{W3}:weekday_evenings"])
    sheet(survey, m["Bo"], skills={"canvassing": 1}, interests=["climate"], cells=[f"{W1}:weekday_evenings"])
    sheet(survey, m["Cia"], skills={"it": 2}, interests=["union"], submit=False)
    sheet(survey, m["Dan"], skills={"canvassing": 2}, interests=["climate"], cells=[f"{W1}:weekend_evenings"])
    sheet(survey, m["Fia"], skills={"driving": 2}, interests=["rural"], cells=[f"{W8}:weekend_daytime"])
    sheet(survey, key="l:2", match=RegistryMatch.ANONYMOUS, skills={"canvassing": 1}, interests=["climate"],
          cells=[f"{W1}:weekday_evenings"])
    sheet(survey, key="l:3", match=RegistryMatch.ANONYMOUS, skills={"it": 2}, submit=False)
    return survey


def org_ids(*slugs: str) -> set[int]:
    from survey.models import Organisation

    return set(db.session.scalars(sa.select(Organisation.id).where(Organisation.slug.in_(slugs))))


def skills_of(survey, scope) -> dict[str, tuple[int, int]]:
    return {s.key: (s.some, s.experienced) for s in overview.skills_inventory(survey, scope) if s.people}


def interests_of(survey, scope) -> dict[str, int]:
    return {t.key: t.people for t in overview.interests(survey, scope) if t.people}


def weeks_of(survey, scope) -> dict[str, tuple[int, ...]]:
    weekly = overview.availability_by_week(survey, scope)
    assert [k for k, _label in weekly.slots] == ["weekday_evenings", "weekend_daytime", "weekend_evenings"]
    assert len(weekly.weeks) == 8
    return {w.monday.isoformat(): (w.people, *w.per_slot) for w in weekly.weeks if w.people}


# -- the numbers ----------------------------------------------------------------------------------------

def test_numbers_for_one_association(district):
    sundsvall = org_ids("sundsvall")
    assert overview.response_rate(district, sundsvall) == overview.ResponseRate(4, 2, 1, 0)
    assert skills_of(district, sundsvall) == {"canvassing": (1, 1), "phoning": (0, 1)}
    assert interests_of(district, sundsvall) == {"climate": 2, "housing": 1, "feminism": 1}
    assert weeks_of(district, sundsvall) == {W1: (2, 2, 1, 0), W2: (1, 0, 0, 1), W3: (1, 1, 0, 0)}

    timra = org_ids("timra")
    assert overview.response_rate(district, timra) == overview.ResponseRate(2, 1, 0, 0)
    assert skills_of(district, timra) == {"driving": (0, 1)}
    assert weeks_of(district, timra) == {W8: (1, 0, 1, 0)}


def test_numbers_for_the_district_include_open_link_answers(district):
    rate = overview.response_rate(district)
    assert rate == overview.ResponseRate(members=7, responded=3, started=1, unlinked=1)
    assert rate.people == 4 and round(rate.rate, 3) == 0.429
    assert skills_of(district, None) == {"canvassing": (2, 1), "phoning": (0, 1), "driving": (0, 1)}
    assert interests_of(district, None) == {"climate": 3, "housing": 1, "feminism": 1, "rural": 1}
    assert weeks_of(district, None) == {W1: (3, 3, 1, 0), W2: (1, 0, 0, 1), W3: (1, 1, 0, 0),
                                        W8: (1, 0, 1, 0)}
    # Several associations at once are the union of them.
    both = org_ids("sundsvall", "timra")
    assert overview.response_rate(district, both) == overview.ResponseRate(6, 3, 1, 0)
    assert overview.response_rate(district, set()) == overview.ResponseRate(0, 0, 0, 0)


def test_lists_keep_every_option_most_people_first(district):
    skills = overview.skills_inventory(district, None)
    assert [s.key for s in skills[:3]] == ["canvassing", "phoning", "driving"]
    assert len(skills) == 17 and skills[-1].people == 0  # nobody yet: shows as a gap, not missing
    assert skills[0].label["sv"] == "Dörrknackning"
    assert [t.key for t in overview.interests(district, None)][0] == "climate"


def test_rates_per_association(district):
    rates = {r.slug: r.rate for r in overview.response_rates_by_association(district)}
    assert rates == {"sundsvall": overview.ResponseRate(4, 2, 1), "timra": overview.ResponseRate(2, 1, 0)}
    only = overview.response_rates_by_association(district, org_ids("timra"))
    assert [r.slug for r in only] == ["timra"]


def test_frame_has_every_number(district):
    frame = overview.overview_frame(district, org_ids("sundsvall"))
    assert list(frame.columns) == ["metric", "key", "label", "series", "value"]
    value = {(r.metric, r.key, r.series): r.value for r in frame.itertuples()}
    assert value["response_rate", "members", ""] == 4 and value["response_rate", "rate_percent", ""] == 50
    assert ("response_rate", "unlinked", "") not in value  # open-link sheets belong to no association
    assert value["skills", "canvassing", "experienced"] == 1 and value["skills", "canvassing", "people"] == 2
    assert value["interests", "climate", "people"] == 2
    assert value["availability", W1, "any"] == 2 and value["availability", W1, "weekend_daytime"] == 1
    assert "v. 29" in frame[frame.key == W1].label.iloc[0]


# -- pages and scoping ----------------------------------------------------------------------------------

def test_pages_need_staff(client, district, make_user):
    assert "/admin/login" in client.get("/admin/overview/").location
    assert client.post("/admin/overview/district/export.csv").status_code == 302
    login(client, make_user("caller"))
    assert client.get("/admin/overview/").status_code == 403
    assert client.get("/admin/overview/sundsvall").status_code == 403


def test_organizer_sees_only_their_association(client, district, login_as):
    login_as("organizer", "Timrå")
    r = client.get("/admin/overview/")
    assert r.status_code == 302 and r.location.endswith("/admin/overview/timra")
    page = client.get("/admin/overview/timra")
    assert page.status_code == 200 and "Timrå" in page.text and "Sundsvall" not in page.text
    assert client.get("/admin/overview/sundsvall").status_code == 404
    assert client.get("/admin/overview/no-such-place").status_code == 404
    assert client.get("/admin/overview/district").status_code == 403
    assert client.post("/admin/overview/sundsvall/export.csv").status_code == 404
    assert client.post("/admin/overview/district/export.csv").status_code == 403
    assert client.post("/admin/overview/timra/export.csv").status_code == 200


def test_organizer_of_several_gets_a_list_of_theirs(client, district, login_as, make_org):
    make_org("Ånge")
    login_as("organizer", "Timrå", "Sundsvall")
    r = client.get("/admin/overview/")
    assert r.status_code == 200
    assert "/admin/overview/timra" in r.text and "/admin/overview/sundsvall" in r.text
    assert "/admin/overview/ange" not in r.text and "/admin/overview/district" not in r.text


def test_admin_sees_district_and_every_association(client, district, login_as):
    login_as("admin")
    index = client.get("/admin/overview/")
    assert index.status_code == 200
    for path in ("/admin/overview/district", "/admin/overview/sundsvall", "/admin/overview/timra"):
        assert path in index.text
        assert client.get(path).status_code == 200
    page = client.get("/admin/overview/district").text
    assert "43 % har svarat (3 av 7 medlemmar)" in page
    assert "Dessutom 1 svar via den öppna länken" in page
    assert "3 (1 van)" in page  # canvassing: 3 people, 1 experienced, printed at the bar end


def test_pages_are_accessible_and_csp_clean(client, district, login_as):
    login_as("admin")
    html = client.get("/admin/overview/sundsvall").text
    svgs = re.findall(r"<svg[^>]*>", html)
    assert len(svgs) == 4
    for svg in svgs:
        assert 'role="img"' in svg and 'width="100%"' in svg and "viewBox=" in svg
        title_id, desc_id = re.search(r'aria-labelledby="([^" ]+) ([^"]+)"', svg).groups()
        assert f'<title id="{title_id}">' in html and f'<desc id="{desc_id}">' in html
    assert html.count('<details class="chart-table">') == 4 and html.count("<table") == 4
    assert "style=" not in html and "<script" not in html and "<style" not in html
    assert 'href="/static/overview.css"' in html


def test_survey_labels_are_escaped_in_charts_and_tables(client, district, login_as):
    option = db.session.scalar(sa.select(Option).where(Option.key == "skill:canvassing"))
    option.label = {"sv": "<script>alert(1)</script>"}
    db.session.commit()
    login_as("admin")
    html = client.get("/admin/overview/district").text
    assert "<script>alert(1)" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3  # the bar label, the table, the desc


def test_survey_selector_defaults_to_the_newest_open_survey(client, district, load_survey, login_as):
    text = DEFAULT_SURVEY.read_text(encoding="utf-8")
    closed = load_survey(text.replace("slug: valkampanj-2030", "slug: gammal-enkat"),
                         closes_at=utcnow() - timedelta(days=1))
    closed.created_at = datetime(2031, 1, 1, tzinfo=UTC)  # newer, but closed
    db.session.commit()
    login_as("admin")
    page = client.get("/admin/overview/district").text
    assert '<option value="valkampanj-2030" selected>' in page and "3 av 7" in page
    other = client.get("/admin/overview/district?survey=gammal-enkat").text
    assert '<option value="gammal-enkat" selected>' in other and "0 av 7" in other
    assert "du göra? (stängd)</option>" in other
    assert client.get("/admin/overview/district?survey=nope").status_code == 404


def test_export_csv_and_xlsx_are_audited(client, district, login_as):
    user = login_as("organizer", "Sundsvall")
    r = client.post("/admin/overview/sundsvall/export.csv", data={"survey": "valkampanj-2030"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert re.match(r"attachment; filename=valkampanj-2030-oversikt-sundsvall-\d{8}\.csv$",
                    r.headers["Content-Disposition"])
    assert "\nresponse_rate,members,,,4\n" in r.data.decode("utf-8-sig")  # counts stay integers
    frame = pd.read_csv(io.BytesIO(r.data), encoding="utf-8-sig", keep_default_na=False)
    assert frame[(frame.metric == "skills") & (frame.key == "canvassing") & (frame.series == "people")
                 ].value.item() == 2
    x = client.post("/admin/overview/sundsvall/export.xlsx")
    assert x.status_code == 200
    assert len(pd.read_excel(io.BytesIO(x.data))) == len(frame)
    db.session.expire_all()
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.target, e.user_id, e.rows) for e in events] == [
        ("export", "overview:sundsvall", user.id, len(frame))] * 2
    assert events[0].association_id == org_ids("sundsvall").pop()
    assert events[0].detail == {"format": "csv", "survey": "valkampanj-2030"}


def test_export_defuses_formulas(client, district, login_as):
    option = db.session.scalar(sa.select(Option).where(Option.key == "interest:climate"))
    option.label = {"sv": "=HYPERLINK(\"http://evil.example\")"}
    db.session.commit()
    login_as("admin")
    text = client.post("/admin/overview/district/export.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_export_needs_a_csrf_token(app, client, district, login_as):
    login_as("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/admin/overview/district/export.csv").status_code == 400


def test_district_page_makes_no_per_member_queries(app, client, load_survey, make_member, login_as):
    """Query count must not grow with the answers: 3 sheets and 15 sheets cost the same."""
    survey = load_survey()
    login_as("admin")
    rng = random.Random(7)

    def answer(n: int) -> None:
        for i in range(n):
            answer_survey(survey, make_member(association=("Sundsvall", "Timrå")[i % 2]), rng, NOW)
        db.session.commit()

    def queries() -> int:
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/admin/overview/district").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    answer(3)
    few = queries()
    answer(12)
    assert queries() == few <= 20


# -- the charts on their own ------------------------------------------------------------------------------

def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_chart_colours_meet_wcag_contrast_on_white():
    for colour in (*charts.PALETTE, *charts.STACKED, charts.TRACK_EDGE):
        assert _contrast(colour, "#ffffff") >= 3, colour  # graphical objects (1.4.11)
    assert _contrast(charts.TEXT, "#ffffff") >= 4.5 and _contrast(charts.TRACK_EDGE, "#ffffff") >= 4.5


def test_chart_escapes_labels_and_text():
    svg = charts.bar_chart("c-x", "T <b>", "D & <i>", [charts.Bar("<script>alert(1)</script>", (3,))],
                           end_text=lambda v: f"<{v[0]}>")
    assert "<script" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "T &lt;b&gt;" in svg and "D &amp; &lt;i&gt;" in svg and "&lt;3&gt;" in svg
    grouped = charts.grouped_chart("c-y", "t", "d", [charts.Bar("<img>", (1,))], ["<s>"])
    assert "<img>" not in grouped and "1 &lt;s&gt;" in grouped
    with pytest.raises(ValueError):
        charts.bar_chart('x" onload="alert(1)', "t", "d", [])


def test_chart_structure_and_long_labels():
    long = "Skriva debattartiklar och insändare till alla tidningar i hela Västernorrlands län varje vecka"
    svg = charts.bar_chart("c-s", "Förmågor", "desc", [charts.Bar(long, (2, 5)), charts.Bar("IT", (0, 0))],
                           series=("Van", "Lite"))
    assert svg.startswith("<svg") and 'aria-labelledby="c-s-title c-s-desc"' in svg
    assert '<title id="c-s-title">Förmågor</title>' in svg and '<desc id="c-s-desc">desc</desc>' in svg
    assert f"<title>{long}</title>" in svg and "…" in svg  # cut to two lines, the whole label kept
    assert ">Van<" in svg and ">Lite<" in svg  # the legend
    assert ">7<" in svg and ">0<" in svg  # values at the bar ends, zero too
    assert svg.count('fill="#8b0d1f"') == 2 and svg.count('fill="#d35f6e"') == 2  # legend + one bar each
    bar = charts.percent_bar("c-p", "Svarsfrekvens", "38 %", 0.38, "38 % (3 av 8)")
    assert ">38 % (3 av 8)<" in bar and 'role="img"' in bar
