"""One respondent's walk through a survey: page order, forms, saving, what is missing, the summary.

Kept out of the views so the same rules serve the web pages, the demo seeder and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for

from survey.models import (
    RegistryMatch,
    SignatureMode,
    Submission,
    SubmissionStatus,
    SurveyLink,
)
from survey.respond import forms
from survey.respond import services as responses
from survey.respond.plan import QuestionPlan, SectionPlan, plan_for


@dataclass
class SummaryRow:
    question: QuestionPlan
    value: Any


class Walk:
    SIGNATURE = "_signature"
    # What the signature page ("Vem är du?") already asks. For someone who signs, survey questions that
    # would prefill these from the registry are left out: nothing can be prefilled for them, so they
    # would only be asked the same thing twice, empty (issue 11).
    SIGNED_PREFILLS = frozenset({"first_name", "last_name", "full_name", "phone", "email"})

    def __init__(self, link: SurveyLink, submission: Submission):
        self.link = link
        self.submission = submission
        # The shared, read-only structure (survey/respond/plan.py): sections, questions and options.
        self.survey = plan_for(submission.survey)
        self._answers: dict[str, Any] | None = None
        self._visible: dict[str, list[QuestionPlan]] = {}
        self._sections: list[SectionPlan] | None = None

    # -- where we are ------------------------------------------------------------------------
    @property
    def is_submitted(self) -> bool:
        return self.submission.status is SubmissionStatus.SUBMITTED

    @property
    def asks_signature(self) -> bool:
        return (self.link.member_id is None and self.submission.registry_match is not RegistryMatch.PERSONAL
                and self.survey.signature is not SignatureMode.ANONYMOUS)

    @property
    def answers(self) -> dict[str, Any]:
        """The sheet's answers by key, read once per request: a page asks for them a dozen times (for
        its sections, its questions, its step number); saving a page forgets them."""
        if self._answers is None:
            self._answers = responses.answers_by_key(self.submission)
        return self._answers

    def _forget(self) -> None:
        self._answers, self._sections, self._visible = None, None, {}

    def sections(self) -> list[SectionPlan]:
        if self._sections is None:
            answers = self.answers
            self._sections = [s for s in responses.visible_sections(self.survey, answers)
                              if not self._emptied(s, answers)]
        return self._sections

    def _emptied(self, section: SectionPlan, answers: dict[str, Any]) -> bool:
        """A page whose every question the signature already asked: skipped, not shown as text alone."""
        if not self.asks_signature:
            return False
        shown = responses.visible_questions(section, answers)
        return any(q.is_answerable for q in shown) and not any(
            q.is_answerable for q in self._unsigned(shown))

    def _unsigned(self, questions: list[QuestionPlan]) -> list[QuestionPlan]:
        if not self.asks_signature:
            return questions
        return [q for q in questions if q.prefill not in self.SIGNED_PREFILLS]

    def page_keys(self) -> list[str]:
        keys = [s.key for s in self.sections()]
        return [self.SIGNATURE, *keys] if self.asks_signature else keys

    def section(self, key: str) -> SectionPlan | None:
        return next((s for s in self.sections() if s.key == key), None)

    def step(self, key: str) -> tuple[int, int]:
        keys = self.page_keys()
        return keys.index(key) + 1, len(keys)

    def page_url(self, key: str, token: str) -> str:
        if key == self.SIGNATURE:
            return url_for("respond.signature", token=token)
        return url_for("respond.page", token=token, section_key=key)

    def first_url(self, token: str) -> str:
        keys = self.page_keys()
        resume = self.submission.resume_section
        return self.page_url(resume if resume in keys else keys[0], token)

    def url_after(self, key: str, token: str) -> str:
        keys = self.page_keys()
        i = keys.index(key) if key in keys else -1
        if i + 1 < len(keys):
            return self.page_url(keys[i + 1], token)
        return url_for("respond.review", token=token)

    def url_before(self, key: str, token: str) -> str:
        keys = self.page_keys()
        i = keys.index(key) if key in keys else 0
        if i > 0:
            return self.page_url(keys[i - 1], token)
        return url_for("respond.start", token=token)

    # -- a page ------------------------------------------------------------------------------
    def questions(self, section: SectionPlan) -> list[QuestionPlan]:
        if section.key not in self._visible:
            self._visible[section.key] = self._unsigned(responses.visible_questions(section, self.answers))
        return self._visible[section.key]

    def form(self, section: SectionPlan, lang: str, formdata=None) -> forms.SectionForm | forms.StoredForm:
        """The page's form: WTForms for what was posted, the stored answers otherwise. `form.prefilled`
        says whether the registry filled anything in, so the page says "we have filled in what we know"
        only when that is true."""
        questions = self.questions(section)
        if formdata is not None:
            return forms.build_form(section, questions, lang, formdata=formdata)
        data = self.answers
        known: dict[str, Any] = {}
        # The member is loaded only for a page that asks what the registry knows (most pages do not).
        if (any(q.prefill for q in questions) and not any(q.key in data for q in questions)
                and self.submission.status is SubmissionStatus.DRAFT):
            known = responses.prefill(self.submission.member, questions)
            data = {**known, **data}
        form = forms.stored_form(questions, data)
        form.prefilled = bool(known)
        return form

    def save_page(self, section: SectionPlan, form: forms.SectionForm, strict: bool) -> dict[str, str]:
        """Save a page's answers; return errors by question key (nothing is saved when there are any)."""
        errors = forms.shape_errors(form)
        if errors:
            return errors
        values = forms.values(form)
        if strict:
            errors = forms.completeness_errors(form, values)
            if errors:
                return errors
        responses.save_answers(self.submission, self.questions(section), values)
        self._forget()
        if self.is_submitted:
            responses.submit(self.submission, self.submission.submitted_at, consent=self.has_consent)
        return {}

    # -- the whole survey --------------------------------------------------------------------
    def missing(self) -> dict[str, dict[str, str]]:
        """Completeness errors per visible section key, in page order."""
        result: dict[str, dict[str, str]] = {}
        answers = self.answers
        for section in self.sections():
            form = forms.stored_form(self.questions(section), answers)
            errors = forms.completeness_errors(
                form, {k: v for k, v in answers.items() if k in form.questions}
            )
            if errors:
                result[section.key] = errors
        return result

    @property
    def has_consent(self) -> bool:
        answers = self.answers
        return any(q.type == "consent" and answers.get(q.key) for q in self.survey.questions())

    def summary(self) -> list[tuple[SectionPlan, list[SummaryRow]]]:
        answers = self.answers
        result = []
        for section in self.sections():
            rows = [SummaryRow(q, answers.get(q.key)) for q in self.questions(section) if q.is_answerable]
            result.append((section, rows))
        return result
