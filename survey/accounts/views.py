"""Accounts: admins manage users (/admin/accounts); everyone manages their own (/admin/accounts/me):
password change and two-factor login with an authenticator app (TOTP): optional for organizers and
callers, required of admins (see `survey.core.access.admin_totp_deadline`).

Admins do not act on their own account from the user pages: changing one's own password needs the old
one, and an admin cannot demote or deactivate themselves and leave the district without an admin.
"""

from __future__ import annotations

import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from survey.accounts import services as accounts
from survey.core import access, audit, security
from survey.core.access import admin_required
from survey.extensions import db
from survey.models import Role, User
from survey.web import local_time

bp = Blueprint("accounts", __name__, url_prefix="/admin/accounts")

SETUP_KEY = "kk_totp_setup"
ROLE_LABELS = {Role.ADMIN: _l("Distriktsadministratör"), Role.ORGANIZER: _l("Organisatör i förening"),
               Role.CALLER: _l("Ringare")}
_TOO_SHORT = _l("Minst %(n)d tecken.", n=accounts.MIN_PASSWORD_LENGTH)
_LONG_ENOUGH = Length(min=accounts.MIN_PASSWORD_LENGTH, message=_TOO_SHORT)


class RoleForm(FlaskForm):
    role = RadioField(choices=[r.value for r in Role], validators=[DataRequired(_l("Välj en roll."))])
    associations = SelectMultipleField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.orgs = accounts.all_associations()
        self.associations.choices = [str(o.id) for o in self.orgs]

    def validate_associations(self, field) -> None:
        if self.role.data == Role.ORGANIZER.value and not field.data:
            raise ValidationError(_("Välj minst en förening för en organisatör."))

    def chosen(self) -> list:
        """The ticked associations, for organizers; other roles have none (ticks left over are dropped)."""
        if self.role.data != Role.ORGANIZER.value:
            return []
        ids = set(self.associations.data or [])
        return [o for o in self.orgs if str(o.id) in ids]


class NewUserForm(RoleForm):
    email = EmailField(validators=[DataRequired(_l("Skriv en e-postadress.")),
                                   Email(_l("Skriv en giltig e-postadress."))])
    password = PasswordField(validators=[Optional(), _LONG_ENOUGH])  # empty: generate one

    def validate_email(self, field) -> None:
        if accounts.by_email(field.data) is not None:
            raise ValidationError(_("Det finns redan ett konto med den e-postadressen."))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(validators=[Optional(), _LONG_ENOUGH])  # empty: generate one


class ChangePasswordForm(FlaskForm):
    current = PasswordField(validators=[DataRequired(_l("Skriv ditt nuvarande lösenord."))])
    new = PasswordField(validators=[DataRequired(_TOO_SHORT), _LONG_ENOUGH])
    confirm = PasswordField(validators=[EqualTo("new", _l("Lösenorden är inte likadana."))])


class CodeForm(FlaskForm):
    code = StringField(validators=[DataRequired(_l("Skriv koden från appen."))])


class PasswordForm(FlaskForm):
    password = PasswordField(validators=[DataRequired(_l("Skriv ditt lösenord."))])


class ButtonForm(FlaskForm):
    """Only a CSRF token, for one-button actions."""


@bp.context_processor
def _labels() -> dict:
    return {"role_labels": ROLE_LABELS}


def _flash_errors(*forms: FlaskForm) -> None:
    for form in forms:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")


def _flash_totp_required(user: User) -> None:
    """After making someone an admin or turning their two-factor login off: what is now asked of them."""
    deadline = access.admin_totp_deadline(user)
    if deadline is None:
        return
    if access.admin_totp_overdue(user):
        flash(_("Administratörer måste ha tvåstegsinloggning: %(email)s behöver slå på den direkt efter "
                "nästa inloggning.", email=user.email))
    else:
        flash(_("Administratörer måste ha tvåstegsinloggning: %(email)s behöver slå på den senast "
                "%(date)s.", email=user.email, date=local_time(deadline)))


# -- admins: everyone's accounts -------------------------------------------------------------------

@bp.get("/")
@admin_required
def index():
    return render_template("accounts/index.html", users=accounts.all_users())


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    form = NewUserForm()
    if form.validate_on_submit():
        user, password = accounts.create_user(form.email.data, Role(form.role.data), form.chosen(),
                                              form.password.data or None)
        audit.record(current_user, "user.add", f"user:{user.email}", role=user.role.value)
        db.session.commit()
        _flash_totp_required(user)
        # A generated password is shown this once (the page is never cached) and never stored in clear.
        return _user_page(user, new_password=None if form.password.data else password)
    _flash_errors(form)
    return render_template("accounts/new.html", form=form)


def _other_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _user_page(user: User, new_password: str | None = None, role_form: RoleForm | None = None):
    if role_form is None:
        role_form = RoleForm(data={"role": user.role.value,
                                   "associations": [str(o.id) for o in user.associations]})
    return render_template("accounts/user.html", user=user, role_form=role_form,
                           new_password=new_password, password_form=ResetPasswordForm(formdata=None),
                           button_form=ButtonForm())


