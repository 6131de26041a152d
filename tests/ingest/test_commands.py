"""`hub ingest …` as an operator runs it: report file, rejected rows file, exit codes 0, 1, 2."""

import json
from pathlib import Path

from typer.testing import CliRunner

from bench.ingest.generate import DISTRICT_HEADER, district_rows, write
from hub.cli import app

runner = CliRunner()


def test_exit_codes_report_and_rejected_rows(cli_db: str, tmp_path: Path) -> None:
    rows = list(district_rows(3))
    good = write(tmp_path / "lea.csv", DISTRICT_HEADER, iter(rows))
    result = runner.invoke(app, ["ingest", "nces-districts", str(good)])
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated, 0 unchanged, 0 rejected; imported" in result.output
    again = runner.invoke(app, ["ingest", "nces-districts", str(good)])
    assert "0 created, 0 updated, 3 unchanged, 0 rejected; nothing changed" in again.output

    rows[1] = {**rows[1], "LEAID": "12345"}
    bad = write(tmp_path / "bad.csv", DISTRICT_HEADER, iter(rows))
    result = runner.invoke(app, ["ingest", "nces-districts", str(bad)])
    assert result.exit_code == 1
    assert "nothing imported" in result.output
    report = json.loads((tmp_path / "bad.csv.report.json").read_text())
    assert report["rejections"][0]["line"] == 3
    assert report["rejections"][0]["field"] == "LEAID"
    assert not (tmp_path / "bad.rejected.csv").exists()

    out = tmp_path / "out" / "r.json"
    out.parent.mkdir()
    result = runner.invoke(
        app, ["ingest", "nces-districts", str(bad), "--skip-invalid", "--report", str(out)]
    )
    assert result.exit_code == 1
    rejected = (out.parent / "bad.rejected.csv").read_text().splitlines()
    assert rejected[0].startswith("SCHOOL_YEAR,FIPST")
    assert ",12345," in rejected[1]
    assert len(rejected) == 2

    headless = tmp_path / "headless.csv"
    headless.write_text("NAME\nx\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", "nces-districts", str(headless)])
    assert result.exit_code == 2
    assert "lacks the required column(s) LEAID, LEA_NAME, ST" in result.output
    missing = runner.invoke(app, ["ingest", "nces-districts", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2
