"""The organizers' call list pages (/admin/calls): lists, progress, flagged calls, callers, exports.

Organizers manage the lists of their own associations; another association's list answers 404.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach.calllists import caller_accounts, followups, paper, queue, reports, services
from outreach.calllists.forms import CallerForm, CsrfForm, ListForm, aware, local_input
from survey import tabular
from survey.accounts import services as accounts
from survey.core import access, audit
from survey.core.access import staff_required
from survey.extensions import db
from survey.i18n import N_
from survey.models import Call, CallList, Survey, utcnow
from survey.overview import charts
from survey.registry import filters
from survey.registry.filter_form import FilterForm, filter_label

bp = Blueprint("calllists_admin", __name__, url_prefix="/admin/calls")

EXPORT_TYPES = {"csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "pdf": "application/pdf"}
BLOCKED_LABELS = {
    "cooldown": N_("Väntar efter ett samtal utan kontakt"),
    "callback": N_("Ring tillbaka är bokat"),
    "allocated": N_("Hos en ringare just nu"),
    "no_number": N_("Inget eller fel nummer"),
    "needs_action": N_("Behöver åtgärd av en organisatör"),
    "do_not_contact": N_("Vill inte bli kontaktad"),
}


def _list(list_id: int) -> CallList:
    call_list = db.session.get(CallList, list_id)
    if call_list is None or not services.can_manage(current_user, call_list):
        abort(404)
    return call_list


def _survey_for(form: ListForm | None, call_list: CallList | None) -> Survey | None:
    raw = form.survey.data if form is not None and form.survey.data else None
    if raw and str(raw).isdigit():
        return db.session.get(Survey, int(raw))
    if call_list is not None and call_list.survey is not None:
        return call_list.survey
    return db.session.scalar(sa.select(Survey).order_by(Survey.created_at.desc()).limit(1))


@bp.get("/")
@staff_required
def index():
    lists = services.managed_lists(current_user)
    now = utcnow()
    summary = {c.id: reports.stats(c, now) for c in lists}
    return render_template("calllists/admin_index.html", lists=lists, summary=summary, now=now)


def _input(form: ListForm, orgs) -> services.ListInput:
    chosen = {int(i) for i in form.associations.data or [] if str(i).isdigit()}
    goal: dict = {"kind": form.goal.data or "reached"}
    if goal["kind"] == "survey":
        goal["survey"] = int(form.survey.data) if form.survey.data else None
    if goal["kind"] == "filter":
        goal["filters"] = form.goal_filter.form.to_filters()
    return services.ListInput(
        title=form.title.data or "", associations=[o for o in orgs if o.id in chosen],
        instructions=form.instructions.data or None, script=form.script.data or None,
        survey_id=int(form.survey.data) if form.survey.data else None, filters=form.target.form.to_filters(),
        goal=goal, cooldown_hours=form.cooldown_hours.data or 24, opens_at=aware(form.opens_at.data),
        closes_at=aware(form.closes_at.data), show_email=form.show_email.data,
        show_address=form.show_address.data, show_birth_year=form.show_birth_year.data)


def _edit(call_list: CallList | None):
    orgs = access.visible_associations(current_user)
    form = ListForm(obj=None)
    if request.method == "GET":
        if call_list is not None:
            form.title.data, form.instructions.data = call_list.title, call_list.instructions
            form.script.data, form.cooldown_hours.data = call_list.script, call_list.cooldown_hours
            form.survey.data = str(call_list.survey_id or "")
            form.associations.data = [str(o.id) for o in call_list.associations]
            form.goal.data = (call_list.goal or {}).get("kind", "reached")
            form.target.form.load(call_list.filters or [])
            form.goal_filter.form.load((call_list.goal or {}).get("filters") or [])
            form.opens_at.data = local_input(call_list.opens_at)
            form.closes_at.data = local_input(call_list.closes_at)
            for name in ("show_email", "show_address", "show_birth_year"):
                getattr(form, name).data = getattr(call_list, name)
            form.callers.data = "\n".join(u.email for u in call_list.callers)
        else:
            if len(orgs) == 1:
                form.associations.data = [str(orgs[0].id)]
            # "Gör en ringlista av urvalet" on the member list hands its search over in the query string.
            form.title.data = request.args.get("title", "")[:200] or None
            form.target.form.load(FilterForm(request.args, prefix="target").to_filters())
    form.set_choices(orgs, _survey_for(form, call_list))
    counts = None
    if request.method == "POST" and form.validate_on_submit():
        data = _input(form, orgs)
        now = utcnow()
        if request.form.get("action") == "count":
            scope = [o.id for o in data.associations] or [o.id for o in orgs]
            try:
                total, each = filters.count(db.session, data.filters, scope, now)
                counts = {"total": total, "each": list(zip(data.filters, each, strict=True))}
            except filters.FilterError:
                flash(_("Filtret går inte att räkna ut."))
        else:
            callers, missing = _callers(form.callers.data)
            try:
                saved = services.save_list(data, current_user, now, call_list)
                for user in callers:
                    services.add_caller(saved, user)
            except services.CallListError as exc:
                db.session.rollback()
                flash(_error(exc.code))
            else:
                db.session.commit()
                for email in missing:
                    flash(_("Inget konto med e-postadressen %(email)s; skapa det på listans sida.",
                            email=email))
                flash(_("Listan är sparad."))
                return redirect(url_for(".show", list_id=saved.id))
    return render_template("calllists/admin_form.html", form=form, call_list=call_list, counts=counts,
                           filter_label=filter_label)


def _callers(text: str | None):
    found, missing = [], []
    for line in (text or "").split():
        user = accounts.by_email(line)
        (found.append(user) if user is not None else missing.append(line))
    return found, missing


def _error(code: str) -> str:
    return {
        "title": _("Ge listan ett namn."),
        "associations": _("Välj minst en av dina föreningar."),
        "goal": _("Välj när ett samtal räknas som klart."),
        "times": _("Listan måste stänga efter att den öppnar."),
        "filter": _("Filtret är inte komplett."),
        "other_association": _("En organisatör måste höra till listans förening för att ringa från den."),
        "admin": _("Distriktsadministratörer kan redan ringa från alla listor."),
        "inactive": _("Kontot är avstängt."),
    }.get(code, _("Något gick fel."))


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    if not access.visible_associations(current_user):
        abort(403)
    return _edit(None)


@bp.route("/<int:list_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(list_id: int):
    return _edit(_list(list_id))


@bp.get("/<int:list_id>")
@staff_required
def show(list_id: int):
    call_list = _list(list_id)
    now = utcnow()
    queue.refresh(call_list, now, force=True)
    db.session.commit()
    stats = reports.stats(call_list, now)
    labels = [_(services.OUTCOMES[k]) for k in stats.outcomes]
    chart = charts.bar_chart("chart-outcomes", _("Utfall av samtalen"),
                             _("Antal samtal per utfall på listan."),
                             [charts.Bar(label, (n,)) for label, n in zip(labels, stats.outcomes.values(),
                                                                          strict=True)])
    return render_template("calllists/admin_show.html", call_list=call_list, stats=stats, chart=chart,
                           outcome_labels=dict(zip(stats.outcomes, labels, strict=True)),
                           blocked_labels=BLOCKED_LABELS, flags=followups.flags(call_list),
                           caller_form=CallerForm(), form=CsrfForm(), now=now)


@bp.post("/<int:list_id>/callers")
@staff_required
def callers(list_id: int):
    call_list = _list(list_id)
    remove = request.form.get("remove", "")
    if remove.isdigit():
        if not CsrfForm().validate_on_submit():
            abort(400)
        user = next((u for u in call_list.callers if u.id == int(remove)), None)
        if user is not None:
            services.remove_caller(call_list, user)
            db.session.commit()
            flash(_("%(email)s ringer inte längre från listan.", email=user.email))
        return redirect(url_for(".show", list_id=list_id))
    form = CallerForm()
    if not form.validate_on_submit():
        flash(_("Skriv en giltig e-postadress."))
        return redirect(url_for(".show", list_id=list_id))
    user = accounts.by_email(form.email.data)
    if user is None:
        flash(_("Inget konto med den e-postadressen. Skapa ett nytt ringarkonto nedan."))
        return redirect(url_for(".show", list_id=list_id))
    try:
        services.add_caller(call_list, user)
    except services.CallListError as exc:
        db.session.rollback()
        flash(_error(exc.code))
    else:
        db.session.commit()
        flash(_("%(email)s kan nu ringa från listan.", email=user.email))
    return redirect(url_for(".show", list_id=list_id))


@bp.post("/<int:list_id>/callers/new")
@staff_required
def new_caller(list_id: int):
    call_list = _list(list_id)
    form = CallerForm()
    if not form.validate_on_submit():
        flash(_("Skriv en giltig e-postadress."))
        return redirect(url_for(".show", list_id=list_id))
    try:
        user, token = caller_accounts.create_caller(form.email.data, call_list, current_user, utcnow())
    except accounts.AccountExists:
        db.session.rollback()
        flash(_("Det finns redan ett konto med den e-postadressen: lägg till det som ringare i stället."))
        return redirect(url_for(".show", list_id=list_id))
    db.session.commit()
    # Shown once: only the link's hash is stored.
    return render_template("calllists/admin_new_caller.html", call_list=call_list, user=user,
                           url=caller_accounts.link_url(token), days=caller_accounts.LINK_DAYS)


@bp.get("/<int:list_id>/flags")
@staff_required
def flags(list_id: int):
    call_list = _list(list_id)
    items = followups.flags(call_list)
    audit.record(current_user, "view", f"call_flags:{call_list.id}", rows=len(items))
    db.session.commit()
    return render_template("calllists/admin_flags.html", call_list=call_list, items=items, form=CsrfForm(),
                           outcomes=services.OUTCOMES)


@bp.post("/<int:list_id>/flags/<int:call_id>")
@staff_required
def resolve(list_id: int, call_id: int):
    call_list = _list(list_id)
    call = db.session.get(Call, call_id)
    if call is None or call.call_list_id != call_list.id:
        abort(404)
    if not CsrfForm().validate_on_submit():
        abort(400)
    followups.resolve_flag(call, current_user, utcnow())
    db.session.commit()
    flash(_("Markerat som åtgärdat."))
    return redirect(url_for(".flags", list_id=list_id))


@bp.post("/<int:list_id>/export.<fmt>")
@staff_required
def export(list_id: int, fmt: str):
    if fmt not in EXPORT_TYPES:
        abort(404)
    call_list = _list(list_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    if fmt == "pdf":  # the call sheet, for calling from paper (outreach/printing)
        from outreach.printing import service as printing

        printed = printing.print_call_sheet(current_user, call_list, utcnow())
        db.session.commit()
        return Response(printed.pdf, mimetype=EXPORT_TYPES[fmt],
                        headers={"Content-Disposition": f"attachment; filename=ringlista-{call_list.id}.pdf"})
    frame = reports.export_frame(call_list, utcnow())
    audit.record(current_user, "export", f"call_list:{call_list.id}", rows=len(frame), format=fmt)
    data = tabular.export_bytes(frame, fmt)
    db.session.commit()
    return Response(data, mimetype=EXPORT_TYPES[fmt],
                    headers={"Content-Disposition": f"attachment; filename=ringlista-{call_list.id}.{fmt}"})


@bp.route("/<int:list_id>/paper", methods=["GET", "POST"])
@staff_required
def paper_results(list_id: int):
    """Type in what callers ticked on a printed call sheet."""
    call_list = _list(list_id)
    now = utcnow()
    if request.method == "POST":
        if not CsrfForm().validate_on_submit():
            abort(400)
        entries = {int(key.removeprefix("outcome-")): (value, request.form.get(f"note-{key[8:]}", "")[:500])
                   for key, value in request.form.items() if key.startswith("outcome-")
                   and key[8:].isdigit() and value}
        stored = paper.record(call_list, current_user, entries, now)
        db.session.commit()
        flash(_("%(n)d samtal från papperslistan sparade.", n=stored))
        return redirect(url_for(".show", list_id=list_id))
    labels = {key: _(services.OUTCOMES[key]) for key in paper.SHEET_OUTCOMES}
    return render_template("calllists/admin_paper.html", call_list=call_list, rows=paper.rows(call_list, now),
                           labels=labels, form=CsrfForm())
