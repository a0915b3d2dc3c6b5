"""The filing workflow (DESIGN.md lifecycle step 1; 川人社办发〔2020〕20号 附件1–3).

draft → submitted → accepted | returned → under assessment → approved | refused. A
returned application is edited and submitted again. The institution's own admin prepares
and submits; the authority over the institution (属地) decides. Each function is one
transaction with one audit event; the application row is read under SELECT … FOR UPDATE
before its state changes.

``today`` parameters default to the local date; the demo and tests pass another day to
place an act in the past. Views never pass them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import PurePath
from uuid import uuid4

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.catalog.choices import OccupationTier
from skillcert.catalog.models import Occupation, Standard, StandardLevel, WorkType
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import Role, SkillLevel
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import Membership, ProvincePolicy, User
from skillcert.core.uploads import checked_upload
from skillcert.core.workdays import deadline
from skillcert.institutions.choices import (
    FILING_EDITABLE,
    FILING_TERMINAL,
    DirectoryStatus,
    FilingKind,
    FilingStatus,
    ItemBankSource,
    MaterialKind,
)
from skillcert.institutions.conditions import filing_conditions, missing_materials
from skillcert.institutions.models import (
    ExpertOpinion,
    Filing,
    FilingApplication,
    FilingMaterial,
    FilingScopeLine,
    Institution,
    OnsiteCheck,
    ScopeEntry,
)
from skillcert.institutions.permissions import can_apply, is_authority_over
from skillcert.institutions.scope import (
    level_cap,
    province_policy,
    within_cap,
)
from skillcert.institutions.services import receipt
from skillcert.institutions.services.lifecycle import (
    clean_or_raise,
    notice_publish,
    require_authority,
)

# Materials (附件2): PDF and images only, checked by content and by declared extension.
MATERIAL_MAX_BYTES = 20 * 1024 * 1024


# ---------------------------------------------------------------- shared helpers


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _moment(today: date | None) -> datetime:
    """Now, or noon of ``today`` when an act is placed on another day."""
    if today is None or today == timezone.localdate():
        return timezone.now()
    return datetime.combine(today, time(12), tzinfo=timezone.get_current_timezone())


def _require_applicant(actor: Actor, institution: Institution) -> None:
    if not can_apply(actor, institution):
        raise PermissionDenied(_("只有本机构的管理员可以办理本机构的备案申请。"))


def _locked(
    application: FilingApplication, allowed: Collection[str], verb: str
) -> FilingApplication:
    locked = FilingApplication.objects.select_for_update().get(pk=application.pk)
    if locked.status not in allowed:
        raise InvalidTransition(
            _("申请当前状态为“%(status)s”，不能%(verb)s。")
            % {"status": locked.get_status_display(), "verb": verb}
        )
    return locked


def _required_text(value: str, message: str) -> str:
    text = value.strip()
    if not text:
        raise DomainError(message)
    return text


def _audit(
    actor: Actor,
    action: str,
    application: FilingApplication,
    before: str | None = None,
    **changes: object,
) -> None:
    after: dict[str, object] = {"status": application.status}
    payload: dict[str, object] = {"after": after, **changes}
    if before is not None:
        payload["before"] = {"status": before}
    audit_record(
        actor=actor,
        action=action,
        obj=application,
        organisation=application.institution.organisation,
        changes=payload,
    )


def _filing_of(institution: Institution) -> Filing | None:
    return Filing.objects.filter(institution=institution).first()


def check_kind_allowed(institution: Institution, kind: str, today: date) -> None:
    """Whether ``institution`` may hold an application of ``kind`` today (create, submit
    and approve all ask). A first filing needs an unfiled or expired institution; an
    addition or renewal needs an active, unexpired filing; a renewal also the window."""
    if kind not in FilingKind.values:
        raise DomainError(_("未知的申请类型。"))
    status = institution.status
    if kind == FilingKind.INITIAL:
        if status == DirectoryStatus.REVOKED:
            raise DomainError(_("已被取消备案的机构不能重新申请备案。"), code="revoked")
        if status not in {DirectoryStatus.UNFILED, DirectoryStatus.EXPIRED}:
            raise DomainError(
                _("该机构已备案，请申请增加职业（工种）或延续备案。"), code="already_filed"
            )
        return
    filing = _filing_of(institution)
    if filing is None or status == DirectoryStatus.UNFILED:
        raise DomainError(_("尚未备案的机构只能申请首次备案。"), code="unfiled")
    if status != DirectoryStatus.ACTIVE or filing.valid_until < today:
        code, label = status, str(DirectoryStatus(status).label)
        if status == DirectoryStatus.ACTIVE:  # past valid_until before the daily task ran
            code, label = DirectoryStatus.EXPIRED, str(DirectoryStatus.EXPIRED.label)
        raise DomainError(
            _("机构当前为“%(status)s”，不能申请%(kind)s。")
            % {"status": label, "kind": FilingKind(kind).label},
            code=code,
        )
    if kind == FilingKind.RENEWAL:
        _check_renewal_window(filing, province_policy(institution.organisation.province_id), today)


def _check_renewal_window(filing: Filing, policy: ProvincePolicy, today: date) -> None:
    # Fujian practice (闽劳鉴〔2022〕26号): apply within 90 days before expiry.
    opens = filing.valid_until - timedelta(days=policy.filing_renewal_window_days)
    if today < opens:
        raise DomainError(
            _("延续备案应在有效期届满前%(days)d日内申请（%(opens)s起可申请）。")
            % {"days": policy.filing_renewal_window_days, "opens": opens.isoformat()},
            code="renewal_window",
        )


# ---------------------------------------------------------------- the institution's side


@transaction.atomic
def filing_application_create(
    *, actor: Actor, institution: Institution, kind: str, today: date | None = None
) -> FilingApplication:
    """Open an application; an institution has at most one that is not approved or refused."""
    _require_applicant(actor, institution)
    locked = Institution.objects.select_for_update().get(pk=institution.pk)
    in_progress = FilingApplication.objects.filter(institution=locked).exclude(
        status__in=FILING_TERMINAL
    )
    if in_progress.exists():
        raise InvalidTransition(_("该机构已有一份未办结的备案申请。"), code="in_progress")
    check_kind_allowed(locked, kind, _today(today))
    application = FilingApplication(institution=locked, kind=kind)
    clean_or_raise(application)
    application.save()
    _audit(actor, "filing.create", application, kind=kind)
    return application


@transaction.atomic
def scope_line_add(
    *,
    actor: Actor,
    application: FilingApplication,
    occupation: Occupation,
    work_type: WorkType | None,
    standard: Standard,
    lowest_level: int,
    highest_level: int,
    item_bank_source: str,
) -> FilingScopeLine:
    """Request an occupation (work type) at levels ``lowest_level``…``highest_level``
    (5 = 五级 … 1 = 一级) by a standard that has every one of those levels."""
    _require_applicant(actor, application.institution)
    locked = _locked(application, FILING_EDITABLE, _("修改申请的职业（工种）"))
    if locked.kind == FilingKind.RENEWAL:
        raise DomainError(_("延续备案沿用已备案的职业（工种），无需填写。"))
    _check_catalog(occupation, work_type, standard)
    _check_levels(standard, lowest_level, highest_level)
    _check_not_duplicate(locked, occupation, work_type)
    if item_bank_source not in ItemBankSource.values:
        raise DomainError(_("请选择命题资源。"))
    line = FilingScopeLine(
        application=locked,
        occupation=occupation,
        work_type=work_type,
        standard=standard,
        lowest_level=lowest_level,
        highest_level=highest_level,
        item_bank_source=item_bank_source,
    )
    clean_or_raise(line)
    line.save()
    _audit(
        actor,
        "filing.scope_line_add",
        locked,
        line={
            "occupation": occupation.code,
            "work_type": work_type.name if work_type else None,
            "standard": standard.pk,
            "levels": [lowest_level, highest_level],
        },
    )
    return line


def _check_catalog(occupation: Occupation, work_type: WorkType | None, standard: Standard) -> None:
    # 川人社办发〔2020〕20号 三; 沪人社职〔2022〕102号 附件 一(三)1: current 大典 occupations only.
    if occupation.tier != OccupationTier.OCCUPATION or not occupation.is_active:
        raise DomainError(_("只能申请职业分类大典中现行有效的职业（细类）。"))
    if work_type is not None:
        if work_type.occupation_id != occupation.pk:
            raise DomainError(_("所选工种不属于该职业。"))
        if not work_type.is_active:
            raise DomainError(_("所选工种已停用。"))
    if standard.occupation_id != occupation.pk:
        raise DomainError(_("所选标准不是该职业的标准。"))
    if not standard.is_active:
        raise DomainError(_("所选标准已废止。"))
    # A standard that lists work types covers those; a line for the whole occupation
    # may use any standard of the occupation.
    if work_type is not None:
        covered = set(standard.work_types.values_list("pk", flat=True))
        if covered and work_type.pk not in covered:
            raise DomainError(_("所选标准不适用于该工种。"))


def _check_levels(standard: Standard, lowest_level: int, highest_level: int) -> None:
    if not {lowest_level, highest_level} <= set(SkillLevel.values):
        raise DomainError(_("等级应为一级至五级。"))
    if highest_level > lowest_level:
        raise DomainError(_("最高等级不能低于起始等级。"))
    wanted = set(range(highest_level, lowest_level + 1))
    present = set(
        StandardLevel.objects.filter(standard=standard, level__in=wanted).values_list(
            "level", flat=True
        )
    )
    if missing := sorted(wanted - present, reverse=True):
        raise DomainError(
            _("所选标准没有以下等级的要求：%(levels)s。")
            % {"levels": "、".join(str(SkillLevel(level).label) for level in missing)}
        )


def _check_not_duplicate(
    application: FilingApplication, occupation: Occupation, work_type: WorkType | None
) -> None:
    same = {"occupation": occupation, "work_type": work_type}
    if application.scope_lines.filter(**same).exists():
        raise DomainError(_("该职业（工种）已在本申请中。"))
    granted = ScopeEntry.objects.filter(
        filing__institution_id=application.institution_id, is_active=True, **same
    )
    if application.kind == FilingKind.ADDITION and granted.exists():
        raise DomainError(_("该职业（工种）已在备案范围内。"))


@transaction.atomic
def scope_line_remove(*, actor: Actor, line: FilingScopeLine) -> None:
    _require_applicant(actor, line.application.institution)
    locked = _locked(line.application, FILING_EDITABLE, _("修改申请的职业（工种）"))
    removed = {
        "occupation": line.occupation.code,
        "levels": [line.lowest_level, line.highest_level],
    }
    FilingScopeLine.objects.filter(pk=line.pk, application=locked).delete()
    _audit(actor, "filing.scope_line_remove", locked, line=removed)


@transaction.atomic
def material_upload(
    *, actor: Actor, application: FilingApplication, kind: str, uploaded_file: UploadedFile
) -> FilingMaterial:
    """Store one material of 附件2: PDF, JPEG or PNG by content, with a matching extension,
    at most ``MATERIAL_MAX_BYTES``; stored under a random name in the default storage
    (MEDIA_ROOT is outside the web root and never served directly)."""
    _require_applicant(actor, application.institution)
    locked = _locked(application, FILING_EDITABLE, _("上传材料"))
    if kind not in MaterialKind.values:
        raise DomainError(_("未知的材料类型。"))
    data, content_type, extension = _checked_upload(uploaded_file)
    material = FilingMaterial(
        application=locked,
        kind=kind,
        original_name=PurePath(uploaded_file.name or "").name[-200:],
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_label=actor.label[:128],
    )
    clean_or_raise(material, exclude=["file"])
    material.file.save(f"{uuid4().hex}.{extension}", ContentFile(data), save=False)
    material.save()
    _audit(
        actor,
        "filing.material_upload",
        locked,
        material={"kind": kind, "sha256": material.sha256, "size": material.size},
    )
    return material


def _checked_upload(uploaded_file: UploadedFile) -> tuple[bytes, str, str]:
    upload = checked_upload(uploaded_file, max_bytes=MATERIAL_MAX_BYTES)
    return upload.data, upload.content_type, upload.extension


@transaction.atomic
def material_remove(*, actor: Actor, material: FilingMaterial) -> None:
    """Remove a material while the application is editable; the file goes after commit."""
    _require_applicant(actor, material.application.institution)
    locked = _locked(material.application, FILING_EDITABLE, _("删除材料"))
    name, storage = material.file.name, material.file.storage
    FilingMaterial.objects.filter(pk=material.pk, application=locked).delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    _audit(actor, "filing.material_remove", locked, material={"kind": material.kind})


@transaction.atomic
def filing_submit(
    *, actor: Actor, application: FilingApplication, today: date | None = None
) -> FilingApplication:
    """Submit (or resubmit) for the acceptance decision, due in N working days
    (川人社办发〔2020〕20号 附件3: 10 working days; N from the province policy)."""
    _require_applicant(actor, application.institution)
    locked = _locked(application, FILING_EDITABLE, _("提交"))
    day = _today(today)
    check_kind_allowed(locked.institution, locked.kind, day)
    if locked.kind != FilingKind.RENEWAL and not locked.scope_lines.exists():
        raise DomainError(_("请至少填写一个申请评价的职业（工种）。"), code="no_scope_lines")
    if missing := missing_materials(locked):
        raise DomainError(
            _("缺少申请材料：%(kinds)s。") % {"kinds": "、".join(str(k.label) for k in missing)},
            code="missing_materials",
        )
    policy = province_policy(locked.institution.organisation.province_id)
    due = deadline(day, policy.filing_decision_working_days)
    before = locked.status
    locked.status = FilingStatus.SUBMITTED
    locked.submitted_at = _moment(today)
    locked.decision_due = due.due
    locked.decision_due_provisional = due.provisional
    clean_or_raise(locked)
    locked.save(
        update_fields=["status", "submitted_at", "decision_due", "decision_due_provisional"]
    )
    _audit(
        actor,
        "filing.submit",
        locked,
        before,
        decision_due=due.due,
        decision_due_provisional=due.provisional,
    )
    return locked


# ---------------------------------------------------------------- the authority's side


@transaction.atomic
def filing_accept(*, actor: Actor, application: FilingApplication) -> FilingApplication:
    """Accept for technical assessment (受理)."""
    require_authority(actor, application.institution)
    locked = _locked(application, {FilingStatus.SUBMITTED}, _("受理"))
    locked.status = FilingStatus.ACCEPTED
    locked.accepted_at = timezone.now()
    clean_or_raise(locked)
    locked.save(update_fields=["status", "accepted_at"])
    _audit(actor, "filing.accept", locked, FilingStatus.SUBMITTED)
    return locked


@transaction.atomic
def filing_return(
    *, actor: Actor, application: FilingApplication, reason: str
) -> FilingApplication:
    """Return (不予受理，退回补正) with a reason; the institution edits and resubmits."""
    require_authority(actor, application.institution)
    locked = _locked(application, {FilingStatus.SUBMITTED}, _("退回"))
    locked.returned_reason = _required_text(reason, _("请填写退回原因。"))
    locked.status = FilingStatus.RETURNED
    clean_or_raise(locked)
    locked.save(update_fields=["status", "returned_reason"])
    _audit(actor, "filing.return", locked, FilingStatus.SUBMITTED, reason=locked.returned_reason)
    return locked


@transaction.atomic
def filing_start_assessment(*, actor: Actor, application: FilingApplication) -> FilingApplication:
    """Begin the expert assessment (技术评估: 文件审核、质询答辩、现场考察 …)."""
    require_authority(actor, application.institution)
    locked = _locked(application, {FilingStatus.ACCEPTED}, _("开始技术评估"))
    locked.status = FilingStatus.UNDER_ASSESSMENT
    clean_or_raise(locked)
    locked.save(update_fields=["status"])
    _audit(actor, "filing.start_assessment", locked, FilingStatus.ACCEPTED)
    return locked


@transaction.atomic
def expert_opinion_add(
    *,
    actor: Actor,
    application: FilingApplication,
    score: int,
    recommends_approval: bool,
    opinion: str,
    expert: User | None = None,
) -> ExpertOpinion:
    """One expert's score and opinion. An expert records their own; an authority official
    records one on behalf of ``expert`` (a user holding the expert role). Nobody with a
    membership at the applicant assesses it."""
    author = _opinion_author(actor, application.institution, expert)
    locked = _locked(application, {FilingStatus.UNDER_ASSESSMENT}, _("提交评估意见"))
    text = _required_text(opinion, _("请填写评估意见。"))
    if ExpertOpinion.objects.filter(application=locked, expert=author).exists():
        raise DomainError(_("该专家已提交过评估意见。"), code="duplicate_opinion")
    record = ExpertOpinion(
        application=locked,
        expert=author,
        expert_label=author.display_name[:128],
        score=score,
        recommends_approval=recommends_approval,
        opinion=text,
    )
    clean_or_raise(record)
    record.save()
    _audit(
        actor,
        "filing.expert_opinion_add",
        locked,
        expert=record.expert_label,
        score=score,
        recommends_approval=recommends_approval,
    )
    return record


def _opinion_author(actor: Actor, institution: Institution, expert: User | None) -> User:
    if actor.role == Role.EXPERT and actor.user is not None:
        if expert is not None and expert.pk != actor.user.pk:
            raise PermissionDenied(_("专家只能提交本人的评估意见。"))
        author = actor.user
    elif is_authority_over(actor, institution):
        if expert is None:
            raise DomainError(_("请选择提交意见的专家。"))
        if not Membership.objects.filter(user=expert, role=Role.EXPERT, is_active=True).exists():
            raise DomainError(_("所选人员不是专家。"))
        author = expert
    else:
        raise PermissionDenied(_("只有专家或属地人社部门可以录入专家评估意见。"))
    # Conflict of interest: an expert from the applicant does not assess it.
    own = Membership.objects.filter(
        user=author, organisation_id=institution.organisation_id, is_active=True
    )
    if own.exists():
        raise PermissionDenied(_("专家不能评估本人所在单位的备案申请。"), code="conflict")
    return author


@transaction.atomic
def onsite_check_record(
    *,
    actor: Actor,
    application: FilingApplication,
    checked_on: date,
    inspectors: str,
    findings: str,
    passed: bool,
) -> OnsiteCheck:
    """Record the on-site check (现场考察, 川人社办发〔2020〕20号 附件3 第3项)."""
    require_authority(actor, application.institution)
    locked = _locked(application, {FilingStatus.UNDER_ASSESSMENT}, _("记录现场考察"))
    if checked_on > timezone.localdate():
        raise DomainError(_("考察日期不能晚于今天。"))
    check = OnsiteCheck(
        application=locked,
        checked_on=checked_on,
        inspectors=_required_text(inspectors, _("请填写考察人员。")),
        findings=_required_text(findings, _("请填写考察情况。")),
        passed=passed,
        recorded_by_label=actor.label[:128],
    )
    clean_or_raise(check)
    check.save()
    _audit(actor, "filing.onsite_check", locked, checked_on=checked_on, passed=passed)
    return check


@transaction.atomic
def filing_refuse(
    *, actor: Actor, application: FilingApplication, reason: str
) -> FilingApplication:
    """Refuse after assessment (不予备案); final."""
    require_authority(actor, application.institution)
    locked = _locked(application, {FilingStatus.UNDER_ASSESSMENT}, _("不予备案"))
    locked.decision_note = _required_text(reason, _("请填写不予备案的原因。"))
    locked.status = FilingStatus.REFUSED
    locked.decided_at = timezone.now()
    clean_or_raise(locked)
    locked.save(update_fields=["status", "decision_note", "decided_at"])
    _audit(
        actor, "filing.refuse", locked, FilingStatus.UNDER_ASSESSMENT, reason=locked.decision_note
    )
    return locked


@transaction.atomic
def filing_approve(
    *, actor: Actor, application: FilingApplication, note: str = "", today: date | None = None
) -> Filing:
    """Approve (备案) and issue or amend the receipt (备案回执, 川人社办发〔2020〕20号 附件3
    第4项), then publish the notice (第5项).

    First filing: receipt number, validity of the policy's years (沪人社职〔2022〕102号:
    3 years), scope entries, the certificate-number parts, ACTIVE in the directory.
    Addition: new entries, validity unchanged (Fujian practice). Renewal: validity
    extended by the policy's years from the current end."""
    require_authority(actor, application.institution)
    locked = _locked(application, {FilingStatus.UNDER_ASSESSMENT}, _("批准备案"))
    day = _today(today)
    institution = (
        Institution.objects.select_for_update()
        .select_related("organisation")
        .get(pk=locked.institution_id)
    )
    policy = province_policy(institution.organisation.province_id)
    check_kind_allowed(institution, locked.kind, day)
    _check_assessment(locked)
    lines = list(
        locked.scope_lines.select_related("occupation", "work_type", "standard").order_by("pk")
    )
    _check_level_caps(institution, lines, policy)
    if failed := [c.label for c in filing_conditions(locked) if not c.passed]:
        raise DomainError(
            _("备案条件未全部满足：%(failed)s。") % {"failed": "；".join(failed)},
            code="conditions",
        )
    filing, notice_kind, text = receipt.approval_apply(actor, institution, locked, lines, day)
    locked.status = FilingStatus.APPROVED
    locked.decided_at = _moment(today)
    locked.decision_note = note.strip()
    locked.filing = filing
    clean_or_raise(locked)
    locked.save(update_fields=["status", "decided_at", "decision_note", "filing"])
    notice_publish(institution=institution, kind=notice_kind, text=text)
    _audit(
        actor,
        "filing.approve",
        locked,
        FilingStatus.UNDER_ASSESSMENT,
        filing_number=filing.filing_number,
        valid_from=filing.valid_from,
        valid_until=filing.valid_until,
        site_serial=institution.site_serial,
        lines=len(lines),
    )
    return filing


