"""Imports every model module, so metadata (Alembic, tests) sees all tables."""

from hub import audit, provenance
from hub.alerts import models as alert_models
from hub.auth import models as auth_models
from hub.db import Base
from hub.directory import models as directory_models
from hub.events import models as event_models
from hub.federation import models as federation_models
from hub.web import models as web_models

__all__ = [
    "Base",
    "alert_models",
    "audit",
    "auth_models",
    "directory_models",
    "event_models",
    "federation_models",
    "provenance",
    "web_models",
]
