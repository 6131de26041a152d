"""The embedded Tansu broker: a real child process on loopback, restartable, never orphaned."""

import gc
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from kafka import KafkaAdminClient

from hub.events.broker import EmbeddedBroker


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _topics(broker: EmbeddedBroker) -> list[str]:
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    try:
        names: list[str] = admin.list_topics()
        return names
    finally:
        admin.close()


def test_answers_kafka_on_loopback_and_restarts_empty_on_the_same_port(tmp_path: Path) -> None:
    log = tmp_path / "tansu.log"
    with EmbeddedBroker(log_path=log) as broker:
        assert broker.bootstrap_servers == f"127.0.0.1:{broker.port}"
        admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
        admin.create_topics({"kept": {"num_partitions": 1, "replication_factor": 1}})
        admin.close()
        assert _topics(broker) == ["kept"]

        broker.restart()
        assert broker.bootstrap_servers == f"127.0.0.1:{broker.port}"
        assert _topics(broker) == []  # memory storage: a restart forgets everything
    assert not broker.running
    # Its output went to the log, not the terminal.
    assert "listening on: tcp://127.0.0.1:" in log.read_text()


def test_stop_kills_the_process_and_can_be_repeated(tmp_path: Path) -> None:
    broker = EmbeddedBroker(log_path=tmp_path / "tansu.log")
    broker.start()
    pid = broker.pid
    assert pid is not None
    assert _alive(pid)
    broker.stop()
    broker.stop()
    assert not _alive(pid)
    assert broker.pid is None


def test_a_forgotten_broker_is_killed_when_collected(tmp_path: Path) -> None:
    broker = EmbeddedBroker(log_path=tmp_path / "tansu.log")
    broker.start()
    pid = broker.pid
    assert pid is not None
    del broker
    gc.collect()
    assert not _alive(pid)


def test_no_orphan_when_the_interpreter_exits(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from hub.events.broker import EmbeddedBroker
        broker = EmbeddedBroker(log_path=Path({str(tmp_path / "tansu.log")!r}))
        broker.start()
        print(broker.pid, flush=True)
        """
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, our script
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert not _alive(int(done.stdout.strip()))


def test_a_broker_that_cannot_start_says_why(tmp_path: Path) -> None:
    with EmbeddedBroker(log_path=tmp_path / "first.log") as first:
        taken = EmbeddedBroker(port=first.port, log_path=tmp_path / "second.log")
        with pytest.raises(RuntimeError, match="is in use"):
            taken.start()
        assert not taken.running
