"""A sync that staff start by hand (GraphQL `syncPartner`, the console's "Sync now"): recorded
in the caller's transaction, carried out in a thread once that transaction has committed."""

import threading
from collections.abc import Callable
from typing import cast

from sqlalchemy import event
from sqlalchemy.orm import Session

from hub.auth.policy import Action, Principal, require
from hub.errors import InvalidInput
from hub.federation.sync import Syncer, Way


def _after_commit(session: Session, work: Callable[[], object]) -> None:
    """Start `work` in a thread once this session's transaction has committed.

    after_commit also fires when a savepoint is released, before the row is visible to other
    connections: wait for the outermost commit."""
    started = False

    def start(committed: Session) -> None:
        nonlocal started
        if started or committed.in_nested_transaction():
            return
        started = True
        threading.Thread(target=work, name="sync-now", daemon=True).start()

    event.listen(session, "after_commit", start)


def sync_now(session: Session, principal: Principal, slug: str, direction: str) -> int:
    """Begin a manual run with partner `slug`; returns its id (the run goes on after commit)."""
    require(principal, Action.MANAGE_PARTNERS)
    if direction not in ("pull", "push"):
        raise InvalidInput("direction is pull or push", field="direction")
    syncer = Syncer(engine=session.get_bind().engine)
    run_id = syncer.begin(session, slug, cast(Way, direction), trigger="manual", actor=principal)
    assert run_id is not None  # a manual run is always begun (or refused)
    _after_commit(session, lambda: syncer.carry_out(run_id))
    return run_id
