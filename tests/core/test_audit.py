"""The audit log: written in the caller's transaction, append-only, tamper-evident."""

from __future__ import annotations

import hashlib
import importlib
import io
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction

from skillcert.core.actors import Actor
from skillcert.core.audit import GENESIS, _canonical, audit_record, event_hash, verify_chain
from skillcert.core.models import AuditChainHead, AuditEvent
from skillcert.core.models.audit import AppendOnlyError
from tests.factories import MembershipFactory, OrganisationFactory

_guard_migration = importlib.import_module(
    "skillcert.core.migrations.0002_load_regions_and_audit_guard"
)
SYSTEM = Actor.system("test")
TRIGGER = "core_auditevent_append_only"


class _Boom(Exception):
    pass


def _record(n: int, action: str = "test.event") -> list[AuditEvent]:
    with transaction.atomic():
        return [audit_record(actor=SYSTEM, action=action, changes={"i": i}) for i in range(n)]


def _head() -> tuple[int, str]:
    head = AuditChainHead.objects.filter(pk=1).first()
    return (head.seq, head.chain_hash) if head else (0, GENESIS)


def _sql(sql: str, params: list[str | int] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _is_pg() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def _guard_off() -> Iterator[None]:
    """Lift the database's append-only trigger, as someone with DDL rights could."""
    if _is_pg():
        _sql(f"ALTER TABLE core_auditevent DISABLE TRIGGER {TRIGGER}")
    else:
        _sql(f"DROP TRIGGER {TRIGGER}")
    try:
        yield
    finally:
        if _is_pg():
            _sql(f"ALTER TABLE core_auditevent ENABLE TRIGGER {TRIGGER}")
        else:
            _sql(_guard_migration.SQLITE_GUARD)


def _run_verify() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_audit", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _assert_broken_at(seq: int, reason: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit", stdout=out, stderr=err)
    assert exit_info.value.code == 1
    message = err.getvalue()
    assert f"Audit chain broken at event #{seq}: " in message
    assert reason in message
    assert "intact" not in out.getvalue()
    _, broken = verify_chain()
    assert broken is not None
    assert broken.seq == seq
    return message


# --- writing ----------------------------------------------------------------------------


def test_audit_record_refuses_to_run_outside_a_transaction() -> None:
    # No database marker: the check must come before any query.
    assert not connection.in_atomic_block
    with pytest.raises(
        RuntimeError, match="audit_record must run inside the service's transaction"
    ):
        audit_record(actor=SYSTEM, action="test.outside")


@pytest.mark.django_db
def test_rolled_back_transaction_leaves_no_event_and_the_head_unchanged() -> None:
    _record(2)
    head_before = _head()

    def doomed_service() -> None:
        with transaction.atomic():
            audit_record(actor=SYSTEM, action="test.doomed")
            raise _Boom

    with pytest.raises(_Boom):
        doomed_service()
    assert _head() == head_before
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2]
    assert not AuditEvent.objects.filter(action="test.doomed").exists()
    # The next append continues the chain without a gap.
    (event,) = _record(1)
    assert event.seq == 3
    assert verify_chain() == (3, None)


@pytest.mark.django_db
def test_seq_increases_by_one_and_prev_hash_links() -> None:
    with transaction.atomic():
        events = [
            audit_record(
                actor=SYSTEM,
                action="test.link",
                changes={"when": date(2026, 1, 2), "amount": Decimal("1.50"), "i": i},
            )
            for i in range(4)
        ]
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert events[0].prev_hash == GENESIS
    for previous, event in itertools.pairwise(events):
        assert event.prev_hash == previous.chain_hash
    assert len({e.chain_hash for e in events}) == 4
    assert _head() == (4, events[-1].chain_hash)
    # What the database returns hashes to what was sealed (values stored as JSON text).
    stored = list(AuditEvent.objects.order_by("seq"))
    assert stored[0].changes == {"when": "2026-01-02", "amount": "1.50", "i": 0}
    assert [event_hash(e) for e in stored] == [e.chain_hash for e in events]
    assert verify_chain() == (4, None)


