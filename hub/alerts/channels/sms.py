"""SMS delivery through a Twilio-style HTTP API (POST …/Accounts/{sid}/Messages.json)."""

import re
from urllib.parse import quote

import httpx

from hub.alerts.channels.base import (
    DeliveryFailure,
    Message,
    PermanentFailure,
    Sent,
    TransientFailure,
    http_failure,
)

# Twilio refuses longer bodies.
MAX_BODY_CHARS = 1600
# Twilio error codes that mean the number itself will never take the message.
BOUNCE_CODES = {
    21211: "invalid 'To' number",
    21610: "recipient unsubscribed (replied STOP)",
    21614: "not a mobile number",
}
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")


def sms_body(text: str) -> str:
    """The text cut to Twilio's limit, with an ellipsis so the cut shows."""
    if len(text) <= MAX_BODY_CHARS:
        return text
    return text[: MAX_BODY_CHARS - 1] + "…"


class SmsGateway:
    """Sends through the gateway with one pooled HTTP client.

    The timeout is long rather than short (10 s by default; Twilio answers in well under one):
    a timed-out request is retried, and if the gateway had in fact taken it the recipient gets
    the SMS twice.
    """

    name = "sms"

    def __init__(
        self,
        base_url: str,
        *,
        account_sid: str,
        auth_token: str,
        sender: str,
        timeout: float = 10.0,
    ) -> None:
        self._url = f"{base_url.rstrip('/')}/Accounts/{quote(account_sid, safe='')}/Messages.json"
        self._sender = sender
        self._client = httpx.Client(auth=(account_sid, auth_token), timeout=timeout)

    def send(self, message: Message) -> Sent:
        if not _E164.fullmatch(message.to):
            raise PermanentFailure(f"{message.to!r} is not an E.164 phone number", bounce=True)
        form = {"To": message.to, "From": self._sender, "Body": sms_body(message.text)}
        try:
            response = self._client.post(self._url, data=form)
        except httpx.TransportError as exc:
            raise TransientFailure(f"SMS gateway: {type(exc).__name__}: {exc}") from exc
        if response.is_success:
            sid = _json(response).get("sid")
            return Sent(
                provider_id=sid if isinstance(sid, str) else None,
                detail=f"SMS gateway HTTP {response.status_code}",
            )
        raise _failure(response)

    def close(self) -> None:
        self._client.close()


def _json(response: httpx.Response) -> dict[str, object]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _failure(response: httpx.Response) -> DeliveryFailure:
    body = _json(response)
    code = body.get("code")
    detail = str(body.get("message") or response.text)[:300]
    reason = f"SMS gateway HTTP {response.status_code}"
    if code is not None:
        reason += f" code {code}"
    reason += f": {detail}"
    if response.status_code < 500 and isinstance(code, int) and code in BOUNCE_CODES:
        return PermanentFailure(f"{reason} ({BOUNCE_CODES[code]})", bounce=True)
    return http_failure(response.status_code, reason)
