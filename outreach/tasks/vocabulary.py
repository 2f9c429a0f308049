"""The task vocabulary: kinds, priorities and assignment statuses in the organizers' words (N_ marks,
translated when shown), and the skill and topic keys tasks may ask for -- the newest survey's options,
or a default list before any survey is loaded.

Apart from `services` so that pages, print-outs and the import can name things without the verbs.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from survey.core.lang import lang_code
from survey.extensions import db
from survey.i18n import N_
from survey.models import AssignmentStatus, Option, Question, Survey, TaskKind

KIND_LABELS: dict[TaskKind, str] = {
    TaskKind.CANVASSING: N_("Dörrknackning"), TaskKind.PHONING: N_("Ringpass"), TaskKind.STALL: N_("Bokbord"),
    TaskKind.FLYERING: N_("Flygbladsutdelning"), TaskKind.EVENT: N_("Möte eller evenemang"),
    TaskKind.SOCIAL_MEDIA: N_("Sociala medier"), TaskKind.ARTICLE: N_("Artikel eller insändare"),
    TaskKind.PODCAST: N_("Podd"), TaskKind.TRAINING: N_("Utbildning"), TaskKind.DRIVING: N_("Körning"),
    TaskKind.OTHER: N_("Övrigt"),
}
# Used when no survey has been loaded yet; otherwise the newest survey's options are the vocabulary.
DEFAULT_SKILLS: dict[str, str] = {
    "canvassing": N_("Dörrknackning"), "phoning": N_("Ringa samtal"), "stalls": N_("Bokbord och torgmöten"),
    "flyering": N_("Dela ut flygblad"), "social_media": N_("Sociala medier"),
    "writing": N_("Skriva debattartiklar och insändare"), "photo_video": N_("Foto och video"),
    "podcast": N_("Podd"), "graphic_design": N_("Grafisk form"), "driving": N_("Köra bil (egen bil)"),
    "event_planning": N_("Planera evenemang"), "teaching": N_("Undervisa och leda studiecirklar"),
    "translation": N_("Översättning och språk"), "accounting": N_("Bokföring och kassör"), "it": N_("IT"),
    "childcare": N_("Barnpassning"), "cooking": N_("Matlagning"),
}
DEFAULT_TOPICS: dict[str, str] = {
    "climate": N_("Klimatet"), "healthcare": N_("Vården och regionen"), "antiracism": N_("Antirasism"),
    "feminism": N_("Feminism"), "union": N_("Fackligt arbete"), "housing": N_("Bostäder"),
    "rural": N_("Landsbygdsfrågor"),
}
PRIORITY_LABELS = {1: N_("Normal"), 2: N_("Viktig"), 3: N_("Mycket viktig")}
# Where an assignment stands, in the organizers' words.
STATUS_LABELS: dict[AssignmentStatus, str] = {
    AssignmentStatus.PROPOSED: N_("föreslagen"), AssignmentStatus.PUBLISHED: N_("tillfrågad"),
    AssignmentStatus.ACCEPTED: N_("tackat ja"), AssignmentStatus.DECLINED: N_("tackat nej"),
}


def kind_label(kind: TaskKind | str) -> str:
    return _(KIND_LABELS[TaskKind(kind)])


def status_label(status: AssignmentStatus | str) -> str:
    return _(STATUS_LABELS[AssignmentStatus(status)])


def skill_options() -> dict[str, str]:
    """Skill key -> label, in the order the survey asks them."""
    return _survey_options("skill:") or {k: _(v) for k, v in DEFAULT_SKILLS.items()}


def topic_options() -> dict[str, str]:
    return _survey_options("interest:") or {k: _(v) for k, v in DEFAULT_TOPICS.items()}


def option_aliases(prefix: str) -> dict[str, str]:
    """Every spelling the CSV import accepts for a key: the key, "skill:key" and its labels (sv, en)."""
    fallback = DEFAULT_SKILLS if prefix == "skill:" else DEFAULT_TOPICS
    labels = _survey_labels(prefix) or {k: {"sv": v, "en": _(v)} for k, v in fallback.items()}
    aliases = {}
    for key, label in labels.items():
        for spelling in (key, prefix + key, *label.values()):
            aliases[spelling.strip().lower()] = key
    return aliases


def _survey_labels(prefix: str) -> dict[str, dict[str, str]]:
    newest = db.session.scalar(
        sa.select(Survey.id).order_by(Survey.created_at.desc(), Survey.id.desc()).limit(1))
    if newest is None:
        return {}
    rows = db.session.execute(
        sa.select(Option.key, Option.label).join(Question, Option.question_id == Question.id)
        .where(Question.survey_id == newest, Option.key.startswith(prefix))
        .order_by(Question.id, Option.position)).all()
    return {key.removeprefix(prefix): label for key, label in rows}


def _survey_options(prefix: str) -> dict[str, str]:
    lang = lang_code()
    return {k: label.get(lang) or label.get("sv") or k for k, label in _survey_labels(prefix).items()}
