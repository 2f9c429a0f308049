"""Task offers go through the outbox: messages without a survey, and the ask that points at its message

Task offer emails were sent inside the publish request before its commit, so a failed commit left members
holding links that were never stored, and a failed send was never retried. Now publishing queues one
outgoing message per member (kind "task", no survey) and the invitations' sender delivers it after the
commit. Each ask points at the message that carries its link, so an ask is in at most one email.

Revision ID: 927f09df03e8
Revises: 6ba2073a7a28
Create Date: 2026-12-02 19:55:41.529520

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '927f09df03e8'
down_revision = '6ba2073a7a28'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outgoing_messages', schema=None) as batch_op:
        batch_op.alter_column('survey_id', existing_type=sa.INTEGER(), nullable=True)

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offer_message_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_assignments_offer_message_id'), ['offer_message_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_assignments_offer_message_id_outgoing_messages'),
                                    'outgoing_messages', ['offer_message_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assignments_offer_message_id_outgoing_messages'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_assignments_offer_message_id'))
        batch_op.drop_column('offer_message_id')

    # Task offers have no survey and cannot be kept once survey_id is required again; whatever of them is
    # still pending is then not sent (the SMS list gives those asks fresh links).
    op.execute("DELETE FROM outgoing_messages WHERE survey_id IS NULL")
    with op.batch_alter_table('outgoing_messages', schema=None) as batch_op:
        batch_op.alter_column('survey_id', existing_type=sa.INTEGER(), nullable=False)
