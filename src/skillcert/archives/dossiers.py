"""Batch dossiers (批次档案包): one zip per build with a manifest of SHA-256 hashes signed
by the institution's key — DESIGN.md lifecycle step 9.

云人社函〔2023〕1号 二(三): the institution keeps the whole evaluation's records together, so
that they can be read, checked and traced; 川人社办发〔2020〕20号 附件4: 全程留痕. A dossier
is requested by the batch's institution (admin or exam staff) or an HR authority over it
once the results are filed; a background job builds it part by part
(``dossier_parts.PARTS``) and stores it. The zip is deterministic for its content: entries
sorted by path, fixed timestamps and attributes.

``manifest.json`` lists every other file with its size, SHA-256, record type and retention
class; ``manifest.sig`` is the Ed25519 signature of the manifest's exact bytes by the
institution's credential key, named in the manifest as a did:key. ``dossier_verify``
checks a file offline (zip, manifest, signature, every entry) and, for a dossier this
system built, that the signer is the institution's key and the whole file is the one
stored — so any changed byte fails.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidSignature
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.archives.choices import DossierStatus, RecordType, RetentionClass
from skillcert.archives.dossier_parts import (
    MANIFEST_NAME,
    PARTS,
    SIGNATURE_NAME,
    PartContext,
    StagedFile,
    Staging,
    batch_facts,
    json_bytes,
    retention_class_of,
)
from skillcert.archives.models import Dossier
from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.batches.permissions import is_own_staff
from skillcert.batches.services.common import lock_batch
from skillcert.certificates.dataintegrity import did_key, public_key_from_did_key
from skillcert.certificates.keys import credential_key
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.jobs import job_create, job_finish, job_progress, job_start, on_commit_enqueue
from skillcert.core.models import Job, JobStatus
from skillcert.institutions.permissions import is_authority_over

logger = logging.getLogger(__name__)

FORMAT = "skillcert-dossier/1"
JOB_KIND = "archives.dossier"
# A dossier is made once the results are filed: the record of the evaluation is complete.
DOSSIER_BATCH_STATUSES = frozenset(
    {BatchStatus.RESULTS_FILED, BatchStatus.CERTIFICATES_ISSUED, BatchStatus.ARCHIVED}
)
# A build with no progress (no part finished) for this long has lost its worker; a new
# one may start. Counted from the last part finished, so a long build of a large batch
# is not taken for a lost one.
STALE_AFTER = timedelta(minutes=30)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# Already-compressed files are stored as they are.
_STORED_SUFFIXES = (".pdf", ".xlsx", ".zip", ".png", ".jpg", ".jpeg")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_COPY_CHUNK = 1024 * 1024


# --- who may ----------------------------------------------------------------------------


def can_build(actor: Actor, batch: Batch) -> bool:
    """Request, list and download a batch's dossiers: the institution's admin and exam
    staff, and the HR authorities over it (属地); system jobs too."""
    if actor.is_platform_admin or is_own_staff(actor, batch.institution):
        return True
    return is_authority_over(actor, batch.institution)


def can_open(actor: Actor, dossier: Dossier) -> bool:
    return can_build(actor, dossier.batch)


# --- requesting a build -----------------------------------------------------------------


def is_stale(dossier: Dossier, now: datetime | None = None) -> bool:
    moment = now or timezone.now()
    last = dossier.progressed_at or dossier.created_at
    return dossier.status == DossierStatus.BUILDING and moment - last > STALE_AFTER


@transaction.atomic
def dossier_request(*, actor: Actor, batch: Batch) -> Dossier:
    """Queue a new build of the batch's dossier (a Job for its progress, a BUILDING row)."""
    if not can_build(actor, batch):
        raise PermissionDenied(_("只有本机构的管理员、考务人员或属地人社部门可以生成批次档案包。"))
    locked = lock_batch(batch)  # requests for one batch take turns
    if locked.status not in DOSSIER_BATCH_STATUSES:
        raise InvalidTransition(
            _("批次状态为“%(status)s”，成绩备案后才能生成档案包。")
            % {"status": locked.get_status_display()},
            code="batch_not_ready",
        )
    now = timezone.now()
    for running in Dossier.objects.select_for_update().filter(
        batch=locked, status=DossierStatus.BUILDING
    ):
        if not is_stale(running, now):
            raise InvalidTransition(
                _("该批次的档案包正在生成，请等待完成。"), code="dossier_building"
            )
        _fail(running, _("生成任务长时间无进展，已中断。"), audit=False)
    institution = locked.institution
    job = job_create(
        actor=actor,
        kind=JOB_KIND,
        organisation=institution.organisation,
        params={"batch": locked.pk},
    )
    dossier = Dossier.objects.create(
        batch=locked, institution=institution, job=job, created_by_label=actor.label[:128]
    )
    audit_record(
        actor=actor,
        action="archives.dossier_request",
        obj=dossier,
        organisation=institution.organisation,
        changes={"batch": locked.pk, "job": job.pk},
    )
    from skillcert.archives.tasks import dossier_build_task  # the task module imports this one

    on_commit_enqueue(dossier_build_task, dossier.pk)
    return dossier


