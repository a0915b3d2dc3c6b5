"""Disposal lists (档案销毁清册): expired records leave only with the authority's approval.

The institution's admin lists kept records whose period has run out and that no legal
hold stops (草稿, the records 已列入销毁清册), submits the list (待审批); the HR
authority over the institution (属地) approves it, or rejects it with a note — the
records then return to 保管中. Until the authority decides, the institution may withdraw
its list (已撤回; the records return to 保管中 as well). After approval the institution
carries it out: every record is checked again inside the transaction (still expired,
still not held), what its type removes is removed (``purge``), its frozen inventory
deleted, and it becomes 已销毁. The batch's dossier files hold the disposed records, so
they are cleared too. The list and its lines are kept forever (云人社函〔2023〕1号
二(三); DESIGN.md step 9).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.archives.choices import DisposalStatus, DossierStatus, RecordStatus, RetentionClass
from skillcert.archives.guard import disposal_context
from skillcert.archives.holds import held_q
from skillcert.archives.models import ArchiveRecord, DisposalItem, DisposalList, Dossier
from skillcert.archives.permissions import can_decide_disposal, can_propose_disposal
from skillcert.archives.purge import delete_file_on_commit, purge
from skillcert.archives.records import expired_records
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.excel import XLSX_CONTENT_TYPE, workbook_bytes
from skillcert.institutions.models import Institution

__all__ = [
    "XLSX_CONTENT_TYPE",
    "disposable_records",
    "disposal_create",
    "disposal_decide",
    "disposal_execute",
    "disposal_submit",
    "disposal_withdraw",
    "disposal_workbook",
]

NUMBER_PREFIX = "XH"
NOTE_MAX = 2000


def disposable_records(institution: Institution, on: date | None = None) -> list[ArchiveRecord]:
    """Expired kept records of ``institution`` that no active hold stops."""
    rows = expired_records(institution, on).exclude(held_q()).select_related("batch")
    return list(rows.order_by("keep_until", "batch_id", "record_type"))


def _next_number(institution: Institution, year: int) -> str:
    """XH + year + the institution's id + a 4-digit serial of the year; the caller holds
    the institution's row lock, so two lists never get one number."""
    prefix = f"{NUMBER_PREFIX}{year}-{institution.pk:04d}-"
    taken = DisposalList.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1:04d}"


def _lock(disposal: DisposalList) -> DisposalList:
    return (
        DisposalList.objects.select_for_update(of=("self",))
        .select_related("institution__organisation")
        .get(pk=disposal.pk)
    )


def _require(disposal: DisposalList, status: str, verb: str) -> None:
    if disposal.status != status:
        raise InvalidTransition(
            _("该销毁清册状态为“%(status)s”，不能%(verb)s。")
            % {"status": disposal.get_status_display(), "verb": verb}
        )


def _release_records(disposal: DisposalList) -> None:
    """The list's records still listed go back to 保管中 (a list that will not be executed)."""
    record_ids = disposal.items.values("record_id")
    ArchiveRecord.objects.filter(pk__in=record_ids, status=RecordStatus.LISTED).update(
        status=RecordStatus.KEPT
    )


@transaction.atomic
def disposal_create(
    *,
    actor: Actor,
    institution: Institution,
    record_ids: Sequence[int] | None = None,
    today: date | None = None,
) -> DisposalList:
    """Draw up a disposal list of expired, unheld records (all of them, or those of
    ``record_ids``); they become 已列入销毁清册."""
    if not can_propose_disposal(actor, institution):
        raise PermissionDenied(_("只有本机构的管理员可以编制档案销毁清册。"))
    Institution.objects.select_for_update().get(pk=institution.pk)
    day = today or timezone.localdate()
    candidates = {r.pk: r for r in disposable_records(institution, day)}
    if record_ids is None:
        chosen = list(candidates.values())
    else:
        wanted = list(dict.fromkeys(record_ids))
        missing = [pk for pk in wanted if pk not in candidates]
        if missing:
            raise DomainError(
                _(
                    "所选档案中有未到期、已列入清册、处于保全中或不属于本机构的档案，不能列入销毁清册。"
                ),
                code="not_disposable",
            )
        chosen = [candidates[pk] for pk in wanted]
    if not chosen:
        raise DomainError(_("没有可以列入销毁清册的到期档案。"), code="nothing_expired")
    locked = ArchiveRecord.objects.select_for_update().filter(
        pk__in=[r.pk for r in chosen], status=RecordStatus.KEPT
    )
    if locked.count() != len(chosen):
        raise InvalidTransition(_("部分档案的状态已改变，请刷新后重试。"), code="changed")
    disposal = DisposalList(
        number=_next_number(institution, day.year),
        institution=institution,
        status=DisposalStatus.DRAFT,
        created_by_label=actor.label[:128],
    )
    disposal.save(force_insert=True)
    DisposalItem.objects.bulk_create(
        DisposalItem(
            disposal=disposal,
            record=record,
            record_type=record.record_type,
            batch_code=record.batch.code,
            keep_until=record.keep_until or day,
            sha256=record.sha256,
        )
        for record in chosen
    )
    ArchiveRecord.objects.filter(pk__in=[r.pk for r in chosen]).update(status=RecordStatus.LISTED)
    audit_record(
        actor=actor,
        action="archives.disposal_create",
        obj=disposal,
        organisation=institution.organisation,
        changes={"number": disposal.number, "records": sorted(r.pk for r in chosen)},
    )
    return disposal


