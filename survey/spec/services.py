"""Surveys as data: turning a validated survey file into rows and rows back into the same file."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from survey import spec as surveyspec
from survey.extensions import db
from survey.i18n import STOCKHOLM
from survey.models import Option, Question, Section, SignatureMode, Submission, Survey


class SurveyInUse(ValueError):
    """Replacing a survey that people have answered would orphan their answers."""


# Item fields whose name differs between the file and the table.
_RENAMED = {"min": "min_value", "max": "max_value"}
_PLAIN = ("help", "min_choices", "max_choices", "min", "max", "max_length", "prefill", "profile", "show_if",
          "calendar")


def by_slug(slug: str) -> Survey | None:
    return db.session.scalar(sa.select(Survey).where(Survey.slug == slug))


def import_spec(spec: surveyspec.SurveySpec) -> tuple[Survey, str]:
    """Create the survey, or replace one with the same slug that nobody has answered yet.

    Returns the survey and what happened: "created", "replaced" or "unchanged".
    """
    existing = by_slug(spec.slug)
    if existing is not None:
        if export_spec(existing) == spec:
            return existing, "unchanged"
        answered = db.session.scalar(sa.select(sa.func.count()).select_from(Submission)
                                     .where(Submission.survey_id == existing.id))
        if answered:
            raise SurveyInUse(
                f"survey '{spec.slug}' already has {answered} answer sheet(s); import the new version under "
                f"another slug (or close this one) so existing answers keep their questions")
        db.session.delete(existing)
        db.session.flush()
    survey = _build(surveyspec.spec_to_dict(spec), spec)
    db.session.add(survey)
    db.session.flush()
    return survey, "replaced" if existing is not None else "created"


def _build(data: dict[str, Any], spec: surveyspec.SurveySpec) -> Survey:
    survey = Survey(slug=spec.slug, version=spec.version, title=data["title"], intro=data.get("intro"),
                    privacy_notice=data.get("privacy_notice"), opens_at=spec.opens_at,
                    closes_at=spec.closes_at, signature=SignatureMode(spec.signature))
    for s_pos, sd in enumerate(data["sections"]):
        section = Section(position=s_pos, key=sd["key"], title=sd["title"], intro=sd.get("intro"),
                          show_if=sd.get("show_if"))
        survey.sections.append(section)
        for q_pos, item in enumerate(sd["items"]):
            q = Question(survey=survey, position=q_pos, key=item.get("key"),
                         type=item.get("type", "text_block"), label=item.get("label", item.get("text")),
                         required=item.get("required", False))
            for name in _PLAIN:
                setattr(q, _RENAMED.get(name, name), item.get(name))
            q.options = [Option(position=i, key=o["key"], label=o["label"]) for i, o in
                         enumerate(item.get("options", []))]
            section.questions.append(q)
    return survey


def export_spec(survey: Survey) -> surveyspec.SurveySpec:
    """The survey as a spec, equal to the one it was imported from."""
    data: dict[str, Any] = {"format": surveyspec.FORMAT, "slug": survey.slug, "version": survey.version,
                            "title": survey.title, "signature": survey.signature.value, "sections": []}
    for name in ("intro", "privacy_notice"):
        if getattr(survey, name):
            data[name] = getattr(survey, name)
    for name in ("opens_at", "closes_at"):
        value: datetime | None = getattr(survey, name)
        if value is not None:
            data[name] = value.astimezone(STOCKHOLM).isoformat()
    for section in survey.sections:
        sd: dict[str, Any] = {"key": section.key, "title": section.title, "items": []}
        if section.intro:
            sd["intro"] = section.intro
        if section.show_if:
            sd["show_if"] = section.show_if
        for q in section.questions:
            sd["items"].append(_item(q))
        data["sections"].append(sd)
    return surveyspec.spec_from_dict(data, f"<database survey {survey.slug}>")


def _item(q: Question) -> dict[str, Any]:
    if q.type == "text_block":
        item: dict[str, Any] = {"text": q.label}
        if q.key:
            item["key"] = q.key
        if q.show_if:
            item["show_if"] = q.show_if
        return item
    item = {"key": q.key, "type": q.type, "label": q.label}
    if q.required:
        item["required"] = True
    for name in _PLAIN:
        value = getattr(q, _RENAMED.get(name, name))
        if value is not None:
            item[name] = value
    if q.options:
        item["options"] = [{"key": o.key, "label": o.label} for o in q.options]
    return item