def dossier_claim(dossier_id: int) -> Dossier | None:
    """Take a queued build for this worker (its job queued → running); None when another
    worker took it, it has ended or is gone, so a second delivery of the task does nothing."""
    dossier = Dossier.objects.filter(pk=dossier_id, status=DossierStatus.BUILDING).first()
    if dossier is None or dossier.job_id is None:
        return None
    claimed = Job.objects.filter(pk=dossier.job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    return dossier if claimed else None


# --- building ---------------------------------------------------------------------------


def _builder(dossier: Dossier) -> Actor:
    return Actor.system(f"档案包#{dossier.pk}（{dossier.created_by_label}）"[:128])


def dossier_build(dossier: Dossier) -> Dossier:
    """Build a BUILDING dossier: each part in turn (progress after each), then the signed
    manifest and the zip, stored in the default storage. Any failure ends it FAILED with
    the message, and leaves neither a temporary nor a stored file behind."""
    dossier = Dossier.objects.select_related(
        "batch__institution__organisation", "batch__occupation", "batch__work_type", "job"
    ).get(pk=dossier.pk)
    if dossier.status != DossierStatus.BUILDING:
        return dossier
    stored = ""
    try:
        with tempfile.TemporaryDirectory(prefix="skillcert-dossier-") as folder:
            zip_path, manifest_sha, entries = _assemble(dossier, Path(folder))
            digest, size = file_sha256(zip_path)
            with zip_path.open("rb") as handle:
                dossier.file.save(dossier_filename(dossier), File(handle), save=False)
            stored = dossier.file.name
            _record_ready(
                dossier, digest=digest, size=size, manifest_sha=manifest_sha, entries=entries
            )
    except DomainError as exc:
        _discard(dossier, stored)
        _fail(dossier, str(exc.message))
    except Exception:
        logger.exception("dossier %s failed", dossier.pk)
        _discard(dossier, stored)
        _fail(dossier, _("生成档案包时发生系统错误，请稍后重试或联系管理员。"))
    dossier.refresh_from_db()
    return dossier


def dossier_filename(dossier: Dossier) -> str:
    return f"{dossier.batch.code}-dossier-{dossier.pk}.zip"


def _assemble(dossier: Dossier, folder: Path) -> tuple[Path, str, int]:
    batch, job = dossier.batch, dossier.job
    staging = Staging(folder / "files")
    context = PartContext(batch=batch, actor=_builder(dossier), staging=staging)
    if job is not None:
        job_start(job, total=len(PARTS))
    for done, part in enumerate(PARTS, start=1):
        part.add(context)
        Dossier.objects.filter(pk=dossier.pk).update(progressed_at=timezone.now())
        if job is not None:
            job_progress(job, done=done)
    key = credential_key(batch.institution)
    manifest = manifest_bytes(dossier, staging.sorted_files(), did_key(key.public_key()))
    zip_path = folder / "dossier.zip"
    with zip_path.open("w+b") as out:
        write_zip(out, staging.sorted_files(), manifest, key.sign(manifest))
    return zip_path, hashlib.sha256(manifest).hexdigest(), len(staging.files)


def manifest_bytes(dossier: Dossier, files: list[StagedFile], signer: str) -> bytes:
    batch = dossier.batch
    return json_bytes(
        {
            "format": FORMAT,
            "dossier": dossier.pk,
            "batch": batch_facts(batch),
            "built_at": timezone.now(),
            "built_by": dossier.created_by_label,
            "signer": {
                "did": signer,
                "institution": batch.institution.name,
                "uscc": batch.institution.uscc,
                "algorithm": "Ed25519",
            },
            # The dossier as a whole is the batch's 整套电子资料 (云人社函〔2023〕1号 二(三)2).
            "record_type": RecordType.ELECTRONIC_DATA,
            "retention_class": retention_class_of(RecordType.ELECTRONIC_DATA),
            "entries": [
                {
                    "path": f.path,
                    "sha256": f.sha256,
                    "size": f.size,
                    "record_type": f.record_type,
                    "retention_class": f.retention_class,
                }
                for f in files
            ],
        }
    )


def _zip_info(path: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=ZIP_TIME)
    info.create_system = 3  # the same whichever machine builds it
    info.external_attr = 0o100644 << 16
    stored = path.lower().endswith(_STORED_SUFFIXES)
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    return info


def write_zip(out: IO[bytes], files: list[StagedFile], manifest: bytes, signature: bytes) -> None:
    """The dossier zip: every entry sorted by path, with fixed time and attributes, so the
    same files give the same bytes."""
    members: list[tuple[str, bytes | Path]] = [
        (MANIFEST_NAME, manifest),
        (SIGNATURE_NAME, signature),
    ]
    members += [(f.path, f.disk) for f in files]
    with zipfile.ZipFile(out, "w") as archive:
        for path, source in sorted(members, key=lambda m: m[0]):
            info = _zip_info(path)
            if isinstance(source, bytes):
                archive.writestr(info, source)
                continue
            large = source.stat().st_size > zipfile.ZIP64_LIMIT
            with source.open("rb") as src, archive.open(info, "w", force_zip64=large) as dst:
                while chunk := src.read(_COPY_CHUNK):
                    dst.write(chunk)


def file_sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(_COPY_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _record_ready(
    dossier: Dossier, *, digest: str, size: int, manifest_sha: str, entries: int
) -> None:
    with transaction.atomic():
        updated = Dossier.objects.filter(pk=dossier.pk, status=DossierStatus.BUILDING).update(
            status=DossierStatus.READY,
            file=dossier.file.name,
            sha256=digest,
            size=size,
            manifest_sha256=manifest_sha,
            entries=entries,
            finished_at=timezone.now(),
            message="",
        )
        if not updated:
            raise DomainError(_("该档案包已不在生成中（可能已被中断）。"), code="not_building")
        audit_record(
            actor=_builder(dossier),
            action="archives.dossier_ready",
            obj=dossier,
            organisation=dossier.institution.organisation,
            changes={"sha256": digest, "size": size, "entries": entries},
        )
    if dossier.job is not None:
        job_finish(
            dossier.job,
            status=JobStatus.SUCCEEDED,
            message=_("档案包已生成，共%(n)s个文件。") % {"n": entries},
            result={"dossier": dossier.pk, "sha256": digest},
        )


def _discard(dossier: Dossier, name: str) -> None:
    if name:
        dossier.file.storage.delete(name)


def _fail(dossier: Dossier, message: str, *, audit: bool = True) -> None:
    with transaction.atomic():
        updated = Dossier.objects.filter(pk=dossier.pk, status=DossierStatus.BUILDING).update(
            status=DossierStatus.FAILED, message=message, finished_at=timezone.now(), file=""
        )
        if updated and audit:
            audit_record(
                actor=_builder(dossier),
                action="archives.dossier_failed",
                obj=dossier,
                organisation=dossier.institution.organisation,
                changes={"message": message},
            )
    if dossier.job_id is not None:
        job = Job.objects.filter(pk=dossier.job_id).first()
        if job is not None and not job.is_finished:
            job_finish(job, status=JobStatus.ERROR, message=message)


# --- reading ----------------------------------------------------------------------------


@transaction.atomic
def dossier_open(*, actor: Actor, dossier: Dossier) -> str:
    """Check who may take the dossier (it holds full personal data) and audit the
    download; returns the file name to offer."""
    if not can_open(actor, dossier):
        raise PermissionDenied(_("只有本机构的管理员、考务人员或属地人社部门可以下载档案包。"))
    if dossier.status != DossierStatus.READY or not dossier.file:
        raise InvalidTransition(_("档案包尚未生成。"), code="dossier_not_ready")
    audit_record(
        actor=actor,
        action="archives.dossier_download",
        obj=dossier,
        organisation=dossier.institution.organisation,
        changes={"sha256": dossier.sha256},
    )
    return dossier_filename(dossier)


def dossier_manifest(dossier: Dossier) -> dict[str, Any] | None:
    """The manifest of a ready dossier as stored (for its page), or None."""
    if dossier.status != DossierStatus.READY or not dossier.file:
        return None
    try:
        with dossier.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
            loaded = json.loads(archive.read(MANIFEST_NAME))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    return loaded if isinstance(loaded, dict) else None


# --- verifying --------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message: str


@dataclass
class VerifyReport:
    checks: list[Check] = field(default_factory=list)
    manifest: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, name: str, ok: bool, message: str) -> bool:
        self.checks.append(Check(name=name, ok=ok, message=message))
        return ok


def dossier_verify(data: bytes, *, registered: bool = True) -> VerifyReport:
    """Check a dossier file. Offline (``registered=False``): the zip and its CRCs, the
    manifest, its signature by the key it names, every listed entry's size and SHA-256,
    and nothing unlisted. Registered: also that this system built it, signed with the
    institution's key, and that the whole file is byte for byte the one it stored."""
    report = VerifyReport()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # any damage to the directory: not a zip we can read
        report.add("zip", False, _("无法作为zip文件打开：%(e)s") % {"e": exc})
        return report
    with archive:
        if not _check_zip(report, archive):
            return report
        manifest_raw = _check_manifest(report, archive)
        if manifest_raw is None:
            return report
        manifest = report.manifest or {}
        _check_signature(report, archive, manifest, manifest_raw)
        _check_entries(report, archive, manifest)
        if registered:
            _check_registered(report, manifest, data)
    return report


def _check_zip(report: VerifyReport, archive: zipfile.ZipFile) -> bool:
    names = archive.namelist()
    if len(names) != len(set(names)):
        return report.add("zip", False, _("zip文件中有重名文件。"))
    try:
        bad = archive.testzip()
    except Exception as exc:  # a damaged local header or compressed stream
        return report.add("zip", False, _("zip文件已损坏：%(e)s") % {"e": exc})
    if bad is not None:
        return report.add("zip", False, _("文件 %(name)s 的CRC校验不符。") % {"name": bad})
    return report.add("zip", True, _("zip文件完整，%(n)s个文件的CRC校验通过。") % {"n": len(names)})


def _check_manifest(report: VerifyReport, archive: zipfile.ZipFile) -> bytes | None:
    try:
        raw = archive.read(MANIFEST_NAME)
        manifest = json.loads(raw)
    except KeyError:
        report.add("manifest", False, _("缺少 manifest.json。"))
        return None
    except (ValueError, UnicodeDecodeError) as exc:
        report.add("manifest", False, _("manifest.json 无法解析：%(e)s") % {"e": exc})
        return None
    problem = _manifest_problem(manifest)
    if problem:
        report.add("manifest", False, problem)
        return None
    report.manifest = manifest
    report.add(
        "manifest",
        True,
        _("清单格式 %(format)s，档案包 #%(id)s，批次 %(code)s，%(n)s个文件。")
        % {
            "format": FORMAT,
            "id": manifest["dossier"],
            "code": manifest["batch"].get("code", ""),
            "n": len(manifest["entries"]),
        },
    )
    return raw


def _manifest_problem(manifest: object) -> str:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return _("manifest.json 不是 %(format)s 格式。") % {"format": FORMAT}
    if not isinstance(manifest.get("dossier"), int) or not isinstance(manifest.get("batch"), dict):
        return _("manifest.json 缺少档案包编号或批次信息。")
    signer = manifest.get("signer")
    if not isinstance(signer, dict) or not isinstance(signer.get("did"), str):
        return _("manifest.json 缺少签名人。")
    entries = manifest.get("entries")
    if not isinstance(entries, list) or not all(_entry_ok(e) for e in entries):
        return _("manifest.json 的文件清单格式不正确。")
    paths = [e["path"] for e in entries]
    if len(paths) != len(set(paths)):
        return _("manifest.json 的文件清单有重复。")
    return ""


def _entry_ok(entry: object) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("path"), str)
        and isinstance(entry.get("size"), int)
        and isinstance(entry.get("sha256"), str)
        and bool(_HEX64.fullmatch(entry["sha256"]))
        and entry.get("record_type") in RecordType.values
        and entry.get("retention_class") in RetentionClass.values
    )


