"""Campaign tasks and their shifts: list, week calendar, edit, CSV import, ICS feeds.

Shift rows are plain numbered inputs (shift-0-date, shift-0-start ...) so that the form works without
JavaScript: a few empty rows are always shown, and "more shifts" re-posts the form with more of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import MultiDict
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField

from outreach.tasks import calendar, ics, roster, vocabulary
from outreach.tasks import importer as task_import
from outreach.tasks import services as tasks
from survey.core import access
from survey.core.access import staff_required
from survey.extensions import db
from survey.models import Organisation, Task, TaskKind

bp = Blueprint("tasks", __name__, url_prefix="/admin/tasks")
# Calendar apps subscribe without a login, so the feeds live outside /admin, in a blueprint of their own.
feeds = Blueprint("ics", __name__, url_prefix="/ics")


EMPTY_ROWS, MORE_ROWS, MAX_ROWS = 2, 3, 100


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class TaskForm(FlaskForm):
    title = StringField(filters=[_strip])
    kind = SelectField(choices=[k.value for k in TaskKind])
    association = SelectField(choices=[])
    place = StringField(filters=[_strip])
    required_skills = SelectMultipleField(choices=[])
    preferred_skills = SelectMultipleField(choices=[])
    topic = SelectField(choices=[])
    priority = RadioField(choices=["1", "2", "3"], default="1")
    notes = TextAreaField(filters=[_strip])


class ConfirmForm(FlaskForm):
    """Only a CSRF token."""


class ImportForm(FlaskForm):
    file = FileField(validators=[FileRequired(_l("Välj en CSV-fil."))])


@dataclass
class ShiftRow:
    id: str = ""
    date: str = ""
    start: str = ""
    end: str = ""
    slots: str = "1"
    remove: bool = False
    filled: int = 0

    @property
    def blank(self) -> bool:
        return not (self.date or self.start or self.end)


@bp.context_processor
def _labels() -> dict:
    return {"kind_label": vocabulary.kind_label, "kinds": list(TaskKind),
            "priority_labels": {k: _(v) for k, v in vocabulary.PRIORITY_LABELS.items()},
            "can_create": current_user.is_authenticated and access.can_create_tasks(current_user)}


def _task(task_id: int, edit: bool = False) -> Task:
    """404 for another association's task (do not confirm it exists); 403 to change a district task."""
    task = db.session.get(Task, task_id)
    if task is None or not access.can_see_task(current_user, task):
        abort(404)
    if edit and not access.can_edit_task(current_user, task):
        abort(403)
    return task


def _filter_choices() -> list[tuple[str, str]]:
    return [("", _("Alla")), ("none", _("Hela distriktet"))] + [
        (str(o.id), o.name) for o in access.visible_associations(current_user)]


@bp.get("/")
@staff_required
def index():
    args = request.args
    week = calendar.monday_of(args["week"], current_user) if args.get("week") else None
    found = tasks.list_tasks(current_user, args.get("association", ""), args.get("kind", ""), week)
    return render_template("tasks/index.html", tasks=found, totals=tasks.fill_totals(found), week=week,
                           weeks=tasks.shift_mondays(current_user), associations=_filter_choices(),
                           feeds=ics.feeds_for(current_user))


@bp.get("/week")
@staff_required
def week():
    association = request.args.get("association", "")
    monday = calendar.monday_of(request.args.get("start"), current_user, association=association)
    view = calendar.week_view(current_user, monday, association)
    return render_template("tasks/week.html", view=view, association=association,
                           associations=_filter_choices(), feeds=ics.feeds_for(current_user))


@bp.get("/<int:task_id>")
@staff_required
def show(task_id: int):
    task = _task(task_id)
    return render_template("tasks/show.html", task=task, places=tasks.staffing(task.shifts),
                           people=roster.people(current_user, task),
                           skills=vocabulary.skill_options(), topics=vocabulary.topic_options(),
                           can_edit=access.can_edit_task(current_user, task))


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    if not access.can_create_tasks(current_user):
        abort(403)
    return _edit(None)


