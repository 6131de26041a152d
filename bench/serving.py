"""A server under test as its own process on a free loopback port, started and stopped around a
benchmark (so its CPU is not the benchmark's own)."""

import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A loopback port nothing listens on (just now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def process(
    argv: Callable[[int], list[str]], *, env: dict[str, str], ready: str, what: str
) -> Iterator[str]:
    """Run `argv(port)`; yields its base URL once GET `ready` answers 200. Its output is shown
    only if it exits or never answers (within 60 s)."""
    port = free_port()
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            argv(port), cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=errors, stderr=errors
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while not _answers(f"{base}{ready}"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    errors.seek(0)
                    raise SystemExit(f"{what} did not start:\n{errors.read().decode()}")
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False