@pytest.mark.django_db
def test_labels_are_copied_and_survive_deleting_what_they_name() -> None:
    membership = MembershipFactory(user__full_name="王审计")
    actor = Actor(user=membership.user, membership=membership)
    org = membership.organisation
    target = OrganisationFactory(name="将被删除的机构")
    with transaction.atomic():
        event = audit_record(actor=actor, action="test.label", obj=target)
    ids = (membership.user.pk, org.pk, target.pk)

    target.delete()
    membership.user.delete()  # cascades to the membership
    org.delete()

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor_id == ids[0]
    assert stored.actor_label == "王审计"
    assert stored.organisation_id == ids[1]
    assert stored.organisation_label == org.name
    assert (stored.province_code, stored.city_code) == ("530000", "530100")
    assert stored.object_type == "core.organisation"
    assert stored.object_id == str(ids[2])
    assert stored.object_label == "将被删除的机构"
    assert verify_chain() == (1, None)


# --- append-only ------------------------------------------------------------------------


@pytest.mark.django_db
def test_orm_refuses_to_change_or_delete_events() -> None:
    (event,) = _record(1)
    event.action = "test.changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    loaded = AuditEvent.objects.get(pk=event.pk)
    loaded.action = "test.changed"
    with pytest.raises(AppendOnlyError):
        loaded.save(update_fields=["action"])
    with pytest.raises(AppendOnlyError):
        loaded.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="test.changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    # bulk_update runs in atomic(savepoint=False): give it a savepoint of its own.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEvent.objects.bulk_update([loaded], ["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"
    assert verify_chain() == (1, None)


@pytest.mark.django_db
def test_database_trigger_refuses_raw_update() -> None:
    _record(2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql("UPDATE core_auditevent SET action = %s WHERE seq = %s", ["test.raw", 2])
    assert AuditEvent.objects.get(seq=2).action == "test.event"
    assert verify_chain() == (2, None)


@pytest.mark.django_db
def test_database_trigger_refuses_raw_delete_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's guard refuses only UPDATE (the test runner's flush deletes)")
    _record(2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql("DELETE FROM core_auditevent WHERE seq = %s", [2])
    assert AuditEvent.objects.count() == 2
    assert verify_chain() == (2, None)


@pytest.mark.django_db
def test_guard_is_back_after_the_bypass() -> None:
    _record(1)
    with _guard_off():
        _sql("UPDATE core_auditevent SET object_label = %s WHERE seq = 1", ["x"])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql("UPDATE core_auditevent SET object_label = %s WHERE seq = 1", ["y"])


# --- verify_audit -----------------------------------------------------------------------


@pytest.mark.django_db
def test_verify_audit_reports_an_intact_chain() -> None:
    _record(5)
    out, err = _run_verify()
    assert out.strip() == "Audit chain intact: 5 events verified."
    assert err == ""


@pytest.mark.django_db
def test_verify_audit_on_an_empty_chain() -> None:
    out, _ = _run_verify()
    assert out.strip() == "Audit chain intact: 0 events verified."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value"),
    [("action", "test.innocent"), ("changes", '{"i": 99}')],
)
def test_verify_audit_detects_an_edited_event(column: str, value: str) -> None:
    _record(5)
    placeholder = "CAST(%s AS jsonb)" if column == "changes" and _is_pg() else "%s"
    with _guard_off():
        _sql(f"UPDATE core_auditevent SET {column} = {placeholder} WHERE seq = 2", [value])  # noqa: S608
    edited = AuditEvent.objects.get(seq=2)
    assert getattr(edited, column) in (value, {"i": 99})
    message = _assert_broken_at(2, "content does not match its hash (edited)")
    assert "(1 events verified before it)" in message


@pytest.mark.django_db
def test_verify_audit_detects_a_deleted_middle_event() -> None:
    _record(5)
    with _guard_off():
        _sql("DELETE FROM core_auditevent WHERE seq = 3")
    _assert_broken_at(3, "event #3 is missing")


@pytest.mark.django_db
def test_verify_audit_detects_a_deleted_first_event() -> None:
    _record(3)
    with _guard_off():
        _sql("DELETE FROM core_auditevent WHERE seq = 1")
    _assert_broken_at(1, "event #1 is missing")


