"""Registry fields, organizer roles, audit log, outgoing messages, imports, campaign tasks and matching.

Members and users already hold rows when this runs: their new columns are nullable or, for
members.status, NOT NULL with a server default that gives every existing member "active".

Revision ID: 66032667cc27
Revises: 1980efbb420e
Create Date: 2026-11-22 02:22:47.935938

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "66032667cc27"
down_revision = "1980efbb420e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_email", sa.String(length=254), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["organisations.id"],
            name=op.f("fk_audit_events_association_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_events_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_user_id"), ["user_id"], unique=False)

    op.create_table(
        "match_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("association_id", sa.Integer(), nullable=True),
        sa.Column("objective", sa.Double(), nullable=False),
        sa.Column("optimal", sa.Boolean(), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["organisations.id"],
            name=op.f("fk_match_runs_association_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_match_runs_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_runs")),
    )
    op.create_table(
        "member_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("marked_left", sa.Integer(), nullable=False),
        sa.Column("problems", sa.Integer(), nullable=False),
        sa.Column("report_csv", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_member_imports_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_imports")),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "canvassing",
                "phoning",
                "stall",
                "flyering",
                "event",
                "social_media",
                "article",
                "podcast",
                "training",
                "driving",
                "other",
                name="taskkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("association_id", sa.Integer(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("required_skills", sa.JSON(), nullable=False),
        sa.Column("preferred_skills", sa.JSON(), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["organisations.id"],
            name=op.f("fk_tasks_association_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.create_index(batch_op.f("ix_tasks_association_id"), ["association_id"], unique=False)

    op.create_table(
        "user_associations",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_user_associations_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_associations_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "organisation_id", name=op.f("pk_user_associations")),
    )
    op.create_table(
        "network_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_network_memberships_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_network_memberships_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_memberships")),
        sa.UniqueConstraint(
            "member_id", "organisation_id", name=op.f("uq_network_memberships_member_id_organisation_id")
        ),
    )
    with op.batch_alter_table("network_memberships") as batch_op:
        batch_op.create_index(batch_op.f("ix_network_memberships_member_id"), ["member_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_network_memberships_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "outgoing_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("round", sa.String(length=40), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "sent", "failed", name="messagestatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_outgoing_messages_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_outgoing_messages_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_messages")),
        sa.UniqueConstraint(
            "survey_id",
            "member_id",
            "kind",
            "round",
            name=op.f("uq_outgoing_messages_survey_id_member_id_kind_round"),
        ),
    )
    with op.batch_alter_table("outgoing_messages") as batch_op:
        batch_op.create_index(batch_op.f("ix_outgoing_messages_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outgoing_messages_survey_id"), ["survey_id"], unique=False)

    op.create_table(
        "shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("start_local", sa.DateTime(), nullable=False),
        sa.Column("end_local", sa.DateTime(), nullable=False),
        sa.Column("slots", sa.Integer(), nullable=False),
        sa.CheckConstraint("end_local > start_local", name=op.f("ck_shifts_ends_after_start")),
        sa.CheckConstraint("slots >= 1", name=op.f("ck_shifts_slots_positive")),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_shifts_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
    )
    with op.batch_alter_table("shifts") as batch_op:
        batch_op.create_index(batch_op.f("ix_shifts_start_local"), ["start_local"], unique=False)
        batch_op.create_index(batch_op.f("ix_shifts_task_id"), ["task_id"], unique=False)

    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "published",
                "accepted",
                "declined",
                name="assignmentstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_assignments_member_id_members"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["match_runs.id"], name=op.f("fk_assignments_run_id_match_runs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shifts.id"], name=op.f("fk_assignments_shift_id_shifts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint("shift_id", "member_id", name=op.f("uq_assignments_shift_id_member_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_assignments_token_hash")),
    )
    with op.batch_alter_table("assignments") as batch_op:
        batch_op.create_index(batch_op.f("ix_assignments_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignments_shift_id"), ["shift_id"], unique=False)

    op.create_table(
        "match_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind", sa.Enum("pin", "forbid", name="rulekind", native_enum=False, length=20), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_match_rules_member_id_members"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shifts.id"], name=op.f("fk_match_rules_shift_id_shifts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_rules")),
        sa.UniqueConstraint("shift_id", "member_id", name=op.f("uq_match_rules_shift_id_member_id")),
    )
    with op.batch_alter_table("match_rules") as batch_op:
        batch_op.create_index(batch_op.f("ix_match_rules_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_match_rules_shift_id"), ["shift_id"], unique=False)

    with op.batch_alter_table("members") as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("city", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("municipality", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("birth_year", sa.Integer(), nullable=True))
        # Existing members are registry members in good standing until an import says otherwise.
        batch_op.add_column(
            sa.Column(
                "status",
                sa.Enum("active", "left", name="memberstatus", native_enum=False, length=20),
                server_default="active",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("left_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))

    # NULL: no two-factor login set up yet (every existing account).
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("totp_secret")

    # On SQLite, dropping columns rebuilds members and users (batch mode); env.py turns foreign keys
    # off meanwhile, or the rebuild would delete or unlink every row that references them.
    with op.batch_alter_table("members") as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("left_on")
        batch_op.drop_column("status")
        batch_op.drop_column("birth_year")
        batch_op.drop_column("municipality")
        batch_op.drop_column("city")
        batch_op.drop_column("address")

    with op.batch_alter_table("match_rules") as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_rules_shift_id"))
        batch_op.drop_index(batch_op.f("ix_match_rules_member_id"))

    op.drop_table("match_rules")
    with op.batch_alter_table("assignments") as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignments_shift_id"))
        batch_op.drop_index(batch_op.f("ix_assignments_member_id"))

    op.drop_table("assignments")
    with op.batch_alter_table("shifts") as batch_op:
        batch_op.drop_index(batch_op.f("ix_shifts_task_id"))
        batch_op.drop_index(batch_op.f("ix_shifts_start_local"))

    op.drop_table("shifts")
    with op.batch_alter_table("outgoing_messages") as batch_op:
        batch_op.drop_index(batch_op.f("ix_outgoing_messages_survey_id"))
        batch_op.drop_index(batch_op.f("ix_outgoing_messages_member_id"))

    op.drop_table("outgoing_messages")
    with op.batch_alter_table("network_memberships") as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_memberships_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_network_memberships_member_id"))

    op.drop_table("network_memberships")
    op.drop_table("user_associations")
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasks_association_id"))

    op.drop_table("tasks")
    op.drop_table("member_imports")
    op.drop_table("match_runs")
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))

    op.drop_table("audit_events")
