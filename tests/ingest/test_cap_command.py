"""`hub ingest cap FILE`: an upstream CAP warning becomes one draft for review, the same message
again changes nothing, and unsafe or unusable XML exits 2 having written nothing."""

from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from hub.alerts.models import Alert
from hub.cli import app
from hub.db import session_scope
from tests import factories as f
from tests.alerts.test_cap_import import XXE, warning

runner = CliRunner()


def _alerts() -> list[Alert]:
    with session_scope() as s:
        return list(s.scalars(select(Alert)))


def test_a_warning_becomes_one_draft(cli_db: str, tmp_path: Path) -> None:
    with session_scope(write=True) as s:
        f.district(s, county_fips="24005", county_name="Baltimore County")
        f.district(s, county_fips="99999")
    path = tmp_path / "warning.xml"
    path.write_bytes(warning())
    first = runner.invoke(app, ["ingest", "cap", str(path)])
    assert first.exit_code == 0, first.output
    assert "1 created" in first.output
    [draft] = _alerts()
    assert (draft.state, draft.category, draft.targets["counties"]) == (
        "draft",
        "weather",
        ["24005"],
    )
    assert draft.source is not None
    again = runner.invoke(app, ["ingest", "cap", str(path)])
    assert again.exit_code == 0, again.output
    assert "1 unchanged" in again.output
    assert len(_alerts()) == 1


def test_unsafe_xml_exits_2_and_writes_nothing(cli_db: str, tmp_path: Path) -> None:
    path = tmp_path / "xxe.xml"
    path.write_bytes(XXE)
    result = runner.invoke(app, ["ingest", "cap", str(path)])
    assert result.exit_code == 2
    assert "DTD" in result.output
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Alert)) == 0
