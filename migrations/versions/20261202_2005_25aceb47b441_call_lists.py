"""Call lists: lists per association, their materialized targets and every call; phone-taken answers and
task answers remember the channel and the caller

Revision ID: 25aceb47b441
Revises: 104d05c100d0
Create Date: 2026-12-02 20:05:04.075270

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "25aceb47b441"
down_revision = "104d05c100d0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "call_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=True),
        sa.Column("script", sa.Text(), nullable=True),
        sa.Column("survey_id", sa.Integer(), nullable=True),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("goal", sa.JSON(), nullable=False),
        sa.Column("cooldown_hours", sa.Integer(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("show_email", sa.Boolean(), nullable=False),
        sa.Column("show_address", sa.Boolean(), nullable=False),
        sa.Column("show_birth_year", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_call_lists_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_call_lists_survey_id_surveys"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_lists")),
    )
    op.create_table(
        "password_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_password_links_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_links_token_hash")),
    )
    with op.batch_alter_table("password_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_password_links_user_id"), ["user_id"], unique=False)

    op.create_table(
        "call_list_associations",
        sa.Column("call_list_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_list_id"],
            ["call_lists.id"],
            name=op.f("fk_call_list_associations_call_list_id_call_lists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_call_list_associations_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("call_list_id", "organisation_id", name=op.f("pk_call_list_associations")),
    )
    op.create_table(
        "call_list_callers",
        sa.Column("call_list_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_list_id"],
            ["call_lists.id"],
            name=op.f("fk_call_list_callers_call_list_id_call_lists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_call_list_callers_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("call_list_id", "user_id", name=op.f("pk_call_list_callers")),
    )
    op.create_table(
        "call_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_list_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("matches", sa.Boolean(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("allocated_to_id", sa.Integer(), nullable=True),
        sa.Column("allocated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("last_called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_outcome", sa.String(length=20), nullable=True),
        sa.Column("cooldown_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("callback_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("needs_action", sa.Boolean(), nullable=False),
        sa.Column("wrong_number", sa.Boolean(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["allocated_to_id"],
            ["users.id"],
            name=op.f("fk_call_targets_allocated_to_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["call_list_id"],
            ["call_lists.id"],
            name=op.f("fk_call_targets_call_list_id_call_lists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_call_targets_member_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_targets")),
        sa.UniqueConstraint("call_list_id", "member_id", name=op.f("uq_call_targets_call_list_id_member_id")),
    )
    with op.batch_alter_table("call_targets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_targets_allocated_to_id"), ["allocated_to_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_call_targets_member_id"), ["member_id"], unique=False)
        batch_op.create_index(
            "ix_call_targets_queue", ["call_list_id", "matches", "closed_at", "last_called_at"], unique=False
        )
        batch_op.create_index("ix_call_targets_callback", ["call_list_id", "callback_at"], unique=False)

    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_list_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("caller_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("callback_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("needs_action", sa.Boolean(), nullable=False),
        sa.Column("action_message", sa.Text(), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_list_id"],
            ["call_lists.id"],
            name=op.f("fk_calls_call_list_id_call_lists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["caller_id"], ["users.id"], name=op.f("fk_calls_caller_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_id"], ["users.id"], name=op.f("fk_calls_handled_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_calls_member_id_members"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["call_targets.id"],
            name=op.f("fk_calls_target_id_call_targets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
    )
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calls_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_calls_call_list_id"), ["call_list_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_calls_caller_id"), ["caller_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_calls_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_calls_target_id"), ["target_id"], unique=False)

    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("responded_via", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("responded_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_assignments_responded_by_id_users"),
            "users",
            ["responded_by_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("via", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("entered_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("consent_via", sa.String(length=10), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_submissions_entered_by_id_users"),
            "users",
            ["entered_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_submissions_entered_by_id_users"), type_="foreignkey")
        batch_op.drop_column("consent_via")
        batch_op.drop_column("entered_by_id")
        batch_op.drop_column("via")

    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_assignments_responded_by_id_users"), type_="foreignkey")
        batch_op.drop_column("responded_by_id")
        batch_op.drop_column("responded_via")

    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calls_target_id"))
        batch_op.drop_index(batch_op.f("ix_calls_member_id"))
        batch_op.drop_index(batch_op.f("ix_calls_caller_id"))
        batch_op.drop_index(batch_op.f("ix_calls_call_list_id"))
        batch_op.drop_index(batch_op.f("ix_calls_at"))

    op.drop_table("calls")
    with op.batch_alter_table("call_targets", schema=None) as batch_op:
        batch_op.drop_index("ix_call_targets_queue")
        batch_op.drop_index("ix_call_targets_callback")
        batch_op.drop_index(batch_op.f("ix_call_targets_member_id"))
        batch_op.drop_index(batch_op.f("ix_call_targets_allocated_to_id"))

    op.drop_table("call_targets")
    op.drop_table("call_list_callers")
    op.drop_table("call_list_associations")
    with op.batch_alter_table("password_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_links_user_id"))

    op.drop_table("password_links")
    op.drop_table("call_lists")
