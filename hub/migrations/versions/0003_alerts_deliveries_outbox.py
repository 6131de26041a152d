"""Alerts, deliveries and their attempts, acknowledgements, the outbox; contacts' webhook URL,
bounced channels and (center staff) region.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 12:26:58.552483
"""
from alembic import op
import sqlalchemy as sa
import hub.db


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('identifier', sa.String(length=120), nullable=False),
    sa.Column('sender', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('msg_type', sa.String(length=10), nullable=False),
    sa.Column('scope', sa.String(length=12), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('event', sa.String(length=200), nullable=False),
    sa.Column('urgency', sa.String(length=12), nullable=False),
    sa.Column('severity', sa.String(length=12), nullable=False),
    sa.Column('certainty', sa.String(length=12), nullable=False),
    sa.Column('response', sa.String(length=12), nullable=True),
    sa.Column('headline', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('instruction', sa.Text(), nullable=False),
    sa.Column('expires', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('references_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=400), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('author', sa.String(length=120), nullable=False),
    sa.Column('approver', sa.String(length=120), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('dispatched_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalated_stage', sa.Integer(), nullable=False),
    sa.CheckConstraint("certainty IN ('Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown')", name=op.f('ck_alerts_certainty')),
    sa.CheckConstraint("msg_type IN ('Alert', 'Update', 'Cancel')", name=op.f('ck_alerts_msg_type')),
    sa.CheckConstraint("scope IN ('Public', 'Restricted', 'Private')", name=op.f('ck_alerts_scope')),
    sa.CheckConstraint("severity IN ('Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown')", name=op.f('ck_alerts_severity')),
    sa.CheckConstraint("state IN ('draft', 'pending_approval', 'approved', 'rejected', 'standby', 'dispatching', 'dispatched', 'updated', 'cancelled', 'expired')", name=op.f('ck_alerts_state')),
    sa.CheckConstraint("status IN ('Actual', 'Exercise', 'Test', 'Draft')", name=op.f('ck_alerts_status')),
    sa.CheckConstraint("urgency IN ('Immediate', 'Expected', 'Future', 'Past', 'Unknown')", name=op.f('ck_alerts_urgency')),
    sa.ForeignKeyConstraint(['references_id'], ['alerts.id'], name=op.f('fk_alerts_references_id_alerts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('identifier', name=op.f('uq_alerts_identifier'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_references_id'), ['references_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_state'), ['state'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('topic', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_unpublished', ['published_at', 'id'], unique=False)

    op.create_table('acknowledgements',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_acknowledgements_alert_id_alerts')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_acknowledgements_contact_id_contacts')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_acknowledgements_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acknowledgements')),
    sa.UniqueConstraint('alert_id', 'contact_id', name='uq_acknowledgements')
    )
    with op.batch_alter_table('acknowledgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acknowledgements_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_acknowledgements_district_id'), ['district_id'], unique=False)

    op.create_table('deliveries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('retry_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('provider_id', sa.String(length=200), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("channel IN ('email', 'sms', 'webhook')", name=op.f('ck_deliveries_channel')),
    sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name=op.f('ck_deliveries_status')),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_deliveries_alert_id_alerts')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_deliveries_contact_id_contacts')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_deliveries_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('alert_id', 'contact_id', 'channel', 'stage', name='uq_deliveries')
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_deliveries_alert_status', ['alert_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_district_id'), ['district_id'], unique=False)
        batch_op.create_index('ix_deliveries_status_claimed', ['status', 'claimed_at'], unique=False)

    op.create_table('delivery_attempts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('delivery_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('at', hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('worker', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['deliveries.id'], name=op.f('fk_delivery_attempts_delivery_id_deliveries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_attempts'))
    )
    with op.batch_alter_table('delivery_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_attempts_delivery_id'), ['delivery_id'], unique=False)

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_contacts_region_id'), ['region_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_contacts_region_id_regions'), 'regions', ['region_id'], ['id'])
        batch_op.add_column(sa.Column('webhook_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('unverified_channels', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))



def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('unverified_channels')
        batch_op.drop_column('webhook_url')
        batch_op.drop_constraint(batch_op.f('fk_contacts_region_id_regions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_contacts_region_id'))
        batch_op.drop_column('region_id')

    with op.batch_alter_table('delivery_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_attempts_delivery_id'))

    op.drop_table('delivery_attempts')
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_status_claimed')
        batch_op.drop_index(batch_op.f('ix_deliveries_district_id'))
        batch_op.drop_index(batch_op.f('ix_deliveries_contact_id'))
        batch_op.drop_index('ix_deliveries_alert_status')

    op.drop_table('deliveries')
    with op.batch_alter_table('acknowledgements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acknowledgements_district_id'))
        batch_op.drop_index(batch_op.f('ix_acknowledgements_alert_id'))

    op.drop_table('acknowledgements')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_unpublished')

    op.drop_table('outbox')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_state'))
        batch_op.drop_index(batch_op.f('ix_alerts_references_id'))

    op.drop_table('alerts')
