"""Alert benchmark: `python -m bench.alerts [--db sqlite|postgresql] [--workers N] [--smoke]`.

A statewide alert to 100,000 e-mail contacts across 1,000 districts, on a fresh database and
the embedded Tansu broker: the time from approval (targets resolved, deliveries and outbox
written) to every delivery recorded, through the outbox relay and delivery workers, with a
channel that records instead of sending (rendering, claiming and recording are all real).
Baseline, in the same run on the same broker: raw kafka-python producing the same number of
~1 KiB messages (acks=all, idempotent) and consuming them in a consumer group. Prints both
rates, the ratio and the targets (>= 25% of raw; 100k recipients in under 60 s).
"""

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from bench.directory.databases import fresh_database
from hub.alerts import service as alerts
from hub.alerts.channels import RecordingChannel
from hub.alerts.models import Delivery
from hub.alerts.schemas import AlertInput
from hub.auth.policy import Principal
from hub.db import make_engine
from hub.directory.models import Contact, District
from hub.events.broker import EmbeddedBroker
from hub.events.kafka import client_config
from hub.migrate import upgrade
from hub.provenance import stamp_inserts
from hub.runtime import Runtime
from hub.settings import Settings, get_settings

FULL = (1_000, 100)
SMOKE = (10, 20)
AUTHOR = Principal(user_id=1, username="bench-author", role="alert_author")
APPROVER = Principal(user_id=2, username="bench-approver", role="alert_approver")


def seed(engine: Engine, districts: int, per_district: int) -> None:
    """Districts and e-mail contacts, bulk-inserted with their provenance."""
    with Session(engine) as session, session.begin():
        rows: list[dict[str, Any]] = [
            {
                "nces_id": f"{9100000 + n:07d}",
                "origin_id": f"{9100000 + n:07d}",
                "name": f"District {n}",
                "state": "ZZ",
            }
            for n in range(districts)
        ]
        stamp_inserts(session, rows)
        session.execute(insert(District), rows)
        ids = list(session.scalars(select(District.id)))
        for district_id in ids:
            batch: list[dict[str, Any]] = [
                {
                    "district_id": district_id,
                    "origin_id": uuid.uuid4().hex,
                    "name": f"Contact {n}",
                    "role": "superintendent" if n == 0 else "principal",
                    "email": f"c{n}.d{district_id}@example.org",
                    "channels": ["email"],
                    "unverified_channels": [],
                    "available_24x7": False,
                }
                for n in range(per_district)
            ]
            stamp_inserts(session, batch)
            session.execute(insert(Contact), batch)


def _open(engine: Engine) -> int:
    with Session(engine) as s:
        query = select(func.count()).where(Delivery.status.in_(("queued", "sending")))
        return int(s.scalar(query) or 0)


def hub_run(
    engine: Engine, settings: Settings, workers: int, processes: int, expected: int
) -> float:
    """Seconds from approval to every delivery recorded."""
    recording = RecordingChannel("email")
    data = AlertInput(
        status="Exercise",
        category="weather",
        event="Tornado drill",
        urgency="Immediate",
        severity="Extreme",
        certainty="Observed",
        response="shelter",
        headline="Statewide tornado drill: shelter now",
        instruction="Move to interior rooms on the lowest floor.",
        targets={"state": True},  # type: ignore[arg-type]
        channels=["email"],
    )
    with Session(engine) as session, session.begin():
        alert = alerts.create_alert(session, AUTHOR, data=data)
        alerts.submit_alert(session, AUTHOR, alert_id=alert.id)
        alert_id = alert.id
    with ExitStack() as stack:
        if processes:
            for _ in range(processes):
                stack.enter_context(_worker_process(settings))
        else:
            channels = {"email": recording}
            stack.enter_context(
                Runtime(settings, engine, workers=workers, scheduler=False, channels=channels)
            )
        time.sleep(8)  # workers start and join the group (~3 s on Tansu) before the clock
        started = time.perf_counter()
        with Session(engine) as session, session.begin():
            alerts.approve_alert(session, APPROVER, alert_id=alert_id)
        approved = time.perf_counter()
        while _open(engine):
            time.sleep(0.1)
        seconds = time.perf_counter() - started
    sent = _sent(engine)
    if sent != expected or (not processes and len(recording.messages) != expected):
        raise SystemExit(f"recorded {sent} deliveries sent, expected {expected}")
    print(f"{'  approval (resolve + write)':<34} {approved - started:8.1f} s")
    return seconds


