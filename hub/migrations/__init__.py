"""Alembic migrations; `hub db upgrade` applies them (hub.migrate)."""