def _check_assessment(application: FilingApplication) -> None:
    if application.kind == FilingKind.INITIAL:
        latest = application.onsite_checks.order_by("-checked_on", "-created_at").first()
        if latest is None or not latest.passed:
            raise DomainError(_("首次备案须经现场考察通过。"), code="onsite_check")
    votes = list(application.expert_opinions.values_list("recommends_approval", flat=True))
    if not votes:
        raise DomainError(_("尚无专家评估意见。"), code="no_opinions")
    in_favour = sum(votes)
    if in_favour * 2 <= len(votes):
        raise DomainError(
            _("专家组多数意见未同意备案（同意%(yes)d人，共%(total)d人）。")
            % {"yes": in_favour, "total": len(votes)},
            code="panel_against",
        )


def _check_level_caps(
    institution: Institution, lines: Sequence[FilingScopeLine], policy: ProvincePolicy
) -> None:
    # 沪人社职〔2022〕102号 附件 一(三): 中职 ≤ 四级; 高职、职业本科、本科 ≤ 三级.
    cap = level_cap(institution.type, policy)
    if cap is None:
        return
    over = [line for line in lines if not within_cap(line.highest_level, cap)]
    if over:
        raise DomainError(
            _("%(type)s只能开展%(cap)s及以下等级的认定，超出的职业（工种）：%(lines)s。")
            % {
                "type": institution.get_type_display(),
                "cap": SkillLevel(cap).label,
                "lines": "；".join(receipt.line_label(line) for line in over),
            },
            code="level_cap",
        )
