"""A channel that records messages instead of sending them, for the benchmark and worker tests."""

import threading
from collections import deque

from hub.alerts.channels.base import DeliveryFailure, Message, Sent


class RecordingChannel:
    """Keeps every message it is given, in order, and answers like a channel that sent it.
    `fail_next` makes the next sends fail instead, to exercise retries and bounces."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._messages: list[Message] = []
        self._failures: deque[DeliveryFailure] = deque()

    @property
    def messages(self) -> list[Message]:
        """What was recorded so far (a copy)."""
        with self._lock:
            return list(self._messages)

    def fail_next(self, *failures: DeliveryFailure) -> None:
        """Raise these, one per send and in this order, before recording resumes."""
        with self._lock:
            self._failures.extend(failures)

    def send(self, message: Message) -> Sent:
        with self._lock:
            if self._failures:
                raise self._failures.popleft()
            self._messages.append(message)
            count = len(self._messages)
        return Sent(provider_id=f"{self.name}-{count}", detail="recorded")

    def close(self) -> None:
        """Nothing to release; the record stays readable."""
