"""The open link's "who is answering" form: what is required depends on the survey's signature mode.

Apart from survey/respond/forms.py, whose forms are built at run time from a section's questions: this
one is fixed.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from survey.respond.forms import strip


class SignatureForm(FlaskForm):
    """Who is answering, for the open link. What is required depends on the survey's signature mode."""

    def __init__(self, mode, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode = mode
        if kwargs.get("obj") is not None and kwargs.get("formdata") is None:
            sub = kwargs["obj"]
            self.name.data, self.phone.data, self.email.data = (
                sub.signed_name, sub.signed_phone, sub.signed_email
            )

    name = StringField(validators=[Optional(), Length(max=200)], filters=[strip])
    phone = StringField(validators=[Optional(), Length(max=40)], filters=[strip])
    email = StringField(validators=[Optional(), Length(max=254)], filters=[strip])

    def validate(self, extra_validators=None, complete: bool = True) -> bool:
        """Check the values' shape; with `complete`, also what the signature mode requires."""
        from survey.core.contacts import normalize_email, normalize_phone
        from survey.models import SignatureMode

        ok = super().validate(extra_validators)
        if self.phone.data and normalize_phone(self.phone.data) is None:
            self.phone.errors.append(_("Telefonnumret ser inte rätt ut. Skriv till exempel 070-123 45 67."))
            ok = False
        if self.email.data and normalize_email(self.email.data) is None:
            self.email.errors.append(_("E-postadressen ser inte rätt ut."))
            ok = False
        if complete and self.mode is SignatureMode.NAME_AND_CONTACT:
            if not self.name.data:
                self.name.errors.append(_("Skriv ditt namn."))
                ok = False
            if not (self.phone.data or self.email.data):
                self.phone.errors.append(_("Ange telefonnummer eller e-post."))
                ok = False
        return ok