@bp.route("/<int:task_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(task_id: int):
    return _edit(_task(task_id, edit=True))


def _edit(task: Task | None):
    form = TaskForm(data=_form_data(task))
    _set_choices(form, task)
    if request.method == "POST":
        rows = _rows_from(request.form)
    else:
        places = tasks.staffing(task.shifts) if task else {}
        rows = [ShiftRow(str(s.id), s.start_local.date().isoformat(), f"{s.start_local:%H:%M}",
                         f"{s.end_local:%H:%M}", str(s.slots), filled=places[s.id].held)
                for s in (task.shifts if task else [])]
    problems: dict[str, str] = {}
    if "more" in request.form:
        rows += [ShiftRow() for _i in range(MORE_ROWS)]
    elif form.validate_on_submit():
        data, problems = _task_input(form, rows)
        if not problems:
            try:
                saved = tasks.save_task(data, task)
            except tasks.TaskInvalid as exc:
                problems = exc.problems
            else:
                db.session.commit()
                flash(_("Uppgiften ”%(title)s” är sparad.", title=saved.title))
                return redirect(url_for(".show", task_id=saved.id))
    else:
        problems = {name: messages[0] for name, messages in form.errors.items()}
    if not any(r.blank for r in rows):
        rows += [ShiftRow() for _i in range(EMPTY_ROWS)]
    names = {"": _("Hela distriktet eller på distans")} | {
        str(o.id): o.name for o in access.visible_associations(current_user)}
    return render_template("tasks/form.html", form=form, task=task, rows=rows[:MAX_ROWS],
                           problems=problems, skills=vocabulary.skill_options(),
                           topics=vocabulary.topic_options(), association_names=names)


def _form_data(task: Task | None) -> dict:
    if task is None:
        return {"priority": "1"}
    return {"title": task.title, "kind": task.kind.value, "place": task.place, "notes": task.notes,
            "association": str(task.association_id or ""), "required_skills": task.required_skills,
            "preferred_skills": task.preferred_skills, "topic": task.topic or "",
            "priority": str(task.priority)}


def _set_choices(form: TaskForm, task: Task | None) -> None:
    district = [""] if access.can_manage_association(current_user, None) else []
    form.association.choices = district + [str(o.id) for o in access.visible_associations(current_user)]
    # Keep what a task already has even if the newest survey dropped it, so that saving shows the problem
    # ("unknown skill") instead of silently losing it.
    extra = (task.required_skills + task.preferred_skills) if task else []
    skills = list(dict.fromkeys([*vocabulary.skill_options(), *extra]))
    form.required_skills.choices = form.preferred_skills.choices = skills
    topic = [task.topic] if task and task.topic else []
    form.topic.choices = list(dict.fromkeys(["", *vocabulary.topic_options(), *topic]))


def _rows_from(formdata: MultiDict) -> list[ShiftRow]:
    count = min(formdata.get("rows", 0, type=int), MAX_ROWS)
    names = ("id", "date", "start", "end", "slots")
    return [ShiftRow(*(formdata.get(f"shift-{i}-{name}", "").strip() for name in names),
                     remove=bool(formdata.get(f"shift-{i}-remove"))) for i in range(count)]


def _task_input(form: TaskForm, rows: list[ShiftRow]) -> tuple[tasks.TaskInput, dict[str, str]]:
    """The form as service input; problems with shift rows are keyed by row ("shift-3-end")."""
    problems: dict[str, str] = {}
    shifts = []
    for i, row in enumerate(rows):
        if row.remove or row.blank:
            continue
        shift, row_problems = tasks.parse_shift(row.date, row.start, row.end, row.slots)
        problems.update({f"shift-{i}-{key}": message for key, message in row_problems.items()})
        if shift is not None:
            shift.id = int(row.id) if row.id.isdigit() else None
            shifts.append(shift)
    data = tasks.TaskInput(
        title=form.title.data or "", kind=TaskKind(form.kind.data), place=form.place.data,
        association_id=int(form.association.data) if form.association.data else None,
        required_skills=form.required_skills.data, preferred_skills=form.preferred_skills.data,
        topic=form.topic.data or None, priority=int(form.priority.data), notes=form.notes.data, shifts=shifts)
    task_level = tasks.task_problems(data, vocabulary.skill_options(), vocabulary.topic_options())
    problems.update({k: v for k, v in task_level.items() if not k.startswith("shift-")})
    return data, problems


@bp.route("/<int:task_id>/delete", methods=["GET", "POST"])
@staff_required
def delete(task_id: int):
    task = _task(task_id, edit=True)
    form = ConfirmForm()
    if form.validate_on_submit():
        title = task.title
        tasks.delete_task(task)
        db.session.commit()
        flash(_("Uppgiften ”%(title)s” är borttagen.", title=title))
        return redirect(url_for(".index"))
    held = tasks.fill_totals([task])[task.id].held
    return render_template("tasks/delete.html", task=task, form=form, filled=held)


@bp.route("/import", methods=["GET", "POST"])
@staff_required
def import_csv():
    if not access.can_create_tasks(current_user):
        abort(403)
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        dry_run = "check" in request.form
        result = task_import.import_csv(form.file.data.read(), current_user, dry_run=dry_run)
        if result.ok and not dry_run:
            db.session.commit()
            flash(_("Importerat: %(tasks)d nya uppgifter och %(shifts)d nya pass.",
                    tasks=result.tasks_created, shifts=result.shifts_created))
            return redirect(url_for(".index"))
        db.session.rollback()
    return render_template("tasks/import.html", form=form, result=result,
                           columns=task_import.COLUMNS)


# -- calendar feeds (no login: the signed address is the key) -------------------------------------

def _calendar(body: bytes, name: str) -> Response:
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'inline; filename="{name}.ics"'})


@feeds.get("/association/<token>.ics")
def association(token: str):
    org_id = ics.read_token("association", token)
    org = db.session.get(Organisation, org_id) if isinstance(org_id, int) else None
    if org is None:
        abort(404)
    return _calendar(ics.association_calendar(org), org.slug)


@feeds.get("/district/<token>.ics")
def district(token: str):
    if ics.read_token("district", token) != ics.DISTRICT:
        abort(404)
    return _calendar(ics.district_calendar(), "distriktet")


@feeds.get("/member/<token>.ics")
def member(token: str):
    member = ics.member_from_token(token)
    if member is None:  # tampered, or erased since
        abort(404)
    return _calendar(ics.member_calendar(member.id), "mina-uppdrag")
