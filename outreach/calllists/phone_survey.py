"""Taking a member's survey by phone: the member's own walk (one section per page, the same validation and
show-if rules, the same submission), driven by a caller.

The submission is the member's ("m:<member id>", what their personal links open), so a member who later
opens their own link sees and can change what was entered. It is marked `via="phone"` with the caller's
account, and consent given on the call is recorded as verbal (`consent_via="verbal"`).
"""

from __future__ import annotations

from datetime import datetime

from flask import url_for

from survey.core import audit
from survey.extensions import db
from survey.models import CallTarget, Submission, Survey, User
from survey.respond import forms
from survey.respond import services as responses
from survey.respond.walk import Walk


class PhoneWalk(Walk):
    """The walk with the caller's addresses; a member's own sheet is never signed (they are known)."""

    REVIEW = "_review"

    def __init__(self, submission: Submission, target: CallTarget):
        super().__init__(None, submission)  # type: ignore[arg-type]  # no link: the member is known
        self.target = target

    @property
    def asks_signature(self) -> bool:
        return False

    def _url(self, endpoint: str, **values) -> str:
        return url_for(endpoint, list_id=self.target.call_list_id, target_id=self.target.id, **values)

    def page_url(self, key: str, token: str | None = None) -> str:
        return self._url("calllists.survey_page", section_key=key)

    def url_after(self, key: str, token: str | None = None) -> str:
        keys = self.page_keys()
        i = keys.index(key) if key in keys else -1
        if i + 1 < len(keys):
            return self.page_url(keys[i + 1])
        return self._url("calllists.survey_review")

    def url_before(self, key: str, token: str | None = None) -> str:
        keys = self.page_keys()
        i = keys.index(key) if key in keys else 0
        if i > 0:
            return self.page_url(keys[i - 1])
        return self._url("calllists.survey_start")

    def form(self, section, lang: str, formdata=None):
        """The member's page; the registry prefill leaves out what the list does not show its callers
        (data minimization: an e-mail address or postcode is not on the caller's screen either)."""
        if formdata is not None:
            return super().form(section, lang, formdata=formdata)
        questions = self.questions(section)
        data = self.answers
        if not any(q.key in data for q in questions) and not self.is_submitted:
            call_list = self.target.call_list
            hidden = {"email"} if not call_list.show_email else set()
            if not call_list.show_address:
                hidden.add("postcode")
            shown = [q for q in questions if q.prefill not in hidden]
            known = responses.prefill(self.submission.member, shown)
            data = {**known, **data}
        return forms.stored_form(questions, data)

    def review_url(self) -> str:
        return self._url("calllists.survey_review")

    def call_url(self) -> str:
        return self._url("calllists.target")


def walk_for(survey: Survey, target: CallTarget, caller: User, lang: str) -> PhoneWalk:
    """The member's submission (created as a draft if they have none), marked as entered by phone."""
    submission = responses.submission_by_key(survey, f"m:{target.member_id}", target.member_id, lang)
    if submission.status.value == "draft" and submission.via is None:
        submission.via, submission.entered_by_id = "phone", caller.id
    db.session.flush()
    return PhoneWalk(submission, target)


def submit(walk: PhoneWalk, caller: User, now: datetime) -> None:
    """Submit as the member's own submit does; consent given now was given aloud."""
    submission = walk.submission
    newly_consented = walk.has_consent and submission.consent_at is None
    submission.via, submission.entered_by_id = "phone", caller.id
    if newly_consented:
        submission.consent_via = "verbal"
    responses.submit(submission, now, consent=walk.has_consent)
    audit.record(caller, "survey_by_phone", f"submission:{submission.id}", rows=1,
                 association_id=walk.target.member.association_id, call_list=walk.target.call_list_id,
                 verbal_consent=newly_consented)