@transaction.atomic
def disposal_submit(*, actor: Actor, disposal: DisposalList) -> DisposalList:
    """Submit a draft list to the HR authority for approval (待审批)."""
    if not can_propose_disposal(actor, disposal.institution):
        raise PermissionDenied(_("只有本机构的管理员可以提交档案销毁清册。"))
    locked = _lock(disposal)
    _require(locked, DisposalStatus.DRAFT, _("提交"))
    locked.status = DisposalStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_at"])
    audit_record(
        actor=actor,
        action="archives.disposal_submit",
        obj=locked,
        organisation=locked.institution.organisation,
        changes={"status": [DisposalStatus.DRAFT, DisposalStatus.SUBMITTED]},
    )
    return locked


@transaction.atomic
def disposal_decide(
    *, actor: Actor, disposal: DisposalList, approve: bool, note: str = ""
) -> DisposalList:
    """The HR authority over the institution approves the list, or rejects it with a
    note (the records return to 保管中)."""
    if not can_decide_disposal(actor, disposal.institution):
        raise PermissionDenied(_("只有该机构的属地人社部门可以审批档案销毁清册。"))
    note = note.strip()
    if not approve and not note:
        raise DomainError(_("不予批准时请填写审批意见。"), code="note_required")
    if len(note) > NOTE_MAX:
        raise DomainError(_("审批意见不能超过%(n)s个字。") % {"n": NOTE_MAX}, code="too_long")
    locked = _lock(disposal)
    _require(locked, DisposalStatus.SUBMITTED, _("审批"))
    status = DisposalStatus.APPROVED if approve else DisposalStatus.REJECTED
    locked.status = status
    locked.decided_at = timezone.now()
    locked.decided_by_label = actor.label[:128]
    locked.decision_note = note
    locked.save(update_fields=["status", "decided_at", "decided_by_label", "decision_note"])
    if not approve:
        _release_records(locked)
    audit_record(
        actor=actor,
        action="archives.disposal_decide",
        obj=locked,
        organisation=actor.organisation or locked.institution.organisation,
        changes={"status": [DisposalStatus.SUBMITTED, status], "note": note},
    )
    return locked


# A list not yet decided may be withdrawn by the institution that drew it up.
WITHDRAWABLE = (DisposalStatus.DRAFT, DisposalStatus.SUBMITTED)


@transaction.atomic
def disposal_withdraw(*, actor: Actor, disposal: DisposalList) -> DisposalList:
    """The institution withdraws a list the authority has not decided (草稿 or 待审批):
    it becomes 已撤回 and its records return to 保管中; the list and its lines stay."""
    if not can_propose_disposal(actor, disposal.institution):
        raise PermissionDenied(_("只有本机构的管理员可以撤回档案销毁清册。"))
    locked = _lock(disposal)
    if locked.status not in WITHDRAWABLE:
        raise InvalidTransition(
            _("该销毁清册状态为“%(status)s”，不能撤回；只有草稿或待审批的清册可以撤回。")
            % {"status": locked.get_status_display()}
        )
    before = locked.status
    locked.status = DisposalStatus.WITHDRAWN
    locked.save(update_fields=["status"])
    _release_records(locked)
    audit_record(
        actor=actor,
        action="archives.disposal_withdraw",
        obj=locked,
        organisation=locked.institution.organisation,
        changes={"status": [before, DisposalStatus.WITHDRAWN]},
    )
    return locked


