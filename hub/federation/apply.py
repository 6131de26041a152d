"""Applying a partner's changes: screen each envelope, then upsert by (origin center, origin id).

The rules, in order: the type must be one the agreement takes from this partner; this hub's own
records are written only here; a record of another origin comes only from an agreed relay for
it; the payload must validate against its schema in schemas/; a change never lowers a version
(an equal version is skipped); a tombstone marks the row deleted and keeps it, so it stays
restorable. Before anything is written, a batch that would delete more than the agreed share of
the partner's records is held back whole (DeletionsHeld) for staff to look at.
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import fastjsonschema
import jsonschema
from jsonschema.exceptions import best_match
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.errors import Conflict
from hub.federation.records import Kind, kinds
from hub.federation.rows import Change, chunks, insert_rows, table_of, update_rows
from hub.federation.schemas import ChangeEnvelope
from hub.provenance import CHANGE_SEQ, take
from hub.settings import get_settings

KEPT_REJECTIONS = 200


@dataclass(slots=True)
class Outcome:
    """What one batch (or run) did; the first rejections are kept with their reasons."""

    fetched: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: int = 0
    rejected: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, raw: Any, reason: str) -> None:
        self.rejected += 1
        if len(self.rejections) < KEPT_REJECTIONS:
            item = raw if isinstance(raw, dict) else {}
            self.rejections.append(
                {
                    "type": item.get("type"),
                    "origin_center": item.get("origin_center"),
                    "origin_id": item.get("origin_id"),
                    "reason": reason,
                }
            )

    def counts(self) -> dict[str, int]:
        return {
            "fetched": self.fetched,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "skipped": self.skipped,
            "rejected": self.rejected,
        }


class DeletionsHeld(Conflict):
    """The batch would delete too large a share of the partner's records."""

    def __init__(self, partner: str, deletions: int, held: int, share: float) -> None:
        self.deletions, self.held = deletions, held
        super().__init__(
            f"{partner} would delete {deletions} of the {held} records held from it "
            f"({deletions / held:.0%}, more than the {share:.0%} allowed); nothing was applied. "
            "Check with the partner, then release the breaker to let the deletions through."
        )


@dataclass(frozen=True, slots=True)
class Agreement:
    """What the receiving side checks a partner's changes against."""

    partner: str
    receives: tuple[str, ...]
    relays_for: tuple[str, ...]
    max_delete_share: float
    # Fewer deletions than this never trip the breaker: small catalogs change by a few.
    min_deletions: int = 0

    @property
    def origins(self) -> tuple[str, ...]:
        return (self.partner, *self.relays_for)


@lru_cache(maxsize=8)
def _validators(schemas_dir: str, name: str) -> tuple[Any, jsonschema.Draft202012Validator]:
    """A compiled check (fastjsonschema, six times faster) that lets valid payloads through, and
    jsonschema's validator, which has the last word and the clearer message on the rest."""
    with open(f"{schemas_dir}/{name}", encoding="utf-8") as file:
        schema = json.load(file)
    exact = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return fastjsonschema.compile(schema), exact


def _envelope_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "envelope"
    return f"{where}: {first['msg']}"


def _payload_error(schemas_dir: str, name: str, payload: Any) -> str | None:
    fast, exact = _validators(schemas_dir, name)
    try:
        fast(payload)
    except fastjsonschema.JsonSchemaException:
        pass
    else:
        return None
    error = best_match(exact.iter_errors(payload))
    if error is None:
        return None
    where = "/".join(str(part) for part in error.absolute_path)
    return f"payload{'/' + where if where else ''}: {error.message}"


def screen(agreement: Agreement, raws: Iterable[Any], outcome: Outcome) -> list[Change]:
    """The envelopes that pass the rules, the latest version of each record; the others are
    counted as rejected with their reasons."""
    local = get_settings().center_slug
    schemas_dir = str(get_settings().schemas_dir)
    latest: dict[tuple[str, str, str], Change] = {}
    for raw in raws:
        outcome.fetched += 1
        try:
            env = ChangeEnvelope.model_validate(raw)
        except ValidationError as exc:
            outcome.reject(raw, _envelope_error(exc))
            continue
        if env.type not in agreement.receives:
            outcome.reject(
                raw, f"the agreement takes no {env.type} records from {agreement.partner}"
            )
            continue
        if env.origin_center == local:
            outcome.reject(raw, f"records of {local} are written only here")
            continue
        if env.origin_center not in agreement.origins:
            outcome.reject(
                raw,
                f"{agreement.partner} may not write records of {env.origin_center} "
                "(it is not an agreed relay for that center)",
            )
            continue
        if env.payload is not None and not env.deleted:
            error = _payload_error(schemas_dir, f"{env.type}.schema.json", env.payload)
            if error is not None:
                outcome.reject(raw, error)
                continue
        key = (env.type, env.origin_center, env.origin_id)
        seen = latest.get(key)
        if seen is not None:
            outcome.skipped += 1
            if seen.version >= env.version:
                continue
        latest[key] = Change(
            kind=env.type,
            origin_center=env.origin_center,
            origin_id=env.origin_id,
            version=env.version,
            updated_at=env.updated_at,
            deleted=env.deleted,
            payload=None if env.deleted else env.payload,
        )
    return list(latest.values())


@dataclass(slots=True)
class _Plan:
    creates: list[Change] = field(default_factory=list)
    updates: list[Change] = field(default_factory=list)
    tombstones: list[Change] = field(default_factory=list)
    deletions: int = 0


