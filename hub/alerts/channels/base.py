"""What every delivery channel shares: the message, the result, the two failures, the backoff."""

import random as _random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, kw_only=True)
class Message:
    """One rendered message for one recipient on one channel.

    `to` is an e-mail address, an E.164 phone number or a webhook URL. `data` is the JSON body
    of a webhook. `headers` are extra e-mail or webhook headers; the channel's own headers
    (signature, delivery id) win over them. `district` is the NCES id of the recipient's
    district: the webhook channel derives the signing secret from it.
    """

    channel: str
    to: str
    subject: str
    text: str
    html: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    delivery_id: int
    alert_identifier: str
    headers: dict[str, str] = field(default_factory=dict)
    district: str | None = None


@dataclass(frozen=True)
class Sent:
    """The channel handed the message over. `provider_id` is the far end's id for it, if any."""

    provider_id: str | None
    detail: str


class DeliveryFailure(Exception):
    """The message was not handed over; `reason` goes into the delivery's attempt record."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientFailure(DeliveryFailure):
    """Worth retrying later, with backoff: timeouts, refused connections, SMTP 4xx, HTTP 5xx."""


class PermanentFailure(DeliveryFailure):
    """Retrying would fail the same way. `bounce`: the address itself is bad (unknown mailbox,
    invalid number, webhook gone), so the contact needs correcting."""

    def __init__(self, reason: str, *, bounce: bool = False) -> None:
        super().__init__(reason)
        self.bounce = bounce


class Channel(Protocol):
    """A way of sending. `send` raises TransientFailure or PermanentFailure when it did not
    send; `close` releases connections. Implementations are safe to share between threads."""

    name: str

    def send(self, message: Message) -> Sent: ...

    def close(self) -> None: ...


def http_failure(status: int, reason: str) -> DeliveryFailure:
    """The failure an HTTP status means: 408, 429 and 5xx may clear up on a retry, any other
    answer will not; 410 Gone says the address itself is gone."""
    if status in (408, 429) or status >= 500:
        return TransientFailure(reason)
    return PermanentFailure(reason, bounce=status == 410)


def backoff_seconds(
    attempt: int,
    base: float,
    cap: float = 300,
    *,
    random: Callable[[], float] = _random.random,
) -> float:
    """Seconds to wait after failed attempt number `attempt` (1 = the first).

    Exponential with full jitter: a uniform draw below min(cap, base * 2 ** (attempt - 1)), so
    workers that failed together do not retry together. `random=lambda: 1.0` gives the ceiling
    itself, deterministically.
    """
    if attempt < 1:
        raise ValueError(f"attempt counts from 1, got {attempt}")
    # Past 2**64 the ceiling is the cap anyway; stopping there keeps the float finite.
    ceiling = min(cap, base * 2.0 ** min(attempt - 1, 64))
    return ceiling * random()
