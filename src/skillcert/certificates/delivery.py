"""Delivering certificate records to the national/provincial query system through an
outbox (粤人社函〔2021〕76号 五(六): the public query is kept in step with the national one;
沪人社职〔2022〕102号 附件 四(四): certificate data is reported promptly once issued).

``outbox_record`` writes the message in the transaction that changed the certificate, so
a change is never committed without its message, nor a message without its change. The
idempotency key (number, version, event) lets the receiver drop a repeated delivery.

``deliver_due`` is the worker: it claims one due message at a time in a short
transaction (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, and a lease: the
message's ``next_attempt_at`` moves past the request's timeout), POSTs it outside any
transaction, then records the outcome in a transaction of its own. A 2xx answer, or 409
(the receiver has that key already), marks it delivered; anything else is retried with
exponential backoff and full jitter, never dropped. A worker that dies between the POST
and the record leaves the message pending; it is sent again, with the same key, once
the lease runs out. Messages of one certificate go out in the order they were written.

Settings: ``CERTIFICATE_DELIVERY_URL`` (empty: delivery is off, messages wait),
``CERTIFICATE_DELIVERY_TOKEN`` (sent as ``Authorization: Bearer …`` when set),
``CERTIFICATE_DELIVERY_TIMEOUT`` (seconds per request).
"""

from __future__ import annotations

import http.client
import json
import random
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from skillcert.certificates.choices import DeliveryStatus
from skillcert.certificates.content import LEVEL_TEXT
from skillcert.certificates.models import Certificate, OutboxMessage
from skillcert.core.actors import Actor

# Retry delays: full jitter over an exponential ceiling, 30 s doubling up to 1 h.
BACKOFF_BASE = 30.0
BACKOFF_CAP = 3600.0
# A claimed message is not offered to another worker before its request has timed out.
LEASE_MARGIN = timedelta(seconds=30)
ERROR_LENGTH = 200
USER_AGENT = "SkillCert certificate delivery"


def idempotency_key(certificate: Certificate, event: str) -> str:
    return f"{certificate.number}:{certificate.version}:{event}"


def payload_for(certificate: Certificate, event: str) -> dict[str, Any]:
    """The record the query system keeps: what the certificate prints, with the ID
    number masked (the receiver matches on number and name)."""
    return {
        "event": event,
        "number": certificate.number,
        "version": certificate.version,
        "status": certificate.status,
        "holder_name": certificate.holder_name,
        "id_type": certificate.id_type,
        "id_number_masked": certificate.id_number.masked,
        "occupation_code": certificate.occupation_code,
        "occupation_name": certificate.occupation_name,
        "work_type": certificate.work_type_name,
        "level": certificate.level,
        "level_text": LEVEL_TEXT[certificate.level],
        "institution": certificate.institution_name,
        "issue_date": certificate.issue_date.isoformat(),
        "revoked_at": certificate.revoked_at.isoformat() if certificate.revoked_at else None,
        "revoked_reason": certificate.revoked_reason or None,
    }


def outbox_record(certificate: Certificate, event: str) -> OutboxMessage:
    """Queue ``certificate``'s current record for delivery; call inside the transaction
    that issued, changed or revoked it. Recording the same event twice is a no-op.
    When delivery is configured, a delivery run is queued once the transaction commits."""
    message, created = OutboxMessage.objects.get_or_create(
        idempotency_key=idempotency_key(certificate, event),
        defaults={
            "certificate": certificate,
            "version": certificate.version,
            "event": event,
            "payload": payload_for(certificate, event),
            "next_attempt_at": timezone.now(),
        },
    )
    if created and delivery_url():
        transaction.on_commit(_enqueue_delivery)
    return message


def _enqueue_delivery() -> None:
    from skillcert.certificates.tasks_delivery import deliver_outbox_task  # imports this module

    deliver_outbox_task.enqueue()


# ---------------------------------------------------------------------------------------
# Settings


def delivery_url() -> str:
    return str(getattr(settings, "CERTIFICATE_DELIVERY_URL", "") or "")


def delivery_token() -> str:
    return str(getattr(settings, "CERTIFICATE_DELIVERY_TOKEN", "") or "")


def delivery_timeout() -> float:
    return float(getattr(settings, "CERTIFICATE_DELIVERY_TIMEOUT", 10) or 10)


# ---------------------------------------------------------------------------------------
# The worker


@dataclass(frozen=True)
class DeliveryReport:
    """What one ``deliver_due`` run did; ``remaining`` is what is still pending after it."""

    delivered: int
    failed: int
    remaining: int

    @property
    def attempted(self) -> int:
        return self.delivered + self.failed


@dataclass(frozen=True)
class SendOutcome:
    """A POST's result: delivered, or the status code and a short error (no payload)."""

    delivered: bool
    status_code: int | None = None
    error: str = ""


def _jitter() -> float:
    return random.random()  # noqa: S311 - spreads retries out; nothing secret depends on it


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: uniformly up to 30 s × 2^(n−1),
    capped at one hour (full jitter, so a receiver coming back is not hit by every
    worker at once); at least a second."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(max(attempts, 1) - 1, 20))
    return timedelta(seconds=max(1.0, _jitter() * ceiling))


