"""What CAP 1.2 export, import and the feed share: the namespace, the schema, the time format."""

import re
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from xml.etree.ElementTree import Element

import xmlschema

from hub.alerts.models import Alert
from hub.alerts.schemas import NOT_REAL
from hub.settings import get_settings

NS = "urn:oasis:names:tc:emergency:cap:1.2"
MEDIA_TYPE = "application/cap+xml"
TIMES = ("sent", "effective", "onset", "expires")


def q(name: str) -> str:
    """`name` in the CAP namespace, as ElementTree spells qualified names."""
    return f"{{{NS}}}{name}"


def cap_time(moment: datetime) -> str:
    """A time as CAP writes it: whole seconds and a numeric offset; UTC is -00:00, never Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S-00:00")


def headline(alert: Alert) -> str:
    """The headline as every rendering shows it: an Exercise or Test says so first."""
    prefix = NOT_REAL.get(alert.status)
    return f"{prefix}: {alert.headline}" if prefix else alert.headline


def schema_path() -> Path:
    """The OASIS schema, shipped in schemas/ so the hub needs nothing else at run time."""
    return get_settings().schemas_dir / "cap" / "CAP-v1.2.xsd"


@lru_cache
def _schema(path: Path) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(path)


def _local(text: str) -> str:
    return re.sub(r"\{[^}]*\}", "", text)


def schema_problem(root: Element) -> str | None:
    """The first way `root` breaks the CAP 1.2 schema, said plainly; None when it is valid."""
    for error in _schema(schema_path()).iter_errors(root):
        where = _local(error.path or "") or "/"
        if where.rsplit("/", 1)[-1] in TIMES and isinstance(error.obj, str):
            return (
                f"{where}: {error.obj!r} is not a CAP time, which looks like "
                "2026-11-26T08:15:00-06:00 (a numeric offset, no Z, no fractions)"
            )
        value = f"{error.obj!r}: " if isinstance(error.obj, str) else ""
        return f"{where}: {value}{_local(error.reason or error.message)}"
    return None
