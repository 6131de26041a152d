"""The recipient's acknowledgement page: GET shows the alert and a confirm button, POST records
the acknowledgement (idempotent). The signed link is the only credential."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from hub.alerts import ack
from hub.alerts.models import Alert
from hub.alerts.render import ENV, kind
from hub.alerts.schemas import NOT_REAL
from hub.deps import SessionProvider
from hub.directory.models import Contact
from hub.errors import HubError


def ack_router(sessions: SessionProvider) -> APIRouter:
    """GET and POST /ack/{token}."""
    router = APIRouter()
    page = ENV.get_template("ack.html")

    def answer(token: str, *, record: bool) -> HTMLResponse:
        try:
            claim = ack.read(token)
            with sessions(record) as session:
                alert = session.get(Alert, claim.alert_id)
                contact = session.get(Contact, claim.contact_id)
                if alert is None or contact is None:
                    raise HubError("the alert or the contact of this link no longer exists")
                entry = (
                    ack.acknowledge(session, claim)[0] if record else ack.existing(session, claim)
                )
                values = {
                    "error": None,
                    "not_real": NOT_REAL.get(alert.status),
                    "kind": kind(alert, 0),
                    "headline": alert.headline,
                    "event": alert.event,
                    "instruction": alert.instruction,
                    "sent": f"{alert.sent_at or alert.created_at:%Y-%m-%d %H:%M} UTC",
                    "name": contact.name,
                    "done": entry is not None,
                    "at": f"{entry.at:%Y-%m-%d %H:%M:%S} UTC" if entry else None,
                }
        except HubError as exc:
            failed = page.render(error=exc.message, headline="Acknowledgement", done=False)
            return HTMLResponse(failed, 400)
        return HTMLResponse(page.render(**values))

    @router.get("/ack/{token}", response_class=HTMLResponse)
    def show(token: str) -> HTMLResponse:
        return answer(token, record=False)

    @router.post("/ack/{token}", response_class=HTMLResponse)
    def confirm(token: str) -> HTMLResponse:
        return answer(token, record=True)

    return router
