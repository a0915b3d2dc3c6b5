"""Reads of certificates and issuance runs, scoped to the actor where people read them."""

from __future__ import annotations

from django.db.models import QuerySet

from skillcert.batches.models import Batch
from skillcert.certificates.models import Certificate, CertificateVersion, IssuanceRun
from skillcert.certificates.numbering import is_number
from skillcert.core.actors import Actor
from skillcert.enrollment.models import Application
from skillcert.results.choices import Outcome


def certificates_for(actor: Actor) -> QuerySet[Certificate]:
    """The certificates the actor may see (authorities, the institution, the holder)."""
    return Certificate.objects.for_actor(actor).select_related("institution__organisation")


def batch_certificates(actor: Actor, batch: Batch) -> QuerySet[Certificate]:
    return certificates_for(actor).filter(batch=batch).order_by("number")


def passed_applications(batch: Batch) -> QuerySet[Application]:
    """Applications of the batch whose result is 合格 (voided results are not)."""
    return Application.objects.filter(batch=batch, result__outcome=Outcome.PASSED).order_by("pk")


def to_issue(batch: Batch) -> QuerySet[Application]:
    """Passed applications still without a certificate, held ones included."""
    return passed_applications(batch).filter(certificate__isnull=True)


def held_applications(batch: Batch) -> QuerySet[Application]:
    """Passed graduating-year students whose diploma is not verified yet: their
    certificate waits (云人社通〔2023〕23号)."""
    return to_issue(batch).filter(diploma_pending=True).select_related("person")


def latest_run(batch: Batch) -> IssuanceRun | None:
    return IssuanceRun.objects.filter(batch=batch).order_by("-created_at", "-pk").first()


def runs_for(actor: Actor, batch: Batch) -> QuerySet[IssuanceRun]:
    return IssuanceRun.objects.for_actor(actor).filter(batch=batch).order_by("-created_at", "-pk")


def certificate_by_number(number: str) -> Certificate | None:
    """Unscoped look-up for verification; a malformed number finds nothing."""
    if not is_number(number):
        return None
    return Certificate.objects.filter(number=number).select_related("institution").first()


def current_version(certificate: Certificate) -> CertificateVersion | None:
    return certificate.versions.filter(version=certificate.version).first()


def released_applications(batch: Batch) -> QuerySet[Application]:
    """Passed students whose diploma has been verified since the batch's run held them:
    their certificate is still to issue (云人社通〔2023〕23号)."""
    return to_issue(batch).filter(diploma_pending=False).select_related("person")


def my_certificates(actor: Actor) -> QuerySet[Certificate]:
    """The certificates the actor holds (any batch), with their versions."""
    if actor.user_id is None:
        return Certificate.objects.none()
    return (
        certificates_for(actor)
        .filter(person__user_id=actor.user_id)
        .prefetch_related("versions")
        .order_by("-issue_date", "number")
    )


def certificate_search(actor: Actor, query: str = "") -> QuerySet[Certificate]:
    """The actor's certificates by number (whole or leading part) or holder's name."""
    found = certificates_for(actor).order_by("-issue_date", "number")
    text = "".join(query.split())
    if not text:
        return found
    if text[0].isascii() and text.isalnum():
        return found.filter(number__startswith=text.upper())
    return found.filter(holder_name__contains=text)


def versions_of(certificate: Certificate) -> QuerySet[CertificateVersion]:
    return certificate.versions.order_by("version")
