"""Delivering the certificate outbox to the query system, against a real local receiver
(tests/certificates/receiver.py): one that fails now and then, one that is down for a
while and comes back, a worker that dies between the POST and its record, and (on
PostgreSQL) workers racing each other. Rounds advance ``now`` instead of sleeping."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone
from django_tasks.backends.dummy import DummyBackend
from pytest_django.fixtures import Settings as SettingsWrapper

from skillcert.certificates import delivery, keys, signing
from skillcert.certificates.choices import CertificateStatus, DeliveryEvent, DeliveryStatus
from skillcert.certificates.delivery import (
    BACKOFF_CAP,
    LEASE_MARGIN,
    backoff,
    deliver_due,
    outbox_record,
    outbox_summary,
)
from skillcert.certificates.issuance import issue_batch, new_certificate
from skillcert.certificates.models import Certificate, OutboxMessage
from skillcert.certificates.tasks_delivery import deliver_outbox_task, schedule_follow_up
from tests.certificates.conftest import CertKit, build_issuable
from tests.certificates.receiver import Receiver, free_port
from tests.concurrency import race
from tests.conftest import build_cast

Capture = Callable[..., Any]
ROUND = timedelta(hours=2)  # longer than any backoff: every pending message is due again
TIMEOUT = 0.3


def certify(ck: CertKit) -> list[Certificate]:
    """Certificates for the batch's passed candidates, each with its ``issued`` message
    (what issuance does, without the PDF work)."""
    certificates = []
    for application in ck.passed:
        with transaction.atomic():
            certificate = new_certificate(application, day=timezone.localdate(), label="测试")
            outbox_record(certificate, DeliveryEvent.ISSUED)
        certificates.append(certificate)
    return certificates


def change(certificate: Certificate) -> OutboxMessage:
    with transaction.atomic():
        certificate.version += 1
        certificate.holder_name += "（更正）"
        certificate.save(update_fields=["version", "holder_name"])
        return outbox_record(certificate, DeliveryEvent.CHANGED)


def revoke(certificate: Certificate) -> OutboxMessage:
    with transaction.atomic():
        certificate.status = CertificateStatus.REVOKED
        certificate.revoked_at = timezone.now()
        certificate.revoked_reason = "成绩认定无效"
        certificate.save(update_fields=["status", "revoked_at", "revoked_reason"])
        return outbox_record(certificate, DeliveryEvent.REVOKED)


def messages() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.order_by("pk"))


def in_order_per_certificate(keys: list[str]) -> bool:
    """Each certificate's keys appear in the order its messages were written."""
    by_key = {m.idempotency_key: m for m in messages()}
    seen: dict[int, int] = {}
    for key in keys:
        message = by_key[key]
        if seen.get(message.certificate_id, 0) > message.pk:
            return False
        seen[message.certificate_id] = message.pk
    return True


@pytest.fixture
def certificates(ck: CertKit) -> list[Certificate]:
    return certify(ck)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def configured(settings: SettingsWrapper, receiver: Receiver) -> Receiver:
    settings.CERTIFICATE_DELIVERY_URL = receiver.url
    settings.CERTIFICATE_DELIVERY_TOKEN = ""
    settings.CERTIFICATE_DELIVERY_TIMEOUT = TIMEOUT
    return receiver


