"""The networks' page, export and commands: counts and lists within what the user may see."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
import sqlalchemy as sa

from survey.extensions import db
from survey.models import (
    AuditEvent,
    MemberStatus,
    NetworkMembership,
    Organisation,
    OrganisationKind,
)
from survey.networks import services


@pytest.fixture
def make_network():
    def make(slug="natverk-klimat", name="Klimatnätverket", members=()):
        network = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
        if network is None:
            network = Organisation(slug=slug, name=name, kind=OrganisationKind.NETWORK)
            db.session.add(network)
            db.session.flush()
        for member in members:
            db.session.add(NetworkMembership(member_id=member.id, organisation_id=network.id))
        db.session.commit()
        return network

    return make


@pytest.fixture
def district(app, make_member, make_network):
    """Klimatnätverket: two of Timrå's members (one do-not-contact), one who left, and one of Sundsvall's;
    Kvinnoforum: one of Sundsvall's only. Someone in Timrå on no list at all."""
    people = {
        "tova": make_member(
            "Tova", "Timråsson", association="Timrå", phone="+46701234567", email="tova@timra.example"
        ),
        "tor": make_member("Tor", "Tystnad", association="Timrå", phone="+46702223344", do_not_contact=True),
        "tea": make_member("Tea", "Tidigare", association="Timrå", status=MemberStatus.LEFT),
        "sigrid": make_member(
            "Sigrid", "Sundsvallsdotter", association="Sundsvall", email="sigrid@sundsvall.example"
        ),
        "nils": make_member("Nils", "Nätverkslös", association="Timrå"),
    }
    climate = make_network(members=[people[k] for k in ("tova", "tor", "tea", "sigrid")])
    forum = make_network("natverk-kvinnoforum", "Kvinnoforum", members=[people["sigrid"]])
    return people, climate, forum


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


# -- services ----------------------------------------------------------------------------------------


def test_counts_and_members_are_scoped_to_the_users_associations(district, make_user):
    people, climate, forum = district
    timra, admin = make_user("organizer", "Timrå"), make_user("admin")
    assert [(o.slug, n) for o, n in services.counts(admin)] == [
        ("natverk-klimat", 3),
        ("natverk-kvinnoforum", 1),
    ]
    # Sundsvall's one member of Kvinnoforum is not counted for Timrå; the network is still listed.
    assert [(o.slug, n) for o, n in services.counts(timra)] == [
        ("natverk-klimat", 2),
        ("natverk-kvinnoforum", 0),
    ]
    assert [n for _o, n in services.counts(timra, status="all")] == [3, 0]
    names = [m.first_name for m in db.session.scalars(services.members_query(timra, climate))]
    assert names == ["Tova", "Tor"]  # by last name; the one who left only when asked
    everyone = db.session.scalars(services.members_query(None, climate, status="all"))
    assert {m.first_name for m in everyone} == {"Tova", "Tor", "Tea", "Sigrid"}
    assert list(db.session.scalars(services.members_query(timra, forum))) == []
    caller = make_user("caller")
    assert [n for _o, n in services.counts(caller)] == [0, 0]


def test_only_networks_are_networks(district):
    assert services.network_by_slug("natverk-klimat").name == "Klimatnätverket"
    assert services.network_by_slug("timra") is None  # an association is no network
    assert services.network_by_slug("nope") is None


# -- pages -------------------------------------------------------------------------------------------


def test_index_shows_counts_within_the_organizers_associations(client, login_as, district):
    login_as("organizer", "Timrå")
    page = client.get("/admin/networks")
    assert page.status_code == 200
    assert "Klimatnätverket" in page.text and "Kvinnoforum" in page.text
    assert "enkätens fråga om nätverk" in page.text
    assert 'href="/admin/networks"' in page.text  # the admin nav links here
    rows = page.text.split("<tbody>")[1]
    assert ">2</td>" in rows and ">0</td>" in rows and ">3</td>" not in rows
    assert [(e.target, e.rows) for e in _events("view")] == [("networks", 2)]


def test_network_page_lists_only_visible_members(client, login_as, district):
    people, climate, _forum = district
    login_as("organizer", "Timrå")
    page = client.get("/admin/networks/natverk-klimat")
    assert page.status_code == 200
    assert "Timråsson, Tova" in page.text and f'/admin/members/{people["tova"].id}"' in page.text
    assert "070-123 45 67" in page.text and "tova@timra.example" in page.text
    assert "Sundsvallsdotter" not in page.text and "sigrid@sundsvall.example" not in page.text
    assert "Tidigare" not in page.text and "Nätverkslös" not in page.text
    # Do-not-contact is shown as such, and their number is no tap-to-call link.
    assert "Tystnad, Tor" in page.text and "kontakta inte" in page.text
    assert 'href="tel:+46702223344"' not in page.text and 'href="tel:+46701234567"' in page.text
    assert "Tidigare, Tea" in client.get("/admin/networks/natverk-klimat?status=all").text
    assert [(e.target, e.rows, e.detail["status"]) for e in _events("view")] == [
        ("network:natverk-klimat", 2, "active"),
        ("network:natverk-klimat", 3, "all"),
    ]


