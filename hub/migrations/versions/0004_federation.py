"""Federation: partner agreements, sync runs, sync alerts for staff, seen request signatures.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 07:55:16.718848
"""
from alembic import op
import sqlalchemy as sa
import hub.db


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('seen_signatures',
    sa.Column('signature', sa.String(length=64), nullable=False),
    sa.Column('seen_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('signature', name=op.f('pk_seen_signatures'))
    )
    with op.batch_alter_table('seen_signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seen_signatures_seen_at'), ['seen_at'], unique=False)

    op.create_table('partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('base_url', sa.String(length=500), nullable=False),
    sa.Column('direction', sa.String(length=4), nullable=False),
    sa.Column('sends', sa.JSON(), nullable=False),
    sa.Column('receives', sa.JSON(), nullable=False),
    sa.Column('relays_for', sa.JSON(), nullable=False),
    sa.Column('interval_seconds', sa.Integer(), nullable=False),
    sa.Column('max_delete_share', sa.Float(), nullable=False),
    sa.Column('inbound_token_digest', sa.String(length=64), nullable=True),
    sa.Column('outbound_token', sa.Text(), nullable=True),
    sa.Column('signing_secret', sa.Text(), nullable=True),
    sa.Column('pull_cursor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('push_cursor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('breaker_open', sa.Boolean(), nullable=False),
    sa.Column('breaker_released', sa.Boolean(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("direction IN ('pull', 'push', 'both')", name=op.f('ck_partners_direction')),
    sa.CheckConstraint('max_delete_share > 0 AND max_delete_share <= 1', name=op.f('ck_partners_delete_share')),
    sa.ForeignKeyConstraint(['center_id'], ['centers.id'], name=op.f('fk_partners_center_id_centers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partners')),
    sa.UniqueConstraint('center_id', name=op.f('uq_partners_center_id')),
    sa.UniqueConstraint('inbound_token_digest', name=op.f('uq_partners_inbound_token_digest'))
    )
    op.create_table('sync_runs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('started_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cursor_from', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('cursor_to', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('fetched', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('rejections', sa.JSON(), nullable=False),
    sa.Column('bytes_moved', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("direction IN ('pull', 'push', 'received')", name=op.f('ck_sync_runs_direction')),
    sa.CheckConstraint("status IN ('running', 'succeeded', 'failed', 'blocked')", name=op.f('ck_sync_runs_status')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_sync_runs_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_runs'))
    )
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.create_index('ix_sync_runs_partner_started', ['partner_id', 'started_at'], unique=False)

    op.create_table('sync_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cleared_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cleared_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_sync_alerts_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['sync_runs.id'], name=op.f('fk_sync_alerts_run_id_sync_runs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_alerts'))
    )


def downgrade() -> None:
    op.drop_table('sync_alerts')
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_runs_partner_started')

    op.drop_table('sync_runs')
    op.drop_table('partners')
    with op.batch_alter_table('seen_signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seen_signatures_seen_at'))

    op.drop_table('seen_signatures')
