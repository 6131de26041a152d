"""The directory benchmark's smoke mode runs end to end, so the benchmark cannot rot."""

import re
import subprocess
import sys
from pathlib import Path

from tests.fresh_db import fresh_database

REPO = Path(__file__).resolve().parents[2]
NUMBER = r"\d+(?:\.\d+)?"


def test_smoke_prints_both_endpoints_and_the_targets(db_url: str, tmp_path: Path) -> None:
    out_dir = REPO / "bench" / "out"
    before = set(out_dir.glob("*")) if out_dir.exists() else set()
    with fresh_database(db_url, tmp_path) as url:
        run = subprocess.run(  # noqa: S603 - our own benchmark module
            [sys.executable, "-m", "bench.directory", "--smoke", "--url", url],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    assert "answers identical on both routes" in out
    for name in ("plain JSON", "GraphQL"):
        for clients in (16, 1):
            row = rf"^{name}\s+{clients}\s+\d+\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}$"
            assert re.search(row, out, re.MULTILINE), f"no {name} row at {clients} clients:\n{out}"
    assert re.search(
        rf"^GraphQL/plain throughput, 16 clients\s+{NUMBER}\s+>= 0\.50\s+(PASS|MISS)$",
        out,
        re.MULTILINE,
    ), out
    assert re.search(r"^GraphQL p99, 16 clients\s+\S+ ms\s+< 100 ms\s+(PASS|MISS)$", out, re.M), out
    after = set(out_dir.glob("*")) if out_dir.exists() else set()
    assert after == before, "a smoke run writes no result files"
