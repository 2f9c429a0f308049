"""Initial schema: organisations, members, surveys, links, submissions, answers, profiles, users.

Conventions every revision here follows (they are the models', see survey/models/base.py):
- Every constraint and index is named by the metadata naming convention; op.f() marks a name as final.
- Enums are VARCHAR(20) (native_enum=False) without a CHECK: adding a value is a model change only,
  with no ALTER TYPE on PostgreSQL, and SQLite has no enum type.
- sa.DateTime(timezone=True) is what survey.models.base.UTCDateTime stores (see env.render_item);
  plain sa.DateTime() columns (*_local) are Europe/Stockholm wall-clock times, deliberately naive.
- Indexes are created inside batch_alter_table only because autogenerate renders in batch mode for
  SQLite; a batch holding only CREATE INDEX runs as plain CREATE INDEX, with no table rebuild.

Revision ID: 1980efbb420e
Revises:
Create Date: 2026-11-22 02:12:54.344318

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "1980efbb420e"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "district", "association", "network", name="organisationkind", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["organisations.id"],
            name=op.f("fk_organisations_parent_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("slug", name=op.f("uq_organisations_slug")),
    )
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("intro", sa.JSON(), nullable=True),
        sa.Column("privacy_notice", sa.JSON(), nullable=True),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "signature",
            sa.Enum(
                "anonymous",
                "name_optional",
                "name_and_contact",
                name="signaturemode",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("slug", name=op.f("uq_surveys_slug")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum("admin", "organizer", "caller", name="role", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_number", sa.String(length=32), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("association_id", sa.Integer(), nullable=True),
        sa.Column("joined_on", sa.Date(), nullable=True),
        # A server default too, so a row written without the ORM is contactable unless flagged.
        sa.Column("do_not_contact", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["organisations.id"],
            name=op.f("fk_members_association_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("member_number", name=op.f("uq_members_member_number")),
    )
    with op.batch_alter_table("members") as batch_op:
        batch_op.create_index(batch_op.f("ix_members_association_id"), ["association_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_members_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_members_phone"), ["phone"], unique=False)

    op.create_table(
        "survey_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("intro", sa.JSON(), nullable=True),
        sa.Column("show_if", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_sections_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_sections")),
        sa.UniqueConstraint("survey_id", "key", name=op.f("uq_survey_sections_survey_id_key")),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("respondent_key", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("draft", "submitted", name="submissionstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "registry_match",
            sa.Enum(
                "personal",
                "matched",
                "ambiguous",
                "unmatched",
                "anonymous",
                name="registrymatch",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("resume_section", sa.String(length=64), nullable=True),
        sa.Column("survey_version", sa.Integer(), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_name", sa.String(length=200), nullable=True),
        sa.Column("signed_phone", sa.String(length=20), nullable=True),
        sa.Column("signed_email", sa.String(length=254), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_submissions_member_id_members"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_submissions_survey_id_surveys"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint(
            "survey_id", "respondent_key", name=op.f("uq_submissions_survey_id_respondent_key")
        ),
    )
    with op.batch_alter_table("submissions") as batch_op:
        batch_op.create_index(batch_op.f("ix_submissions_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_submissions_survey_id"), ["survey_id"], unique=False)

    op.create_table(
        "survey_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_survey_links_member_id_members"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_survey_links_survey_id_surveys"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_survey_links_token_hash")),
    )
    with op.batch_alter_table("survey_links") as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_links_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_survey_links_survey_id"), ["survey_id"], unique=False)

    op.create_table(
        "survey_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("label", sa.JSON(), nullable=True),
        sa.Column("help", sa.JSON(), nullable=True),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("min_choices", sa.Integer(), nullable=True),
        sa.Column("max_choices", sa.Integer(), nullable=True),
        sa.Column("min_value", sa.Integer(), nullable=True),
        sa.Column("max_value", sa.Integer(), nullable=True),
        sa.Column("max_length", sa.Integer(), nullable=True),
        sa.Column("prefill", sa.String(length=20), nullable=True),
        sa.Column("profile", sa.String(length=20), nullable=True),
        sa.Column("show_if", sa.JSON(), nullable=True),
        sa.Column("calendar", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["survey_sections.id"],
            name=op.f("fk_survey_questions_section_id_survey_sections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_questions_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_questions")),
        sa.UniqueConstraint("survey_id", "key", name=op.f("uq_survey_questions_survey_id_key")),
    )
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["survey_questions.id"],
            name=op.f("fk_answers_question_id_survey_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_answers_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answers")),
        sa.UniqueConstraint(
            "submission_id", "question_id", name=op.f("uq_answers_submission_id_question_id")
        ),
    )
    with op.batch_alter_table("answers") as batch_op:
        batch_op.create_index(batch_op.f("ix_answers_question_id"), ["question_id"], unique=False)

    op.create_table(
        "profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("max_tasks", sa.Integer(), nullable=False),
        sa.Column("hours_per_week", sa.Integer(), nullable=True),
        sa.Column("travels", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_profiles_member_id_members"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_profiles_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profiles")),
        sa.UniqueConstraint("submission_id", name=op.f("uq_profiles_submission_id")),
    )
    with op.batch_alter_table("profiles") as batch_op:
        batch_op.create_index(batch_op.f("ix_profiles_member_id"), ["member_id"], unique=False)

    op.create_table(
        "survey_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("label", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["survey_questions.id"],
            name=op.f("fk_survey_options_question_id_survey_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_options")),
        sa.UniqueConstraint("question_id", "key", name=op.f("uq_survey_options_question_id_key")),
    )
    op.create_table(
        "profile_intervals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("start_local", sa.DateTime(), nullable=False),
        sa.Column("end_local", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name=op.f("fk_profile_intervals_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_intervals")),
    )
    with op.batch_alter_table("profile_intervals") as batch_op:
        batch_op.create_index(batch_op.f("ix_profile_intervals_profile_id"), ["profile_id"], unique=False)

    op.create_table(
        "profile_skills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name=op.f("fk_profile_skills_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_skills")),
        sa.UniqueConstraint("profile_id", "skill", name=op.f("uq_profile_skills_profile_id_skill")),
    )
    with op.batch_alter_table("profile_skills") as batch_op:
        batch_op.create_index(batch_op.f("ix_profile_skills_skill"), ["skill"], unique=False)

    op.create_table(
        "profile_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name=op.f("fk_profile_tags_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_tags")),
        sa.UniqueConstraint("profile_id", "kind", "key", name=op.f("uq_profile_tags_profile_id_kind_key")),
    )
    with op.batch_alter_table("profile_tags") as batch_op:
        batch_op.create_index(batch_op.f("ix_profile_tags_key"), ["key"], unique=False)


def downgrade():
    with op.batch_alter_table("profile_tags") as batch_op:
        batch_op.drop_index(batch_op.f("ix_profile_tags_key"))

    op.drop_table("profile_tags")
    with op.batch_alter_table("profile_skills") as batch_op:
        batch_op.drop_index(batch_op.f("ix_profile_skills_skill"))

    op.drop_table("profile_skills")
    with op.batch_alter_table("profile_intervals") as batch_op:
        batch_op.drop_index(batch_op.f("ix_profile_intervals_profile_id"))

    op.drop_table("profile_intervals")
    op.drop_table("survey_options")
    with op.batch_alter_table("profiles") as batch_op:
        batch_op.drop_index(batch_op.f("ix_profiles_member_id"))

    op.drop_table("profiles")
    with op.batch_alter_table("answers") as batch_op:
        batch_op.drop_index(batch_op.f("ix_answers_question_id"))

    op.drop_table("answers")
    op.drop_table("survey_questions")
    with op.batch_alter_table("survey_links") as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_links_survey_id"))
        batch_op.drop_index(batch_op.f("ix_survey_links_member_id"))

    op.drop_table("survey_links")
    with op.batch_alter_table("submissions") as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissions_survey_id"))
        batch_op.drop_index(batch_op.f("ix_submissions_member_id"))

    op.drop_table("submissions")
    op.drop_table("survey_sections")
    with op.batch_alter_table("members") as batch_op:
        batch_op.drop_index(batch_op.f("ix_members_phone"))
        batch_op.drop_index(batch_op.f("ix_members_email"))
        batch_op.drop_index(batch_op.f("ix_members_association_id"))

    op.drop_table("members")
    op.drop_table("users")
    op.drop_table("surveys")
    op.drop_table("organisations")