@pytest.mark.django_db
def test_verify_audit_detects_a_reordered_pair() -> None:
    _record(5)
    with _guard_off():
        _sql("UPDATE core_auditevent SET seq = -2 WHERE seq = 2")
        _sql("UPDATE core_auditevent SET seq = 2 WHERE seq = 3")
        _sql("UPDATE core_auditevent SET seq = 3 WHERE seq = -2")
    assert AuditEvent.objects.get(seq=2).changes == {"i": 2}
    _assert_broken_at(2, "prev_hash does not match the preceding event")


@pytest.mark.django_db
def test_verify_audit_detects_a_truncated_tail() -> None:
    _record(5)
    with _guard_off():
        _sql("DELETE FROM core_auditevent WHERE seq = 5")
    message = _assert_broken_at(5, "the chain ends at #4 but its head is #5")
    assert "(4 events verified before it)" in message


@pytest.mark.django_db
def test_verify_audit_detects_a_fully_truncated_chain() -> None:
    _record(3)
    with _guard_off():
        _sql("DELETE FROM core_auditevent")
    _assert_broken_at(1, "the chain ends at #0 but its head is #3")


@pytest.mark.django_db
def test_a_plain_sha256_cannot_reseal_an_edited_event() -> None:
    events = _record(5)
    # The chain hash is keyed: it is not the SHA-256 of the canonical content.
    assert events[1].chain_hash != hashlib.sha256(_canonical(events[1])).hexdigest()
    with _guard_off():
        _sql("UPDATE core_auditevent SET action = 'test.innocent' WHERE seq = 2")
        edited = AuditEvent.objects.get(seq=2)
        forged = hashlib.sha256(_canonical(edited)).hexdigest()
        _sql("UPDATE core_auditevent SET chain_hash = %s WHERE seq = 2", [forged])
    assert AuditEvent.objects.get(seq=2).chain_hash == forged
    _assert_broken_at(2, "content does not match its hash (edited)")


@pytest.mark.django_db
def test_resealing_with_the_key_still_breaks_the_next_link() -> None:
    # Control for the test above: a correct keyed re-seal passes #2 but not #3.
    _record(5)
    with _guard_off():
        _sql("UPDATE core_auditevent SET action = 'test.innocent' WHERE seq = 2")
        resealed = event_hash(AuditEvent.objects.get(seq=2))
        _sql("UPDATE core_auditevent SET chain_hash = %s WHERE seq = 2", [resealed])
    _assert_broken_at(3, "prev_hash does not match the preceding event")


@pytest.mark.django_db
def test_a_forged_event_appended_without_the_key_is_reported() -> None:
    events = _record(3)
    forged = AuditEvent(
        seq=4,
        created_at=events[-1].created_at,
        actor_label="system",
        action="test.forged",
        prev_hash=events[-1].chain_hash,
    )
    forged.chain_hash = hashlib.sha256(_canonical(forged)).hexdigest()
    forged.save(force_insert=True)
    AuditChainHead.objects.filter(pk=1).update(seq=4, chain_hash=forged.chain_hash)
    _assert_broken_at(4, "content does not match its hash (edited)")


# --- concurrency (PostgreSQL) -----------------------------------------------------------

THREADS, PER_THREAD = 8, 25


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent appends need PostgreSQL (SQLite has a single writer)",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain() -> None:
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            actor = Actor.system(f"worker-{n}")
            barrier.wait(timeout=30)
            for i in range(PER_THREAD):
                with transaction.atomic():
                    audit_record(actor=actor, action="test.concurrent", changes={"n": n, "i": i})
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []

    total = THREADS * PER_THREAD
    assert verify_chain() == (total, None)
    rows = list(AuditEvent.objects.order_by("seq").values_list("seq", "prev_hash", "actor_label"))
    assert [seq for seq, _, _ in rows] == list(range(1, total + 1))
    assert len({prev for _, prev, _ in rows}) == total  # no two events share a parent
    for n in range(THREADS):
        assert sum(1 for *_, label in rows if label == f"worker-{n}") == PER_THREAD
    assert _head()[0] == total
