"""Call lists for `kraftkartan demo`: one per association, with two caller accounts each.

The callers' passwords are fixed and printed by the demo, so anyone trying it can log in on a phone and
call; they are demo accounts on synthetic members and must never exist in a real installation. A second
run adds nothing that is already there (lists are keyed by title and association).
"""

from __future__ import annotations

import sqlalchemy as sa

from outreach.calllists import services
from survey.accounts import services as accounts
from survey.extensions import db
from survey.models import (
    CallList,
    Organisation,
    OrganisationKind,
    Role,
    Survey,
    call_list_associations,
    utcnow,
)

TITLE = "Ring dem som inte svarat"
SCRIPT = ("Hej {förnamn}! Jag heter … och ringer från partiet här i {förening}. Vi hör av oss till alla "
          "medlemmar inför valet. Har du en minut?\n\nVi har en kort enkät om vad du kan och vill göra i "
          "valrörelsen. Vill du svara nu i telefon, så fyller jag i åt dig?")
INSTRUCTIONS = ("Ring i lugn takt. Säger någon nej till att bli ringd igen: välj ”Ring inte igen”.\n\n"
                "Fråga alltid om samtycke innan du fyller i enkäten, och läs upp texten som står där.")


def caller_password(slug: str, n: int) -> str:
    return f"demo-ringare-{slug}-{n}"


def seed_call_lists(orgs: dict[str, Organisation], survey: Survey) -> list[tuple[str, str, str]]:
    """Make sure each association has its list and callers; returns (association, e-mail, password)."""
    out = []
    for slug, org in orgs.items():
        if org.kind is not OrganisationKind.ASSOCIATION:
            continue
        existing = db.session.scalar(
            sa.select(CallList).join(call_list_associations,
                                     call_list_associations.c.call_list_id == CallList.id)
            .where(CallList.title == TITLE, call_list_associations.c.organisation_id == org.id))
        if existing is None:
            script = SCRIPT.replace("{förening}", org.name)
            existing = services.save_list(services.ListInput(
                title=TITLE, associations=[org], instructions=INSTRUCTIONS, script=script,
                survey_id=survey.id,
                filters=[{"kind": "not_answered", "survey": survey.id}],
                goal={"kind": "survey", "survey": survey.id}, cooldown_hours=4), None, utcnow())
        for n in (1, 2):
            email, password = f"ringare{n}.{slug}@example.org", caller_password(slug, n)
            user = accounts.set_user(email, password, Role.CALLER)
            services.add_caller(existing, user)
            out.append((org.name, email, password))
    db.session.flush()
    return out
