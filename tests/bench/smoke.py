"""Running a benchmark's smoke mode as a subprocess, the way a person runs it by hand."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_smoke(module: str, *args: str) -> str:
    """`python -m <module> --smoke <args>` from the repository; its stdout, asserting exit 0."""
    run = subprocess.run(  # noqa: S603 - our own benchmark module
        [sys.executable, "-m", module, "--smoke", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout
