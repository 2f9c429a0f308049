"""Members' links die with them: a per-member link secret, ids never reused

Unsubscribe links and member calendar feeds signed only the member id, and SQLite gives the highest id
again after that row is deleted: an erased member's link opened the next imported member's. Each member
now gets a random `link_secret` that the links sign too, and on SQLite `members` and `organisations`
(association feeds sign its id) are rebuilt with AUTOINCREMENT so no id is ever reused. PostgreSQL's
sequences never reuse ids, so there only the column is added.

migrations/env.py turns SQLite's foreign keys off while migrating: dropping the old `members` table
during the rebuild would otherwise cascade into every table that references it.

Revision ID: 6ba2073a7a28
Revises: 9336e308d1ec
Create Date: 2026-12-02 19:50:15.833006

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '6ba2073a7a28'
down_revision = '9336e308d1ec'
branch_labels = None
depends_on = None

def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    op.add_column("members", sa.Column("link_secret", sa.String(length=32), nullable=True))
    bind = op.get_bind()
    ids = bind.execute(sa.text("SELECT id FROM members")).scalars().all()
    if ids:
        bind.execute(sa.text("UPDATE members SET link_secret = :secret WHERE id = :id"),
                     [{"id": i, "secret": secrets.token_urlsafe(16)} for i in ids])
    if not _sqlite():
        op.alter_column("members", "link_secret", existing_type=sa.String(length=32), nullable=False)
        return
    # The copy keeps every row with its id; AUTOINCREMENT then starts above the highest id present.
    with op.batch_alter_table("members", recreate="always",
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.alter_column("link_secret", existing_type=sa.String(length=32), nullable=False)
    with op.batch_alter_table("organisations", recreate="always",
                              table_kwargs={"sqlite_autoincrement": True}):
        pass


def downgrade():
    if not _sqlite():
        op.drop_column("members", "link_secret")
        return
    with op.batch_alter_table(
        "organisations", recreate="always", table_kwargs={"sqlite_autoincrement": False}
    ):
        pass
    with op.batch_alter_table("members", recreate="always",
                              table_kwargs={"sqlite_autoincrement": False}) as batch_op:
        batch_op.drop_column("link_secret")