def _check_signature(
    report: VerifyReport, archive: zipfile.ZipFile, manifest: dict[str, Any], raw: bytes
) -> None:
    did = manifest["signer"]["did"]
    try:
        signature = archive.read(SIGNATURE_NAME)
        public_key_from_did_key(did).verify(signature, raw)
    except KeyError:
        report.add("signature", False, _("缺少 manifest.sig。"))
    except (InvalidSignature, DomainError, ValueError):
        report.add("signature", False, _("清单签名无效（签名人 %(did)s）。") % {"did": did})
    else:
        report.add("signature", True, _("清单签名有效，签名人 %(did)s。") % {"did": did})


def _check_entries(
    report: VerifyReport, archive: zipfile.ZipFile, manifest: dict[str, Any]
) -> None:
    entries = manifest["entries"]
    present = set(archive.namelist())
    problems: list[str] = []
    for entry in entries:
        path = entry["path"]
        if path not in present:
            problems.append(_("缺少 %(path)s") % {"path": path})
            continue
        content = archive.read(path)
        if len(content) != entry["size"]:
            problems.append(_("%(path)s 大小不符") % {"path": path})
        elif hashlib.sha256(content).hexdigest() != entry["sha256"]:
            problems.append(_("%(path)s 的SHA-256不符") % {"path": path})
    if problems:
        report.add("entries", False, "；".join(problems[:10]))
    else:
        report.add("entries", True, _("%(n)s个文件的大小和SHA-256均相符。") % {"n": len(entries)})
    listed = {e["path"] for e in entries} | {MANIFEST_NAME, SIGNATURE_NAME}
    extra = sorted(present - listed)
    if extra:
        report.add(
            "unlisted", False, _("清单外的文件：%(names)s") % {"names": "、".join(extra[:10])}
        )
    else:
        report.add("unlisted", True, _("没有清单外的文件。"))


