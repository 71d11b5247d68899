"""data version: one counter bumped by every write to stores and items

Revision ID: 0002_data_version
Revises: 0001
Create Date: 2026-11-23 20:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_data_version'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('data_versions',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_versions'))
    )
    op.bulk_insert(table, [{'id': 1, 'version': 1}])


def downgrade():
    op.drop_table('data_versions')