def deliver_due(*, now: datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Deliver up to ``limit`` messages due when the run starts (at ``now``). Sending
    happens outside any transaction; several workers may run at once. Leases, backoff and
    delivery times are taken from the clock as each message goes (from ``now`` when given,
    so tests can step through time)."""
    url = delivery_url()
    start = now or timezone.now()
    timeout = timedelta(seconds=delivery_timeout())
    delivered = failed = 0
    if url:
        _check_url(url)
        while delivered + failed < limit:
            message = _claim(start, (now or timezone.now()) + timeout + LEASE_MARGIN)
            if message is None:
                break
            outcome = send(url, message)
            _record(message, outcome, now or timezone.now())
            delivered, failed = delivered + outcome.delivered, failed + (not outcome.delivered)
    remaining = OutboxMessage.objects.filter(status=DeliveryStatus.PENDING).count()
    return DeliveryReport(delivered=delivered, failed=failed, remaining=remaining)


def _due(now: datetime) -> QuerySet[OutboxMessage]:
    """Pending messages due at ``now`` that no earlier pending message of the same
    certificate is waiting before (a v2 never overtakes its v1)."""
    earlier = OutboxMessage.objects.filter(
        certificate_id=OuterRef("certificate_id"),
        status=DeliveryStatus.PENDING,
        pk__lt=OuterRef("pk"),
    )
    return (
        OutboxMessage.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .filter(~Exists(earlier))
        .order_by("pk")
    )


def _claim(now: datetime, lease: datetime) -> OutboxMessage | None:
    """Take the first due message for this worker: locked rows are skipped, and the
    lease keeps it from other workers until the request has had its time."""
    with transaction.atomic():
        message = _due(now).select_for_update(skip_locked=True).first()
        if message is None:
            return None
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=lease)
    return message


def send(url: str, message: OutboxMessage) -> SendOutcome:
    """POST one message as JSON with its idempotency key; never raises for network or
    HTTP errors, and never puts the payload (personal data) into the error."""
    body = json.dumps(message.payload, ensure_ascii=False, sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json",
        "Idempotency-Key": message.idempotency_key,
        "User-Agent": USER_AGENT,
    }
    token = delivery_token()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - scheme checked by _check_url
    try:
        with _OPENER.open(request, timeout=delivery_timeout()) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = int(exc.code)
        exc.close()
    except TimeoutError:
        return SendOutcome(delivered=False, error="timeout")
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            return SendOutcome(delivered=False, error="timeout")
        return SendOutcome(delivered=False, error=_short(f"connection error: {reason}"))
    if 200 <= status < 300 or status == 409:  # 409: the receiver holds this key already
        return SendOutcome(delivered=True, status_code=status)
    return SendOutcome(delivered=False, status_code=status, error=f"HTTP {status}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would turn the POST into a GET that "succeeds": count it as a failure."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _check_url(url: str) -> None:
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError("CERTIFICATE_DELIVERY_URL must be an http(s) URL")


def _short(text: str) -> str:
    return text if len(text) <= ERROR_LENGTH else text[: ERROR_LENGTH - 1] + "…"


def _record(message: OutboxMessage, outcome: SendOutcome, now: datetime) -> None:
    """Write the outcome; a message another worker has meanwhile delivered stays so."""
    with transaction.atomic():
        locked = (
            OutboxMessage.objects.select_for_update()
            .filter(pk=message.pk, status=DeliveryStatus.PENDING)
            .first()
        )
        if locked is None:
            return
        locked.attempts += 1
        locked.last_status_code = outcome.status_code
        if outcome.delivered:
            locked.status, locked.delivered_at = DeliveryStatus.DELIVERED, now
        else:
            locked.last_error = outcome.error
            locked.next_attempt_at = now + backoff(locked.attempts)
        locked.save(
            update_fields=[
                "attempts",
                "last_status_code",
                "status",
                "delivered_at",
                "last_error",
                "next_attempt_at",
            ]
        )


def next_due_at() -> datetime | None:
    """When the earliest pending message is next due (None when nothing is pending)."""
    return (
        OutboxMessage.objects.filter(status=DeliveryStatus.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )


# ---------------------------------------------------------------------------------------
# Operators' view


@dataclass(frozen=True)
class OutboxSummary:
    """Counts of the actor's outbox by status, and the oldest message still waiting."""

    counts: dict[str, int] = field(default_factory=dict)
    failing: int = 0  # pending messages that have failed at least once
    oldest_pending: OutboxMessage | None = None

    @property
    def pending(self) -> int:
        return self.counts.get(DeliveryStatus.PENDING, 0)

    @property
    def delivered(self) -> int:
        return self.counts.get(DeliveryStatus.DELIVERED, 0)


def outbox_summary(actor: Actor) -> OutboxSummary:
    """The delivery state of the certificates the actor may see (institution staff their
    own, HR authorities their region's): counts by status, how many pending messages
    have failed, and the oldest pending one with its attempts and last error."""
    messages = OutboxMessage.objects.for_actor(actor)
    counts = {status: 0 for status in DeliveryStatus.values}
    for row in messages.values("status").annotate(n=Count("pk")).order_by("status"):
        counts[row["status"]] = row["n"]
    pending = messages.filter(status=DeliveryStatus.PENDING)
    return OutboxSummary(
        counts=counts,
        failing=pending.filter(attempts__gt=0).count(),
        oldest_pending=pending.select_related("certificate").order_by("created_at", "pk").first(),
    )
