"""Imports every model module, so metadata (Alembic, tests) sees all tables."""

from hub import audit, provenance
from hub.auth import models as auth_models
from hub.db import Base
from hub.directory import models as directory_models

__all__ = ["Base", "audit", "auth_models", "directory_models", "provenance"]