def _sent(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).where(Delivery.status == "sent")) or 0)


@contextmanager
def _worker_process(settings: Settings) -> Iterator[None]:
    """`hub worker` in a process of its own; with HUB_SMTP_URL unset its e-mail channel
    writes to a log that HUB_LOG_LEVEL=WARNING discards: recorded, not sent."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")} | {
        "HUB_DATABASE_URL": settings.database_url,
        "HUB_KAFKA_BOOTSTRAP_SERVERS": str(settings.kafka_bootstrap_servers),
        "HUB_LOG_LEVEL": "WARNING",
        "HUB_METRICS_PORT": "0",
    }
    hub = Path(sys.executable).parent / "hub"
    process = subprocess.Popen([str(hub), "worker"], env=env)
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def raw_run(settings: Settings, count: int) -> float:
    """Seconds for kafka-python to produce `count` ~1 KiB messages (acks=all, idempotent) and
    consume them back in a group that has already joined, as the hub's workers have."""
    topic = f"bench-raw-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(**client_config(settings))
    admin.create_topics([NewTopic(topic, settings.kafka_partitions, 1)])
    admin.close()
    consumer = KafkaConsumer(
        topic,
        **client_config(settings),
        group_id=f"bench-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=6000,
        heartbeat_interval_ms=1000,
        max_poll_interval_ms=6000,
    )
    while not consumer.assignment():
        consumer.poll(timeout_ms=200)
    producer = KafkaProducer(**client_config(settings), acks="all", enable_idempotence=True)
    padding = "x" * 1000
    started = time.perf_counter()
    for n in range(count):
        value = json.dumps({"n": n, "padding": padding}).encode()
        producer.send(topic, value=value, key=str(n % 1000).encode())
    producer.flush()
    seen = 0
    while seen < count:
        for records in consumer.poll(timeout_ms=1000).values():
            seen += len(records)
            json.loads(records[-1].value)
        consumer.commit()
    seconds = time.perf_counter() - started
    producer.close()
    consumer.close()
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--processes",
        type=int,
        default=0,
        help="`hub worker` processes (relay + consumer each); 0: threads in this process",
    )
    parser.add_argument("--workers", type=int, default=2, help="consumer threads with -p 0")
    parser.add_argument("--smoke", action="store_true", help="200 recipients")
    args = parser.parse_args(argv)
    districts, per = SMOKE if args.smoke else FULL
    total = districts * per
    where = (
        f"{args.processes} `hub worker` processes"
        if args.processes
        else f"{args.workers} delivery threads in one process"
    )
    print(
        f"alert benchmark on {args.db}: {total:,} recipients in {districts:,} districts, "
        f"{where}, embedded broker"
    )
    with EmbeddedBroker() as broker, fresh_database(args.db) as url:
        settings = get_settings().model_copy(
            update={"kafka_bootstrap_servers": broker.bootstrap_servers, "database_url": url}
        )
        engine = make_engine(url)
        upgrade(engine)
        seed(engine, districts, per)
        hub_s = hub_run(engine, settings, args.workers, args.processes, total)
        engine.dispose()
        raw_s = raw_run(settings, total)
    hub_rate, raw_rate = total / hub_s, total / raw_s
    print(f"{'hub: approval to all recorded':<34} {hub_s:8.1f} s {hub_rate:>10,.0f} deliveries/s")
    print(f"{'raw kafka-python produce+consume':<34} {raw_s:8.1f} s {raw_rate:>10,.0f} msg/s")
    ratio = hub_rate / raw_rate
    print(f"{'target':<34} {'measured':>10} {'target':>10}")
    verdict = "PASS" if ratio >= 0.25 else "MISS"
    print(f"{'share of raw Kafka speed':<34} {ratio:>10.2f} {'>= 0.25':>10}  {verdict}")
    if not args.smoke:
        verdict = "PASS" if hub_s < 60 else "MISS"
        print(f"{'100k recipients':<34} {hub_s:>8.1f} s {'< 60 s':>10}  {verdict}")


if __name__ == "__main__":
    main()