def _check_registered(report: VerifyReport, manifest: dict[str, Any], data: bytes) -> None:
    dossier = (
        Dossier.objects.select_related("batch", "institution__organisation")
        .filter(pk=manifest["dossier"])
        .first()
    )
    if dossier is None or dossier.status != DossierStatus.READY:
        report.add(
            "registered",
            False,
            _("本系统没有编号为 %(id)s 的档案包。") % {"id": manifest["dossier"]},
        )
        return
    try:
        expected = did_key(credential_key(dossier.institution).public_key())
    except Exception:  # the keys folder is not there: the signer cannot be confirmed
        logger.exception("signing key of institution %s unavailable", dossier.institution_id)
        expected = ""
    if manifest["signer"]["did"] != expected:
        report.add(
            "registered",
            False,
            _("签名人不是 %(name)s 的密钥。") % {"name": dossier.institution.name},
        )
        return
    if manifest["batch"].get("code") != dossier.batch.code:
        report.add("registered", False, _("清单中的批次与本系统记录不符。"))
        return
    if hashlib.sha256(data).hexdigest() != dossier.sha256:
        report.add("registered", False, _("文件的SHA-256与本系统生成时记录的不符，文件已被改动。"))
        return
    report.add(
        "registered",
        True,
        _("与本系统档案包 #%(id)s（%(code)s）记录一致，签名人为 %(name)s。")
        % {"id": dossier.pk, "code": dossier.batch.code, "name": dossier.institution.name},
    )