@pytest.fixture
def worst_jitter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every backoff waits its full ceiling, so the delays can be checked exactly."""
    monkeypatch.setattr(delivery, "_jitter", lambda: 1.0)


pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------
# Sending


def test_nothing_is_sent_while_delivery_is_off(
    certificates: list[Certificate], receiver: Receiver, settings: SettingsWrapper
) -> None:
    settings.CERTIFICATE_DELIVERY_URL = ""
    report = deliver_due(now=timezone.now() + ROUND)
    assert (report.delivered, report.failed, report.remaining) == (0, 0, 3)
    assert receiver.posts == []
    assert [(m.status, m.attempts) for m in messages()] == [(DeliveryStatus.PENDING, 0)] * 3


@pytest.mark.parametrize("token", ["", "s3cret-token"])
def test_each_message_is_posted_as_json_with_its_key(
    certificates: list[Certificate],
    configured: Receiver,
    settings: SettingsWrapper,
    token: str,
) -> None:
    settings.CERTIFICATE_DELIVERY_TOKEN = token
    now = timezone.now()
    report = deliver_due(now=now)
    assert (report.delivered, report.failed, report.remaining) == (3, 0, 0)
    sent = messages()
    assert configured.keys_posted() == [m.idempotency_key for m in sent]
    assert [m.idempotency_key for m in sent] == [f"{c.number}:1:issued" for c in certificates]
    for post, message in zip(configured.posts, sent, strict=True):
        assert post.body == message.payload
        assert post.content_type.startswith("application/json")
        assert post.authorization == (f"Bearer {token}" if token else "")
    for message in sent:
        assert message.status == DeliveryStatus.DELIVERED
        assert (message.delivered_at, message.last_status_code, message.attempts) == (now, 201, 1)


def test_the_record_carries_no_full_id_number(
    certificates: list[Certificate], configured: Receiver
) -> None:
    deliver_due()
    for certificate, post in zip(certificates, configured.posts, strict=True):
        text = str(post.body)
        assert certificate.id_number.plain not in text
        assert post.body["id_number_masked"] == certificate.id_number.masked
        assert post.body["holder_name"] == certificate.holder_name
        assert post.body["number"] == certificate.number


def test_an_error_answer_is_kept_for_a_retry(
    certificates: list[Certificate], configured: Receiver, worst_jitter: None
) -> None:
    configured.plan = lambda n: "fail"
    now = timezone.now()
    report = deliver_due(now=now)
    assert (report.delivered, report.failed, report.remaining) == (0, 3, 3)
    for message in messages():
        assert message.status == DeliveryStatus.PENDING
        assert (message.attempts, message.last_status_code) == (1, 500)
        assert message.last_error == "HTTP 500"
        assert message.next_attempt_at == now + timedelta(seconds=30)
    # Not due again before its backoff has passed.
    assert deliver_due(now=now + timedelta(seconds=29)).attempted == 0
    assert len(configured.posts) == 3


def test_a_redirect_is_not_taken_for_a_delivery(
    certificates: list[Certificate], configured: Receiver
) -> None:
    configured.plan = lambda n: "redirect"
    report = deliver_due()
    assert (report.delivered, report.failed) == (0, 3)
    assert len(configured.posts) == 3  # the POSTs were not followed to /elsewhere
    assert {(m.last_status_code, m.last_error) for m in messages()} == {(302, "HTTP 302")}


# ---------------------------------------------------------------------------------------
# A receiver failing now and then; one that is down and comes back


def test_an_intermittent_receiver_stores_every_message_exactly_once(
    certificates: list[Certificate], configured: Receiver
) -> None:
    change(certificates[0])
    change(certificates[1])
    revoke(certificates[1])
    expected = [m.idempotency_key for m in messages()]
    assert len(expected) == 6
    # Every 3rd request fails with 500; every 4th is stored but answered too late.
    configured.plan = lambda n: "fail" if n % 3 == 2 else "slow" if n % 4 == 0 else "ok"
    configured.slow_seconds = TIMEOUT * 2
    now = timezone.now()
    for _round in range(30):
        if not deliver_due(now=now).remaining:
            break
        now += ROUND
    assert all(m.status == DeliveryStatus.DELIVERED for m in messages())
    # The receiver holds each message once, as sent, and was really tested: some requests
    # failed, some were repeats of a record it had already taken.
    assert sorted(configured.records) == sorted(expected)
    stored = Counter(p.key for p in configured.posts if p.status == 201)
    assert set(stored.values()) == {1}
    statuses = Counter(p.status for p in configured.posts)
    assert statuses[500] >= 1
    assert statuses[409] >= 1
    for message in messages():
        assert configured.records[message.idempotency_key] == message.payload
    assert in_order_per_certificate(configured.created())
    assert in_order_per_certificate(configured.keys_posted())


def test_a_receiver_that_is_down_gets_everything_in_order_when_it_is_back(
    certificates: list[Certificate], settings: SettingsWrapper, worst_jitter: None
) -> None:
    port = free_port()
    settings.CERTIFICATE_DELIVERY_URL = f"http://127.0.0.1:{port}/certificates"
    settings.CERTIFICATE_DELIVERY_TIMEOUT = TIMEOUT
    change(certificates[0])
    revoke(certificates[0])
    first = {c.pk: c.outbox.order_by("pk").first() for c in certificates}
    heads = {m.pk for m in first.values() if m is not None}
    start = timezone.now()
    waits = []
    for attempt in range(1, 9):
        now = start + attempt * ROUND
        report = deliver_due(now=now)
        # Only each certificate's first message is tried: a later one waits for it.
        assert (report.delivered, report.failed, report.remaining) == (0, 3, 5)
        for message in messages():
            if message.pk in heads:
                assert message.attempts == attempt
                assert message.last_error.startswith("connection error")
                assert message.last_status_code is None
                waits.append((message.next_attempt_at - now).total_seconds())
            else:
                assert message.attempts == 0
    ceilings = [min(BACKOFF_CAP, 30.0 * 2 ** (n - 1)) for n in range(1, 9)]
    assert waits == [c for c in ceilings for _cert in range(3)]
    assert ceilings[-1] == BACKOFF_CAP == 3600
    with Receiver(port=port) as back:
        report = deliver_due(now=start + 9 * ROUND)
        assert (report.delivered, report.failed, report.remaining) == (5, 0, 0)
        assert sorted(back.keys_posted()) == sorted(m.idempotency_key for m in messages())
        assert in_order_per_certificate(back.keys_posted())
        number = certificates[0].number
        mine = [k for k in back.keys_posted() if k.startswith(number)]
        assert mine == [f"{number}:1:issued", f"{number}:2:changed", f"{number}:2:revoked"]


def test_backoff_is_jittered_exponential_and_capped() -> None:
    for attempts in range(1, 16):
        ceiling = min(3600.0, 30.0 * 2 ** (attempts - 1))
        waits = [backoff(attempts).total_seconds() for _n in range(200)]
        assert all(1.0 <= w <= ceiling for w in waits)
        assert max(waits) > ceiling / 2  # full jitter spreads over the whole range
        assert len(set(waits)) > 100
    assert backoff(10_000) <= timedelta(hours=1)


# ---------------------------------------------------------------------------------------
# Idempotency: a worker dies after the POST, before recording it


@pytest.mark.parametrize("duplicate_status", [409, 200])
def test_a_message_sent_again_after_a_crash_is_not_stored_twice(
    certificates: list[Certificate],
    configured: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    duplicate_status: int,
) -> None:
    configured.duplicate_status = duplicate_status
    crashed = messages()[0]

    def die(*args: object) -> None:
        raise RuntimeError("the worker died")

    monkeypatch.setattr(delivery, "_record", die)
    now = timezone.now()
    with pytest.raises(RuntimeError):
        deliver_due(now=now)
    monkeypatch.undo()
    assert configured.keys_posted() == [crashed.idempotency_key]
    crashed.refresh_from_db()
    assert (crashed.status, crashed.attempts) == (DeliveryStatus.PENDING, 0)
    lease_end = now + timedelta(seconds=TIMEOUT) + LEASE_MARGIN
    assert crashed.next_attempt_at == lease_end
    # The others go; the crashed one waits for its lease to run out, then goes again.
    assert deliver_due(now=now).delivered == 2
    assert configured.keys_posted().count(crashed.idempotency_key) == 1
    assert deliver_due(now=lease_end).delivered == 1
    crashed.refresh_from_db()
    assert crashed.status == DeliveryStatus.DELIVERED
    assert crashed.last_status_code == duplicate_status
    repeats = [p for p in configured.posts if p.key == crashed.idempotency_key]
    assert [p.status for p in repeats] == [201, duplicate_status]
    assert repeats[0].body == repeats[1].body
    assert len(configured.records) == 3


# ---------------------------------------------------------------------------------------
# Written in the issuing transaction; queued after commit


def test_a_rolled_back_change_leaves_no_message(
    certificates: list[Certificate],
    configured: Receiver,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    certificate = certificates[0]
    inside: list[int] = []

    def failing_change() -> None:
        with transaction.atomic():
            change(certificate)
            inside.append(OutboxMessage.objects.filter(event=DeliveryEvent.CHANGED).count())
            raise RuntimeError("the change failed")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        failing_change()
    assert inside == [1]
    assert callbacks == []
    assert not OutboxMessage.objects.filter(event=DeliveryEvent.CHANGED).exists()
    certificate.refresh_from_db()
    assert certificate.version == 1


def test_a_committed_message_queues_a_delivery_run(
    certificates: list[Certificate],
    configured: Receiver,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = change(certificates[0])
        outbox_record(certificates[0], DeliveryEvent.CHANGED)  # again: nothing new
    assert len(callbacks) == 1
    # The test backend runs the task at once: every due message went out.
    message.refresh_from_db()
    assert message.status == DeliveryStatus.DELIVERED
    assert len(configured.records) == 4


def test_no_run_is_queued_while_delivery_is_off(
    certificates: list[Certificate],
    settings: SettingsWrapper,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    settings.CERTIFICATE_DELIVERY_URL = ""
    with django_capture_on_commit_callbacks() as callbacks:
        change(certificates[0])
    assert callbacks == []


@pytest.fixture
def signing_keys(settings: SettingsWrapper, tmp_path: Path) -> Iterator[None]:
    """A deployment CA of this test's own (manage.py certificates_ca in a deployment)."""
    settings.SKILLCERT_KEYS_DIR = tmp_path / "keys"
    signing.clear_signers()
    keys.ensure_ca()
    yield
    signing.clear_signers()