def _recheck(records: list[ArchiveRecord], day: date) -> None:
    """Every record still listed, expired, limited and not held — or nothing happens."""
    held = set(
        ArchiveRecord.objects.filter(held_q(), pk__in=[r.pk for r in records]).values_list(
            "pk", flat=True
        )
    )
    for record in records:
        if record.pk in held:
            raise InvalidTransition(
                _("档案“%(record)s”处于保全中，不能销毁；请待保全解除后再执行。")
                % {"record": record},
                code="held",
            )
        expired = record.keep_until is not None and record.keep_until < day
        if (
            record.status != RecordStatus.LISTED
            or record.retention_class == RetentionClass.LONG_TERM
            or not expired
        ):
            raise InvalidTransition(
                _("档案“%(record)s”不在可销毁状态。") % {"record": record}, code="not_disposable"
            )


def _clear_dossiers(batch_ids: set[int]) -> int:
    """The batches' dossier files hold the disposed records: their files go too (the
    dossier rows, with their hashes, stay)."""
    cleared = 0
    for dossier in Dossier.objects.select_for_update().filter(batch_id__in=batch_ids):
        if dossier.status == DossierStatus.BUILDING:
            # A build running now may already hold the records being destroyed: it is
            # stopped here, and its end (which only completes a BUILDING dossier) then
            # discards its file.
            dossier.status = DossierStatus.FAILED
            dossier.finished_at = timezone.now()
            dossier.message = _("生成期间档案已按销毁清册销毁，该档案包作废，请重新生成。")
            dossier.save(update_fields=["status", "finished_at", "message"])
            cleared += 1
            continue
        if not dossier.file:
            continue
        delete_file_on_commit(dossier.file)
        dossier.file = ""  # clearing a FileField
        dossier.message = _("档案包内的部分档案已按销毁清册销毁，档案包文件已一并删除。")
        dossier.save(update_fields=["file", "message"])
        cleared += 1
    return cleared


@transaction.atomic
def disposal_execute(
    *, actor: Actor, disposal: DisposalList, today: date | None = None
) -> DisposalList:
    """Carry out an approved list: purge each record's type, delete its inventory, clear
    the batches' dossier files; the records become 已销毁 (the list stays forever)."""
    if not can_propose_disposal(actor, disposal.institution):
        raise PermissionDenied(_("只有本机构的管理员可以执行档案销毁。"))
    locked = _lock(disposal)
    _require(locked, DisposalStatus.APPROVED, _("执行销毁"))
    day = today or timezone.localdate()
    record_ids = locked.items.values("record_id")
    records = list(
        ArchiveRecord.objects.select_for_update(of=("self",))
        .select_related("batch")
        .filter(pk__in=record_ids)
        .order_by("pk")
    )
    _recheck(records, day)
    now = timezone.now()
    removed: dict[str, int] = {}
    with disposal_context():
        for record in records:
            removed[f"{record.batch.code}:{record.record_type}"] = purge(
                record.record_type, record.batch
            )
            delete_file_on_commit(record.file)
            record.file = ""  # clearing a FileField
            record.status = RecordStatus.DISPOSED
            record.disposed_at = now
            record.save(update_fields=["file", "status", "disposed_at"])
        dossiers = _clear_dossiers({r.batch_id for r in records})
    locked.status = DisposalStatus.EXECUTED
    locked.executed_at = now
    locked.executed_by_label = actor.label[:128]
    locked.save(update_fields=["status", "executed_at", "executed_by_label"])
    audit_record(
        actor=actor,
        action="archives.disposal_execute",
        obj=locked,
        organisation=locked.institution.organisation,
        changes={
            "status": [DisposalStatus.APPROVED, DisposalStatus.EXECUTED],
            "records": [r.pk for r in records],
            "removed": removed,
            "dossiers_cleared": dossiers,
        },
    )
    return locked


def disposal_workbook(disposal: DisposalList) -> bytes:
    """The list as Excel (销毁清册): one line per record, with the list's decision."""
    headers = [
        _("序号"), _("批次编号"), _("档案类型"), _("保管期限"), _("保管至"), _("件数"),
        _("存放位置及说明"), _("清单摘要（SHA-256）"), _("状态"), _("销毁时间"),
    ]  # fmt: skip
    lines = []
    items = disposal.items.select_related("record").order_by("pk")
    for n, item in enumerate(items, 1):
        record = item.record
        lines.append(
            [
                n,
                item.batch_code,
                item.get_record_type_display(),
                record.get_retention_class_display(),
                item.keep_until,
                record.items,
                record.note,
                item.sha256,
                record.get_status_display(),
                timezone.localtime(record.disposed_at) if record.disposed_at else None,
            ]
        )
    lines.append([])
    lines.append([_("清册编号"), disposal.number, _("状态"), disposal.get_status_display()])
    lines.append([_("编制"), disposal.created_by_label, _("审批"), disposal.decided_by_label])
    lines.append([_("审批意见"), disposal.decision_note])
    return workbook_bytes(title=_("档案销毁清册"), headers=headers, rows=lines)