def test_unknown_network_other_association_and_callers(client, login_as, district, make_org):
    login_as("organizer", "Timrå")
    assert client.get("/admin/networks/nope").status_code == 404
    assert client.get("/admin/networks/timra").status_code == 404  # an association, not a network
    sundsvall = make_org("Sundsvall")
    assert client.get(f"/admin/networks/natverk-klimat?association={sundsvall.id}").status_code == 404
    assert (
        client.post(
            "/admin/networks/natverk-klimat/export.csv", data={"association": sundsvall.id}
        ).status_code
        == 404
    )
    assert client.post("/admin/networks/nope/export.csv").status_code == 404
    assert client.post("/admin/networks/natverk-klimat/export.pdf").status_code == 404
    assert client.get("/admin/networks/natverk-klimat/export.csv").status_code == 405  # never a GET link


def test_callers_have_no_access(client, login_as, district):
    login_as("caller")
    assert client.get("/admin/networks").status_code == 403
    assert client.get("/admin/networks/natverk-klimat").status_code == 403
    assert client.post("/admin/networks/natverk-klimat/export.csv").status_code == 403


def test_admin_sees_all_and_filters_by_association_and_paginates(
    client, login_as, district, make_member, make_network, make_org
):
    many = [make_member("Ulla", f"Ånge{n:02d}", association="Ånge") for n in range(52)]
    make_network(members=many)
    login_as("admin")
    first = client.get("/admin/networks/natverk-klimat")
    assert "55 medlemmar" in first.text and "sida 1 av 2" in first.text and "Sundsvallsdotter" in first.text
    assert "Nästa" in first.text
    second = client.get("/admin/networks/natverk-klimat?page=2")
    assert "Ånge51" in second.text or "Timråsson" in second.text
    timra = make_org("Timrå")
    only = client.get(f"/admin/networks/natverk-klimat?association={timra.id}")
    assert "2 medlemmar" in only.text and "Sundsvallsdotter" not in only.text


# -- export ------------------------------------------------------------------------------------------


def test_export_is_scoped_formula_safe_and_audited(client, login_as, district, make_member, make_network):
    evil = make_member('=HYPERLINK("http://x")', "+Ond", association="Timrå", email="@evil.example")
    make_network(members=[evil])
    login_as("organizer", "Timrå")
    response = client.post("/admin/networks/natverk-klimat/export.csv", data={"status": "active"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment; filename=natverk-klimat-" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert {r["last_name"] for r in rows} == {"Timråsson", "Tystnad", "'+Ond"}
    bad = next(r for r in rows if r["last_name"] == "'+Ond")
    assert bad["first_name"].startswith("'=") and bad["email"] == "'@evil.example"
    tor = next(r for r in rows if r["first_name"] == "Tor")
    assert tor["do_not_contact"] == "kontakta inte" and tor["phone"] == "070-222 33 44"
    xlsx = client.post("/admin/networks/natverk-klimat/export.xlsx", data={"status": "all"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "Tidigare" in cells and "Sundsvallsdotter" not in cells
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)
    assert [(e.target, e.rows, e.detail["format"]) for e in _events("export")] == [
        ("network:natverk-klimat", 3, "csv"),
        ("network:natverk-klimat", 4, "xlsx"),
    ]


# -- commands ----------------------------------------------------------------------------------------


def test_cli_list_and_members(runner, district):
    result = runner.invoke(args=["networks", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["SLUG", "NAME", "MEMBERS"]
    assert lines[1].split() == ["natverk-klimat", "Klimatnätverket", "3"]
    assert lines[2].split() == ["natverk-kvinnoforum", "Kvinnoforum", "1"]

    table = runner.invoke(args=["networks", "members", "Klimatnätverket", "--association", "timra"])
    assert table.exit_code == 0, table.output
    assert "Tova Timråsson" in table.output and "070-123 45 67" in table.output
    assert "Sundsvallsdotter" not in table.output and "Tidigare" not in table.output
    assert "2 member(s)" in table.output

    missing = runner.invoke(args=["networks", "members", "nope"])
    assert missing.exit_code != 0 and "natverk-klimat" in missing.output
    assert runner.invoke(args=["networks", "members", "natverk-klimat", "--association", "x"]).exit_code != 0


def test_cli_members_csv_is_formula_safe_and_audited(runner, district, make_member, make_network):
    evil = make_member("=1+1", "Ond", association="Ånge", phone="+4512345678")
    make_network(members=[evil])
    result = runner.invoke(
        args=["networks", "members", "natverk-klimat", "--format", "csv", "--status", "all"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["last_name"] for r in rows] == ["Ond", "Sundsvallsdotter", "Tidigare", "Timråsson", "Tystnad"]
    assert rows[0]["first_name"] == "'=1+1" and rows[0]["phone"].startswith("'+45")
    assert [(e.target, e.rows, e.user_id, e.detail["via"]) for e in _events("export")] == [
        ("network:natverk-klimat", 5, None, "cli")
    ]


def test_a_network_page_leads_to_the_member_list_filtered_by_it(client, login_as):
    """The member list's network filter finds the same people the network page lists."""
    import re

    from survey.models import NetworkMembership, Organisation, OrganisationKind
    from tests.support import calllists as cl

    net = Organisation(slug="natverk-klimat", name="Klimatnätverket", kind=OrganisationKind.NETWORK)
    db.session.add(net)
    on, off = cl.members("Timrå", 2)
    db.session.flush()
    db.session.add(NetworkMembership(member_id=on.id, organisation_id=net.id))
    db.session.commit()
    login_as("organizer", "Timrå")
    page = client.get("/admin/networks/natverk-klimat").text
    link = re.search(r'href="(/admin/members\?network=\d+)"', page).group(1)
    listed = client.get(link).text
    assert on.last_name in listed and f"{on.member_number}" in listed and f"{off.member_number}" not in listed