def test_issuing_a_batch_records_one_message_per_certificate(
    ck: CertKit, signing_keys: None, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        issue_batch(actor=ck.admin, batch=ck.batch)
    numbers = ck.numbers()
    assert len(numbers) == 3
    assert [m.idempotency_key for m in messages()] == [f"{n}:1:issued" for n in numbers]
    assert all(m.status == DeliveryStatus.PENDING for m in messages())


# ---------------------------------------------------------------------------------------
# The task and the command


def test_the_task_queues_its_next_run_when_the_first_is_due(
    certificates: list[Certificate],
    configured: Receiver,
    settings: SettingsWrapper,
    worst_jitter: None,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = deliver_outbox_task.get_backend()
    assert isinstance(backend, DummyBackend)
    configured.plan = lambda n: "fail" if n <= 2 else "ok"
    assert deliver_outbox_task.call() == 1
    queued = [r.task.run_after for r in backend.results]
    earliest = min(m.next_attempt_at for m in messages() if m.status == DeliveryStatus.PENDING)
    assert queued == [earliest]
    # A run that finds nothing due queues nothing (the queued run is the chain).
    assert deliver_outbox_task.call() == 0
    assert len(backend.results) == 1


def test_the_task_queues_nothing_once_everything_is_delivered(
    certificates: list[Certificate], configured: Receiver, settings: SettingsWrapper
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = deliver_outbox_task.get_backend()
    assert isinstance(backend, DummyBackend)
    assert deliver_outbox_task.call() == 3
    assert backend.results == []


def test_a_backend_that_cannot_defer_gets_no_follow_up(
    certificates: list[Certificate], configured: Receiver
) -> None:
    configured.plan = lambda n: "fail"
    report = deliver_due()
    assert report.remaining == 3
    assert not deliver_outbox_task.get_backend().supports_defer
    assert schedule_follow_up(report) is False


def test_the_command_delivers_once(certificates: list[Certificate], configured: Receiver) -> None:
    out = io.StringIO()
    call_command("deliver_certificates", "--once", stdout=out)
    assert out.getvalue().strip() == "delivered 3, failed 0, pending 0"
    assert len(configured.records) == 3


def test_the_command_loops_until_stopped(
    certificates: list[Certificate],
    configured: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    worst_jitter: None,
) -> None:
    configured.plan = lambda n: "fail" if n == 1 else "ok"
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr("time.sleep", sleep)
    out = io.StringIO()
    call_command("deliver_certificates", "--interval", "5", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines == [
        "delivered 2, failed 1, pending 1",
        "delivered 0, failed 0, pending 1",
        "stopped",
    ]
    assert sleeps == [5.0, 5.0]


def test_the_command_refuses_to_run_without_a_receiver(
    certificates: list[Certificate], settings: SettingsWrapper
) -> None:
    settings.CERTIFICATE_DELIVERY_URL = ""
    with pytest.raises(CommandError):
        call_command("deliver_certificates", "--once")


# ---------------------------------------------------------------------------------------
# What operators see


def test_the_summary_counts_the_actors_messages(
    ck: CertKit, certificates: list[Certificate], configured: Receiver
) -> None:
    configured.plan = lambda n: "fail" if n == 2 else "ok"
    deliver_due()
    failing = messages()[1]
    for role in ("institution_a", "city_a", "province"):
        summary = outbox_summary(ck.cast.actor(role))
        assert (summary.delivered, summary.pending, summary.failing) == (2, 1, 1), role
        assert summary.oldest_pending is not None
        assert summary.oldest_pending.pk == failing.pk
        assert summary.oldest_pending.last_error == "HTTP 500"
    for role in ("institution_b", "city_b", "examiner", "candidate", "anonymous"):
        summary = outbox_summary(ck.cast.actor(role))
        assert summary.counts == {"pending": 0, "delivered": 0}, role
        assert summary.oldest_pending is None


def test_the_summary_of_an_empty_outbox(ck: CertKit) -> None:
    summary = outbox_summary(ck.admin)
    assert (summary.pending, summary.delivered, summary.failing) == (0, 0, 0)
    assert summary.oldest_pending is None


# ---------------------------------------------------------------------------------------
# PostgreSQL: workers racing


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="parallel workers need PostgreSQL (SQLite has a single writer)",
)
@pytest.mark.django_db(transaction=True)
def test_racing_workers_post_each_message_once(settings: SettingsWrapper) -> None:
    ck = build_issuable(build_cast(), passed=6, failed=0)
    certificates = certify(ck)
    for certificate in certificates[:3]:
        change(certificate)
    revoke(certificates[0])
    expected = [m.idempotency_key for m in messages()]
    with Receiver(delay=0.02) as receiver:
        settings.CERTIFICATE_DELIVERY_URL = receiver.url
        settings.CERTIFICATE_DELIVERY_TIMEOUT = 5
        now: datetime = timezone.now()
        results = race([lambda: deliver_due(now=now) for _n in range(4)])
        assert not [r for r in results if isinstance(r, BaseException)]
        assert sum(r.delivered for r in results) == len(expected) == 10
        assert sum(r.failed for r in results) == 0
        assert sorted(receiver.keys_posted()) == sorted(expected)  # each POSTed once
        assert in_order_per_certificate(receiver.keys_posted())
        # More than one worker took part.
        assert sum(1 for r in results if r.delivered) > 1
    assert all(m.status == DeliveryStatus.DELIVERED for m in messages())
