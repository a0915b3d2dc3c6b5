"""Writing and verifying the hash-chained audit log.

Each event's ``chain_hash`` is a keyed hash (core.crypto.chain_mac) of its canonical
content including ``seq`` and ``prev_hash``; an edit breaks its own hash, a deletion
breaks the next event's ``prev_hash`` (and leaves a gap in ``seq``), a reordering
breaks both, and a truncated tail no longer meets the chain head row. Appends lock the
head row (SELECT … FOR UPDATE; SQLite has a single writer) so the chain never forks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from skillcert.core.actors import Actor
from skillcert.core.crypto import chain_mac
from skillcert.core.models import AuditChainHead, AuditEvent, Organisation

GENESIS = "0" * 64

_HASHED_FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "actor_label",
    "organisation_id",
    "organisation_label",
    "province_code",
    "city_code",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "changes",
    "prev_hash",
)


def _canonical(event: AuditEvent) -> bytes:
    data: dict[str, Any] = {}
    for name in _HASHED_FIELDS:
        value = getattr(event, name)
        if isinstance(value, datetime):
            value = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        data[name] = value
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(event: AuditEvent) -> str:
    return chain_mac(_canonical(event))


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    organisation: Organisation | None = None,
) -> AuditEvent:
    """Append one event; must run inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the service's transaction")
    org = organisation or actor.organisation or _organisation_of(obj)
    # Everything that may query (labels of related rows) happens before the chain head
    # is locked: every audited write in the system waits on that one row until commit.
    event = AuditEvent(
        actor_id=actor.user_id,
        actor_label=actor.label[:128],
        organisation_id=org.pk if org else None,
        organisation_label=org.name[:128] if org else "",
        province_code=org.province_id if org else "",
        city_code=(org.city_id or "") if org else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=str(obj)[:200] if obj is not None else "",
        changes=_jsonable(changes or {}),
    )
    head = _locked_head()
    seq, prev = head.seq + 1, head.chain_hash
    event.seq, event.prev_hash, event.created_at = seq, prev, timezone.now()
    event.chain_hash = event_hash(event)
    event.save(force_insert=True)
    head.seq, head.chain_hash = seq, event.chain_hash
    head.save(update_fields=["seq", "chain_hash"])
    return event


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # The migration creates the row; this covers a database flushed by tests.
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def _organisation_of(obj: models.Model | None) -> Organisation | None:
    if isinstance(obj, Organisation):
        return obj
    org = getattr(obj, "organisation", None)
    return org if isinstance(org, Organisation) else None


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    # Round-trip so the stored value (and so the hash) matches what the JSON column returns.
    loaded: dict[str, Any] = json.loads(json.dumps(changes, default=str, ensure_ascii=False))
    return loaded


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(batch_size: int = 2000) -> tuple[int, ChainBreak | None]:
    """Walk the chain in ``seq`` order; return (events checked, first break or None)."""
    expected_prev, expected_seq, count = GENESIS, 1, 0
    for event in _iter_events(batch_size):
        if event.seq != expected_seq:
            return count, ChainBreak(expected_seq, f"event #{expected_seq} is missing")
        if event.prev_hash != expected_prev:
            return count, ChainBreak(event.seq, "prev_hash does not match the preceding event")
        if event.chain_hash != event_hash(event):
            return count, ChainBreak(event.seq, "content does not match its hash (edited)")
        expected_prev, expected_seq, count = event.chain_hash, event.seq + 1, count + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.chain_hash) if head else (0, GENESIS)
    if (head_seq, head_hash) != (count, expected_prev):
        return count, ChainBreak(
            count + 1, f"the chain ends at #{count} but its head is #{head_seq}"
        )
    return count, None


def _iter_events(batch_size: int) -> Iterator[AuditEvent]:
    last_seq = 0
    while True:
        page = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:batch_size])
        if not page:
            return
        yield from page
        last_seq = page[-1].seq
