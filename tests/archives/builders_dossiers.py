"""The dossier tests' world: a batch of institution A whose results the centre approved
(tests/certificates/conftest.py ``build_issuable``), with what a complete archive holds.

``archivable(cast)`` adds to it evidence files and a signed pledge for the first passed
candidate, candidate and staff check-ins at the theory session, an external supervisor's
note on that session and, with ``issued=True``, the issued certificates (status 证书已发放).
``built(actor, batch)`` requests a dossier and runs its build in place (the task waits for
a commit that a test transaction never makes).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from skillcert.archives import dossiers
from skillcert.archives.models import Dossier
from skillcert.batches.choices import Component
from skillcert.batches.models import Batch, Session
from skillcert.core.actors import Actor
from skillcert.enrollment.choices import EvidenceKind
from skillcert.enrollment.models import Application, Evidence, SeatAssignment
from skillcert.exams.choices import CheckInRole
from skillcert.exams.models import CheckIn
from skillcert.supervision.choices import NoteKind
from skillcert.supervision.models import Inspection, InspectionEvidence, SupervisionNote
from tests.certificates.conftest import CertKit, build_issuable
from tests.certificates.matrix_pages import link_candidate, run_now
from tests.conftest import Cast
from tests.supervision.builders_pool import plan

EVIDENCE_PDF = b"%PDF-1.4\n% diploma of the first candidate\n%%EOF\n"
EVIDENCE_PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PLEDGE_SHA = "ab" * 32


@dataclass
class DossierKit:
    ck: CertKit
    evidence: list[Evidence]
    theory: Session
    scene: InspectionEvidence

    @property
    def batch(self) -> Batch:
        return self.ck.batch

    @property
    def admin(self) -> Actor:
        return self.ck.admin

    @property
    def cast(self) -> Cast:
        return self.ck.cast

    @property
    def first(self) -> Application:
        return self.ck.passed[0]


def add_evidence(application: Application, kind: str, name: str, data: bytes) -> Evidence:
    evidence = Evidence(
        application=application,
        kind=kind,
        original_name=name,
        content_type="application/pdf" if name.endswith(".pdf") else "image/png",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_label="考生",
    )
    evidence.file.save(f"{kind}-{application.pk}{name[-4:]}", ContentFile(data), save=False)
    evidence.save()
    return evidence


def _sign_pledge(application: Application) -> None:
    application.pledge_signed_at = timezone.now() - timedelta(days=30)
    application.pledge_client_address = "10.0.0.8"
    application.pledge_text_sha256 = PLEDGE_SHA
    application.save(
        update_fields=["pledge_signed_at", "pledge_client_address", "pledge_text_sha256"]
    )


def _check_ins(kit: CertKit, theory: Session) -> None:
    at = theory.starts_at - timedelta(minutes=20)
    for application in kit.passed:
        seat = SeatAssignment.objects.get(session=theory, application=application)
        CheckIn.objects.create(
            session=theory, role=CheckInRole.CANDIDATE, seat=seat, at=at, recorded_by_label="考生"
        )
    staff = kit.rk.examiners[0]
    CheckIn.objects.create(
        session=theory, role=CheckInRole.STAFF, staff=staff, at=at, recorded_by_label="考务"
    )


def _supervision_note(cast: Cast, batch: Batch, theory: Session) -> InspectionEvidence:
    """An external supervisor's inspection of the theory session: a note and a photo."""
    inspection = Inspection.objects.create(
        plan=plan(cast), institution=batch.institution, batch=batch, session=theory
    )
    SupervisionNote.objects.create(
        inspection=inspection,
        session=theory,
        kind=NoteKind.ARRIVAL,
        at=theory.starts_at - timedelta(minutes=10),
        text="督导员到场，考场秩序良好。",
        author_label="督导员甲",
    )
    return InspectionEvidence.objects.create(
        inspection=inspection,
        file=ContentFile(EVIDENCE_PNG, name="scene.png"),
        original_name="考场照片.png",
        content_type="image/png",
        size=len(EVIDENCE_PNG),
        sha256=hashlib.sha256(EVIDENCE_PNG).hexdigest(),
        uploaded_by_label="督导员甲",
    )


def archivable(cast: Cast, *, issued: bool = True, passed: int = 2, failed: int = 1) -> DossierKit:
    ck = build_issuable(cast, passed=passed, failed=failed)
    batch = ck.batch
    theory = batch.sessions.get(component=Component.THEORY)
    first = ck.passed[0]
    evidence = [
        add_evidence(first, EvidenceKind.DIPLOMA, "毕业证书.pdf", EVIDENCE_PDF),
        add_evidence(first, EvidenceKind.PHOTO, "photo.png", EVIDENCE_PNG),
    ]
    _sign_pledge(first)
    _check_ins(ck, theory)
    scene = _supervision_note(cast, batch, theory)
    if issued:
        run_now(ck.admin, ck)
    return DossierKit(ck=ck, evidence=evidence, theory=theory, scene=scene)


def linked(kit: DossierKit) -> DossierKit:
    """The cast candidate becomes the first passed candidate (the batch is in their scope)."""
    link_candidate(kit.ck)
    return kit


def built(actor: Actor, batch: Batch) -> Dossier:
    """Request a dossier and build it in place, as the task would."""
    dossier = dossiers.dossier_request(actor=actor, batch=batch)
    claimed = dossiers.dossier_claim(dossier.pk)
    assert claimed is not None
    return dossiers.dossier_build(claimed)


def dossier_bytes(dossier: Dossier) -> bytes:
    with dossier.file.open("rb") as handle:
        data: bytes = handle.read()
    return data


def rezip(data: bytes, replace: dict[str, bytes], *, add: dict[str, bytes] | None = None) -> bytes:
    """The same zip with some members' content replaced (CRCs recomputed) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = replace.get(info.filename, source.read(info.filename))
            target.writestr(info, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()