def _not_self(user: User):
    """Redirect to "Mitt konto" when an admin targets their own account; None otherwise."""
    if user.id == current_user.id:
        flash(_("Ändra ditt eget konto under Mitt konto."), "error")
        return redirect(url_for(".me"))
    return None


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user(user_id: int):
    user = _other_user(user_id)
    if (back := _not_self(user)) is not None:
        return back
    form = RoleForm()
    if form.validate_on_submit():
        accounts.set_role(user, Role(form.role.data), form.chosen())
        audit.record(current_user, "user.role", f"user:{user.email}", role=user.role.value)
        db.session.commit()
        flash(_("Rollen är sparad."))
        _flash_totp_required(user)
        return redirect(url_for(".user", user_id=user.id))
    _flash_errors(form)
    return _user_page(user, role_form=form if form.is_submitted() else None)


@bp.post("/<int:user_id>/password")
@admin_required
def reset_password(user_id: int):
    user = _other_user(user_id)
    if (back := _not_self(user)) is not None:
        return back
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(url_for(".user", user_id=user.id))
    password = accounts.reset_password(user, form.password.data or None)
    audit.record(current_user, "user.password_reset", f"user:{user.email}")
    db.session.commit()
    flash(_("Lösenordet är bytt. Personen loggas ut överallt."))
    return _user_page(user, new_password=None if form.password.data else password)


@bp.post("/<int:user_id>/active")
@admin_required
def toggle_active(user_id: int):
    user = _other_user(user_id)
    if (back := _not_self(user)) is not None:
        return back
    if ButtonForm().validate_on_submit():
        accounts.set_active(user, not user.active)
        action = "user.reactivate" if user.active else "user.deactivate"
        audit.record(current_user, action, f"user:{user.email}")
        db.session.commit()
        flash(_("Kontot är aktivt igen.") if user.active else _("Kontot är avstängt och loggas ut."))
    return redirect(url_for(".user", user_id=user.id))


@bp.post("/<int:user_id>/totp/disable")
@admin_required
def disable_user_totp(user_id: int):
    """For someone who lost their phone: they log in with the password and can set up 2FA again."""
    user = _other_user(user_id)
    if (back := _not_self(user)) is not None:
        return back
    if ButtonForm().validate_on_submit():
        accounts.disable_totp(user)
        audit.record(current_user, "user.2fa_off", f"user:{user.email}")
        db.session.commit()
        flash(_("Tvåstegsinloggningen är avstängd för kontot."))
        _flash_totp_required(user)
    return redirect(url_for(".user", user_id=user.id))


# -- everyone: their own account -------------------------------------------------------------------

def _me_page(password_form: ChangePasswordForm | None = None, disable_form: PasswordForm | None = None):
    return render_template("accounts/me.html",
                           password_form=password_form or ChangePasswordForm(formdata=None),
                           disable_form=disable_form or PasswordForm(formdata=None),
                           totp_deadline=access.admin_totp_deadline(current_user))


@bp.get("/me")
@login_required
def me():
    return _me_page()


@bp.post("/me/password")
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if accounts.change_own_password(current_user, form.current.data, form.new.data):
            db.session.commit()
            security.refresh_stamp(current_user)  # this session stays; all others end
            flash(_("Ditt lösenord är bytt. Du loggas ut på andra enheter."))
            return redirect(url_for(".me"))
        form.current.errors = [_("Det nuvarande lösenordet stämmer inte.")]
    _flash_errors(form)
    return _me_page(password_form=form), 200


@bp.route("/me/totp", methods=["GET", "POST"])
@login_required
def totp_setup():
    """Also where an admin without two-factor login lands after logging in: during the grace period
    with a way on to where they were going, after it with nothing else to open (`access`)."""
    if current_user.totp_secret:
        return redirect(url_for(".me"))
    secret = session.get(SETUP_KEY) or accounts.new_totp_secret()
    session[SETUP_KEY] = secret  # the same secret across reloads, so an already scanned code stays valid
    form = CodeForm()
    if form.validate_on_submit():
        if accounts.enable_totp(current_user, secret, form.code.data):
            db.session.commit()
            session.pop(SETUP_KEY, None)
            security.refresh_stamp(current_user)
            flash(_("Tvåstegsinloggning är påslagen. Nästa gång du loggar in frågar vi efter en kod."))
            return redirect(url_for(".me"))
        flash(_("Koden stämmer inte. Kontrollera att telefonens klocka går rätt och försök igen."), "error")
    uri = accounts.totp_uri(current_user, secret)
    # A data: URI keeps the page free of inline SVG markup and needs nothing but img-src data: in the CSP.
    qr = segno.make(uri, error="m")
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("accounts/totp.html", form=form, qr=qr.png_data_uri(scale=5, border=2),
                           qr_size=qr.symbol_size(scale=5, border=2)[0], secret=grouped,
                           deadline=access.admin_totp_deadline(current_user),
                           overdue=access.admin_totp_overdue(current_user),
                           continue_url=security.safe_next(request.args.get("next")))


@bp.post("/me/totp/disable")
@login_required
def totp_disable():
    form = PasswordForm()
    if form.validate_on_submit() and current_user.check_password(form.password.data):
        accounts.disable_totp(current_user)
        db.session.commit()
        security.refresh_stamp(current_user)
        flash(_("Tvåstegsinloggning är avstängd."))
        return redirect(url_for(".me"))
    if form.is_submitted() and not form.errors:
        form.password.errors = [_("Lösenordet stämmer inte.")]
    _flash_errors(form)
    return _me_page(disable_form=form), 200