def _existing(
    session: Session, kind: Kind, changes: Sequence[Change]
) -> dict[tuple[str, str], Any]:
    """The rows already here for these changes, by (origin center, origin id): per origin
    center, so the unique (origin_center, origin_id) index answers."""
    model = kind.model
    found = {}
    by_center: dict[str, set[str]] = defaultdict(set)
    for change in changes:
        by_center[change.origin_center].add(change.origin_id)
    for center, wanted in by_center.items():
        for part in chunks(sorted(wanted)):
            rows = session.execute(
                select(model.id, model.origin_center, model.origin_id, model.version)
                .add_columns(model.deleted)
                .where(model.origin_center == center, model.origin_id.in_(part))
            )
            found.update({(r.origin_center, r.origin_id): r for r in rows})
    return found


def _plan(session: Session, kind: Kind, changes: list[Change], outcome: Outcome) -> _Plan:
    plan = _Plan()
    live = [c for c in changes if not c.deleted]
    refused = kind.refusals(session, live)
    for n, reason in refused.items():
        change = live[n]
        outcome.reject(
            {
                "type": change.kind,
                "origin_center": change.origin_center,
                "origin_id": change.origin_id,
            },
            reason,
        )
    refused_ids = {id(live[n]) for n in refused}
    existing = _existing(session, kind, changes)
    for change in changes:
        if id(change) in refused_ids:
            continue
        row = existing.get((change.origin_center, change.origin_id))
        if row is None:
            if change.deleted:  # a record never seen here, deleted already: nothing to keep
                outcome.skipped += 1
            else:
                plan.creates.append(change)
            continue
        if row.version >= change.version:
            outcome.skipped += 1
            continue
        change.row_id = row.id
        if change.deleted:
            plan.tombstones.append(change)
            plan.deletions += 0 if row.deleted else 1
        else:
            plan.updates.append(change)
    return plan


def _held(session: Session, registry: dict[str, Kind], agreement: Agreement) -> int:
    total = 0
    for name in agreement.receives:
        model = registry[name].model
        total += (
            session.scalar(
                select(func.count())
                .select_from(model)
                .where(model.origin_center.in_(agreement.origins), model.deleted.is_(False))
            )
            or 0
        )
    return total


def apply_changes(
    session: Session,
    agreement: Agreement,
    changes: list[Change],
    outcome: Outcome,
    *,
    allow_deletions: bool = False,
) -> None:
    """Write the screened changes in bulk, or raise DeletionsHeld having written nothing."""
    registry = kinds(session)
    grouped: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        grouped[change.kind].append(change)
    plans = {
        name: _plan(session, registry[name], group, outcome) for name, group in grouped.items()
    }
    deletions = sum(p.deletions for p in plans.values())
    if deletions >= max(agreement.min_deletions, 1) and not allow_deletions:
        held = _held(session, registry, agreement)
        if deletions > agreement.max_delete_share * held:
            raise DeletionsHeld(agreement.partner, deletions, held, agreement.max_delete_share)
    for name, plan in plans.items():
        _write(session, registry[name], plan, outcome)


def _provenance(change: Change, seq: int, *, deleted: bool) -> dict[str, Any]:
    return {
        "version": change.version,
        "updated_at": change.updated_at,
        "deleted": deleted,
        "change_seq": seq,
    }


def _write(session: Session, kind: Kind, plan: _Plan, outcome: Outcome) -> None:
    """Fresh change_seq values for every written row, so this hub's own feed relays them."""
    model = kind.model
    total = len(plan.creates) + len(plan.updates) + len(plan.tombstones)
    if not total:
        return
    seq = take(session, CHANGE_SEQ, total) - total + 1
    if plan.creates:
        values = kind.columns(session, plan.creates)
        rows = []
        for n, (change, columns) in enumerate(zip(plan.creates, values, strict=True)):
            rows.append(
                {
                    **columns,
                    "origin_center": change.origin_center,
                    "origin_id": change.origin_id,
                    **_provenance(change, seq + n, deleted=False),
                }
            )
        # No RETURNING (per-row bookkeeping); the new ids are read back by the change_seq
        # range reserved above, which no other row holds (the counter is locked to commit):
        # one range query on its index, where look-ups by origin were planned against the
        # table's statistics from before the insert.
        insert_rows(session, table_of(model), rows)
        last = seq + len(plan.creates) - 1
        found = session.execute(
            select(model.change_seq, model.id).where(model.change_seq.between(seq, last))
        )
        made: dict[int, int] = {s: i for s, i in found}  # noqa: C416 - rows to pairs
        for n, change in enumerate(plan.creates):
            change.row_id = made[seq + n]
        kind.replace_children(session, plan.creates, new=True)
        seq += len(plan.creates)
        outcome.created += len(plan.creates)
    if plan.updates:
        values = kind.columns(session, plan.updates)
        update_rows(
            session,
            model,
            [
                {"id": change.row_id, **columns, **_provenance(change, seq + n, deleted=False)}
                for n, (change, columns) in enumerate(zip(plan.updates, values, strict=True))
            ],
        )
        kind.replace_children(session, plan.updates)
        seq += len(plan.updates)
        outcome.updated += len(plan.updates)
    if plan.tombstones:
        update_rows(
            session,
            model,
            [
                {
                    "id": change.row_id,
                    **kind.tombstone(),
                    **_provenance(change, seq + n, deleted=True),
                }
                for n, change in enumerate(plan.tombstones)
            ],
        )
        outcome.deleted += plan.deletions
        outcome.skipped += len(plan.tombstones) - plan.deletions
