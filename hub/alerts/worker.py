"""The delivery worker: a Kafka consumer (hub.events.consumer.Worker) whose handler sends the
batch of deliveries a message names (hub.alerts.deliver)."""

import logging
import socket
from collections.abc import Mapping

from sqlalchemy import Engine

from hub.alerts.channels import Channel
from hub.alerts.deliver import Deliverer
from hub.events.consumer import Worker
from hub.events.envelope import DELIVERY_BATCH, Envelope
from hub.events.topics import topics
from hub.observability import ALERT_ID, CONSUMER_LAG
from hub.settings import Settings

log = logging.getLogger(__name__)


class DeliveryWorker(Worker):
    """Consumes live and exercise deliveries in the delivery group; several may run."""

    event_types = frozenset({DELIVERY_BATCH})

    def __init__(
        self, settings: Settings, engine: Engine, channels: Mapping[str, Channel], index: int = 0
    ) -> None:
        names = topics(settings)
        super().__init__(settings, [names.deliveries, names.exercise_deliveries])
        self.name = f"{socket.gethostname()}/delivery-{index}"
        self.deliverer = Deliverer(engine, channels, settings, self.name)

    def handle(self, envelope: Envelope) -> None:
        data = envelope.data
        token = ALERT_ID.set(envelope.subject)
        try:
            outcomes = self.deliverer.deliver(int(data["alert_id"]), list(data["delivery_ids"]))
            log.info("%s: %s", self.name, dict(outcomes))
        finally:
            ALERT_ID.reset(token)
        for (topic, partition), behind in self.lag().items():
            CONSUMER_LAG.labels(topic, str(partition)).set(behind)
