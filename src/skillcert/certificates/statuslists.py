"""Each institution's published Bitstring Status List credential (one list per issuer).

A certificate's credential carries a ``BitstringStatusListEntry`` pointing at
``status_list_url(institution)`` and its ``status_index``. When a certificate is revoked
(云人社函〔2023〕1号 一(四): the record stays, marked revoked), ``publish_status_list``
rebuilds the list from the institution's revoked certificates and re-signs it with the
institution's credential key. The publication row is locked while it is rebuilt, so two
revocations committed at the same time each see the other's bit.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from skillcert.certificates import keys, statuslist
from skillcert.certificates.choices import CertificateStatus
from skillcert.certificates.models import Certificate, StatusListPublication
from skillcert.institutions.models import Institution


def status_list_url(institution: Institution) -> str:
    """Where the institution's status list credential is published (no login)."""
    return f"{settings.SITE_URL}/credentials/status/{institution.pk}"


def list_size(highest_index: int | None) -> int:
    """Bits enough for ``highest_index``, in whole blocks of ``MIN_BITS`` so the list's
    length says nothing about how many certificates the institution has issued."""
    if highest_index is None or highest_index < statuslist.MIN_BITS:
        return statuslist.MIN_BITS
    blocks = highest_index // statuslist.MIN_BITS + 1
    return blocks * statuslist.MIN_BITS


def build_status_list(institution: Institution) -> statuslist.StatusList:
    """The institution's list: bit ``status_index`` set for every revoked certificate."""
    issued = Certificate.objects.filter(institution=institution, status_index__isnull=False)
    highest = issued.aggregate(highest=Max("status_index"))["highest"]
    bits = statuslist.StatusList(list_size(highest))
    revoked = issued.filter(status=CertificateStatus.REVOKED)
    for index in revoked.values_list("status_index", flat=True):
        if index is not None:
            bits.set(index)
    return bits


def _locked_publication(institution: Institution) -> StatusListPublication | None:
    return StatusListPublication.objects.select_for_update().filter(institution=institution).first()


def publish_status_list(institution: Institution) -> StatusListPublication:
    """Rebuild, re-sign and store the institution's status list (revision + 1).

    Call it inside the transaction that revoked a certificate, after saving the status:
    the list then never says "valid" for a committed revocation."""
    with transaction.atomic():
        publication = _locked_publication(institution)
        if publication is None:
            # The first publication: a parallel first one loses the unique race and
            # waits for the winner's row instead.
            try:
                with transaction.atomic():
                    publication = StatusListPublication.objects.create(
                        institution=institution, credential={}, revision=0
                    )
            except IntegrityError:
                publication = _locked_publication(institution)
                if publication is None:
                    raise
        # Built after the row lock: a concurrent revocation's committed bit is seen.
        bits = build_status_list(institution)
        publication.credential = statuslist.status_list_credential(
            list_url=status_list_url(institution),
            status_list=bits,
            issuer_key=keys.credential_key(institution),
            created=timezone.now(),
        )
        publication.revision += 1
        publication.save(update_fields=["credential", "revision", "updated_at"])
    return publication


def status_list_for(institution: Institution) -> dict[str, Any]:
    """The published list credential of ``institution``, publishing it first if none."""
    publication = StatusListPublication.objects.filter(institution=institution).first()
    if publication is None or not publication.credential:
        publication = publish_status_list(institution)
    return dict(publication.credential)


def published_status_list(institution_pk: int) -> dict[str, Any] | None:
    """The public list of the institution ``institution_pk``, or None when there is none
    to publish: no such institution, or one that has issued no certificate (an anonymous
    request then makes no keys and writes nothing)."""
    institution = Institution.objects.filter(pk=institution_pk).first()
    if institution is None:
        return None
    published = StatusListPublication.objects.filter(institution=institution).exists()
    if not published and not Certificate.objects.filter(institution=institution).exists():
        return None
    return status_list_for(institution)
