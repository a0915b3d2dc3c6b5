"""Violation cases (违纪违规案件): opening, deciding with the grade's effects, appeals
(复核) and closing (技能人才评价违纪违规行为处理工作指引, 人社职司便函〔2021〕57号;
川人社办发〔2020〕20号 五、六; 云人社函〔2023〕1号 一(四)、三(三)).

Deciding applies every effect of the grade in one transaction, each through the service
that owns the object (results, certificates, the institution registry and directory),
and records a :class:`CaseEffect` and an :class:`IntegrityRecord` per effect. If any
effect is refused, nothing of the decision stays.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.choices import Component
from skillcert.batches.models import Batch
from skillcert.batches.permissions import is_own_staff
from skillcert.certificates import revocation as certificate_revocation
from skillcert.certificates.choices import CertificateStatus
from skillcert.certificates.models import Certificate
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.workdays import deadline
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application, Person
from skillcert.institutions.choices import DirectoryStatus
from skillcert.institutions.models import Institution, StaffMember
from skillcert.institutions.numbering import next_value
from skillcert.institutions.permissions import is_own_admin
from skillcert.institutions.services import lifecycle, registry
from skillcert.results import invalidation
from skillcert.results.choices import ComponentState, RevocationStatus, ViolationGrade
from skillcert.results.composite import require_component
from skillcert.results.models import CertificateRevocation, ComponentScore, Result
from skillcert.results.selectors import latest_of
from skillcert.supervision.choices import (
    GRADES_BY_SUBJECT,
    AppealStatus,
    CaseGrade,
    CaseSource,
    CaseStatus,
    EffectKind,
    SubjectKind,
)
from skillcert.supervision.models import (
    Alert,
    Appeal,
    CaseEffect,
    Complaint,
    Inspection,
    IntegrityRecord,
    ViolationCase,
)
from skillcert.supervision.permissions import supervises
from skillcert.supervision.policies import policy_for

FACTS_MAX = 4000
TEXT_MAX = 2000

# The results service's grades for the candidate grades (DESIGN.md "Rules with numbers").
RESULT_GRADES: dict[str, str] = {
    CaseGrade.MINOR: ViolationGrade.DISCIPLINE,
    CaseGrade.CHEATING: ViolationGrade.CHEATING,
    CaseGrade.SERIOUS: ViolationGrade.SERIOUS,
    CaseGrade.GRAVE: ViolationGrade.VERY_SERIOUS,
}
# 违纪 and 作弊 void the subject concerned; 严重 and 特别严重 all subjects of the sitting.
COMPONENT_GRADES = frozenset({CaseGrade.MINOR, CaseGrade.CHEATING})


# --- who may act ---------------------------------------------------------------------------


def can_open(actor: Actor, institution: Institution, subject_kind: str) -> bool:
    """HR officials over the institution open any case; the institution's own admin and
    exam staff open cases about its candidates and staff (机构报告)."""
    if supervises(actor, institution):
        return True
    return subject_kind != SubjectKind.INSTITUTION and is_own_staff(actor, institution)


def can_decide(actor: Actor, case: ViolationCase) -> bool:
    """Only the HR authority over the institution decides (属地)."""
    return supervises(actor, case.institution)


def is_subject(actor: Actor, case: ViolationCase) -> bool:
    """The person the case is about (the candidate or the staff member, through their
    account), or the institution's admin for a case about the institution."""
    if case.subject_kind == SubjectKind.INSTITUTION:
        return is_own_admin(actor, case.institution)
    if actor.user_id is None:
        return False
    if case.subject_kind == SubjectKind.CANDIDATE and case.person is not None:
        return case.person.user_id == actor.user_id
    if case.subject_kind == SubjectKind.STAFF and case.staff is not None:
        return case.staff.user_id == actor.user_id
    return False


# --- helpers -----------------------------------------------------------------------------


def _text(value: str, limit: int, message: str, code: str) -> str:
    text = value.strip()
    if not text:
        raise DomainError(message, code=code)
    if len(text) > limit:
        raise DomainError(_("填写内容过长。"), code="too_long")
    return text


def years_later(day: date, years: int) -> date:
    """The last day of a period of ``years`` years starting on ``day``."""
    try:
        end = day.replace(year=day.year + years)
    except ValueError:  # 29 February
        end = day.replace(year=day.year + years, day=28) + timedelta(days=1)
    return end - timedelta(days=1)


def _lock(case: ViolationCase) -> ViolationCase:
    return (
        ViolationCase.objects.select_for_update(of=("self",))
        .select_related(
            "institution__organisation",
            "person",
            "application__batch__institution__organisation",
            "staff",
            "province",
        )
        .get(pk=case.pk)
    )


# --- opening -----------------------------------------------------------------------------


def _check_candidate(
    institution: Institution,
    grade: str,
    person: Person | None,
    application: Application | None,
    batch: Batch | None,
    component: str,
) -> tuple[Person, Application, Batch, str]:
    if application is None:
        raise DomainError(_("请指定所涉考生的报名（准考证号）。"), code="application_required")
    app_batch = application.batch
    if app_batch.institution_id != institution.pk:
        raise DomainError(_("该考生的报名不属于所选评价机构。"), code="wrong_institution")
    if person is not None and person.pk != application.person_id:
        raise DomainError(_("考生与报名不一致。"), code="person_mismatch")
    if batch is not None and batch.pk != app_batch.pk:
        raise DomainError(_("批次与报名不一致。"), code="batch_mismatch")
    if grade in COMPONENT_GRADES:
        if not component:
            raise DomainError(
                _("违纪或作弊只认定所涉科目成绩无效，请选择科目。"), code="component_required"
            )
        require_component(app_batch, component)
    else:
        component = ""
    return application.person, application, app_batch, component


def _check_links(
    institution: Institution,
    inspection: Inspection | None,
    complaint: Complaint | None,
    alert: Alert | None,
) -> None:
    if inspection is not None and inspection.institution_id not in (None, institution.pk):
        raise DomainError(_("所选抽查不涉及该机构。"), code="wrong_inspection")
    if complaint is not None and complaint.province_id != institution.organisation.province_id:
        raise DomainError(_("所选投诉举报不属于本省。"), code="wrong_complaint")
    if alert is not None and alert.province_id != institution.organisation.province_id:
        raise DomainError(_("所选预警不属于本省。"), code="wrong_alert")


def case_open(
    *,
    actor: Actor,
    subject_kind: str,
    institution: Institution,
    grade: str,
    facts: str,
    source: str,
    person: Person | None = None,
    application: Application | None = None,
    staff: StaffMember | None = None,
    batch: Batch | None = None,
    component: str = "",
    basis: str = "",
    inspection: Inspection | None = None,
    complaint: Complaint | None = None,
    alert: Alert | None = None,
) -> ViolationCase:
    """Open a case (立案调查) about a candidate, a staff member or an institution."""
    if subject_kind not in SubjectKind.values:
        raise DomainError(_("请选择处理对象。"), code="bad_subject")
    if not can_open(actor, institution, subject_kind):
        raise PermissionDenied(
            _("只有属地人社部门可以立案；评价机构可以报告本机构考生和工作人员的违纪违规行为。")
        )
    if grade not in GRADES_BY_SUBJECT[subject_kind]:
        raise DomainError(_("该违纪违规等级不适用于所选处理对象。"), code="bad_grade")
    if source not in CaseSource.values:
        raise DomainError(_("请选择线索来源。"), code="bad_source")
    facts = _text(facts, FACTS_MAX, _("请填写违纪违规事实。"), "facts_required")
    basis = basis.strip()
    if len(basis) > 200:
        raise DomainError(_("处理依据过长。"), code="too_long")
    component = component.strip()
    if subject_kind == SubjectKind.CANDIDATE:
        if staff is not None:
            raise DomainError(_("考生案件不能指定工作人员。"), code="subject_mismatch")
        person, application, batch, component = _check_candidate(
            institution, grade, person, application, batch, component
        )
    elif subject_kind == SubjectKind.STAFF:
        if staff is None:
            raise DomainError(_("请指定所涉工作人员。"), code="staff_required")
        if person is not None or application is not None:
            raise DomainError(_("工作人员案件不能指定考生。"), code="subject_mismatch")
        if staff.institution_id != institution.pk:
            raise DomainError(_("该人员不在所选机构的人员名单中。"), code="wrong_institution")
        if batch is not None and batch.institution_id != institution.pk:
            raise DomainError(_("该批次不属于所选评价机构。"), code="wrong_institution")
        component = ""
    else:
        if person is not None or application is not None or staff is not None:
            raise DomainError(_("机构案件不能指定考生或工作人员。"), code="subject_mismatch")
        if batch is not None and batch.institution_id != institution.pk:
            raise DomainError(_("该批次不属于所选评价机构。"), code="wrong_institution")
        component = ""
    _check_links(institution, inspection, complaint, alert)
    province = institution.organisation.province
    with transaction.atomic():
        year = timezone.localdate().year
        serial = next_value(f"case:{province.code}:{year}", 99_999)
        case = ViolationCase.objects.create(
            number=f"WG{province.code}{year}{serial:05d}",
            province=province,
            subject_kind=subject_kind,
            institution=institution,
            person=person,
            application=application,
            staff=staff,
            batch=batch,
            grade=grade,
            component=component,
            facts=facts,
            basis=basis,
            source=source,
            inspection=inspection,
            complaint=complaint,
            alert=alert,
            opened_by_label=actor.label[:128],
        )
        audit_record(
            actor=actor,
            action="supervision.case_open",
            obj=case,
            organisation=institution.organisation,
            changes={
                "number": case.number,
                "subject_kind": subject_kind,
                "grade": grade,
                "component": component,
                "source": source,
                "application": application.pk if application else None,
                "staff": staff.pk if staff else None,
            },
        )
    return case


# --- deciding ----------------------------------------------------------------------------


class _Recorder:
    """Writes the CaseEffect and the IntegrityRecord of each effect of one decision."""

    def __init__(self, case: ViolationCase, today: date, now: datetime) -> None:
        self.case, self.today, self.now = case, today, now
        self.applied: list[dict[str, object]] = []
        if case.subject_kind == SubjectKind.INSTITUTION:
            self.index, self.name = "", case.institution.name
        elif case.subject_kind == SubjectKind.CANDIDATE and case.person is not None:
            self.index, self.name = case.person.id_number_index, case.person.full_name
        elif case.staff is not None:
            self.index, self.name = case.staff.id_number_index, case.staff.full_name
        else:  # pragma: no cover - case_open guarantees a subject
            self.index, self.name = "", ""

    def __call__(
        self,
        kind: str,
        obj: object,
        detail: str,
        *,
        ends_on: date | None = None,
    ) -> CaseEffect:
        object_type = obj._meta.label_lower if hasattr(obj, "_meta") else ""
        object_id = str(getattr(obj, "pk", "") or "")
        effect = CaseEffect.objects.create(
            case=self.case,
            kind=kind,
            object_type=object_type,
            object_id=object_id,
            detail=detail[:200],
            applied_at=self.now,
        )
        IntegrityRecord.objects.create(
            province=self.case.province,
            subject_kind=self.case.subject_kind,
            id_number_index=self.index,
            subject_name=self.name[:128],
            institution=self.case.institution,
            case=self.case,
            kind=kind,
            summary=f"{self.case.number} {EffectKind(kind).label}：{detail}"[:200],
            starts_on=self.today,
            ends_on=ends_on,
        )
        self.applied.append(
            {"kind": kind, "object": f"{object_type}:{object_id}", "ends_on": ends_on}
        )
        return effect


def _reason(case: ViolationCase) -> str:
    return _("违纪违规案件%(number)s认定为%(grade)s：%(facts)s") % {
        "number": case.number,
        "grade": CaseGrade(case.grade).label,
        "facts": case.facts[:500],
    }


def _already_void(application: Application, component: str) -> bool:
    result = Result.objects.filter(application=application).first()
    if result is not None and result.void_grade:
        return True
    if not component:
        return False
    standing = latest_of(
        ComponentScore.objects.filter(application=application, component=component)
    ).get(component)
    return standing is not None and standing.state == ComponentState.VOID


def _candidate_effects(actor: Actor, case: ViolationCase, record: _Recorder) -> None:
    application = case.application
    person = case.person
    if application is None or person is None:  # pragma: no cover - case_open guarantees both
        raise DomainError(_("案件缺少考生报名。"), code="application_required")
    reason = _reason(case)
    voids_all = case.grade not in COMPONENT_GRADES
    kind = EffectKind.RESULT_VOID if voids_all else EffectKind.SUBJECT_VOID
    if application.status != ApplicationStatus.APPROVED:
        if not voids_all:
            raise DomainError(
                _("该考生的报名未审核通过，没有可认定无效的科目成绩。"), code="no_results"
            )
    elif _already_void(application, case.component):
        result = Result.objects.get(application=application)
        record(kind, result, _("此前已认定无效"))
    else:
        result = invalidation.result_void(
            actor=actor,
            application=application,
            grade=RESULT_GRADES[case.grade],
            reason=reason,
            component=case.component,
        )
        detail = (
            _("当次全部科目成绩无效")
            if voids_all
            else _("%(component)s成绩无效") % {"component": Component(case.component).label}
        )
        record(kind, result, detail)
    # 云人社函〔2023〕1号 一(四): a voided result after issue revokes the certificate.
    pending = (
        CertificateRevocation.objects.filter(
            application=application, status=RevocationStatus.PENDING
        )
        .order_by("pk")
        .first()
    )
    if pending is not None:
        revoked = certificate_revocation.revocation_carry_out(actor=actor, revocation=pending)
        if revoked is not None and revoked.status == CertificateStatus.REVOKED:
            record(EffectKind.CERTIFICATE_REVOKED, revoked, revoked.number)
    if application.status == ApplicationStatus.APPROVED:
        certificate = Certificate.objects.filter(
            application_id=application.pk, status=CertificateStatus.VALID
        ).first()
        if certificate is not None:
            certificate_revocation.certificate_revoke(
                actor=actor, certificate=certificate, reason=reason
            )
            record(EffectKind.CERTIFICATE_REVOKED, certificate, certificate.number)
    # 严重: 当年不得参加; 特别严重: barred for the province's number of years.
    if case.grade == CaseGrade.SERIOUS:
        case.ban_until = date(record.today.year, 12, 31)
    elif case.grade == CaseGrade.GRAVE:
        years = policy_for(case.province).grave_ban_years
        case.ban_until = years_later(record.today, years)
    if case.ban_until is not None:
        record(
            EffectKind.BARRED,
            person,
            _("%(until)s前不得参加职业技能等级认定") % {"until": case.ban_until.isoformat()},
            ends_on=case.ban_until,
        )


def _staff_effects(actor: Actor, case: ViolationCase, record: _Recorder) -> None:
    """川人社办发〔2020〕20号 六: 取消考评或督导资格, and no evaluation work anywhere."""
    staff = case.staff
    if staff is None:  # pragma: no cover - case_open guarantees it
        raise DomainError(_("案件缺少工作人员。"), code="staff_required")
    rows = list(
        StaffMember.objects.select_for_update(of=("self",))
        .select_related("institution__organisation")
        .filter(
            id_number_index=staff.id_number_index,
            institution__organisation__province_id=case.province_id,
            is_active=True,
        )
        .order_by("pk")
    )
    # The decision binds the whole province: rows at institutions outside the deciding
    # official's region are deactivated in the case's name (the audit names the case).
    on_behalf = Actor.system(f"{actor.label}（{case.number}）"[:128])
    for member in rows:
        acting = actor if supervises(actor, member.institution) else on_behalf
        registry.staff_deactivate(actor=acting, member=member)
        record(
            EffectKind.QUALIFICATION_REMOVED,
            member,
            _("%(institution)s %(kind)s")
            % {
                "institution": member.institution.name,
                "kind": member.get_kind_display(),
            },
        )
    years = policy_for(case.province).staff_ban_years
    case.ban_until = years_later(record.today, years)
    record(
        EffectKind.BARRED,
        staff,
        _("%(until)s前不得参与职业技能等级认定工作") % {"until": case.ban_until.isoformat()},
        ends_on=case.ban_until,
    )


def _institution_effects(actor: Actor, case: ViolationCase, record: _Recorder) -> None:
    """川人社办发〔2020〕20号 六(五); 云人社函〔2023〕1号 三(三): 限期整改 → 暂停 → 取消备案."""
    institution = case.institution
    reason = _("违纪违规案件%(number)s：%(facts)s") % {
        "number": case.number,
        "facts": case.facts[:300],
    }
    if case.grade == CaseGrade.REVOKE:
        institution = lifecycle.institution_revoke(
            actor=actor, institution=institution, reason=reason
        )
        record(EffectKind.FILING_REVOKED, institution, _("取消备案并移出评价机构目录"))
        return
    days = policy_for(case.province).rectification_working_days
    due = deadline(record.today, days).due
    case.rectification_due = due
    if case.grade == CaseGrade.SUSPEND:
        institution = lifecycle.institution_suspend(
            actor=actor, institution=institution, reason=reason, rectification_due=due
        )
        record(
            EffectKind.SUSPENDED,
            institution,
            _("暂停认定活动，%(due)s前完成整改") % {"due": due.isoformat()},
        )
        return
    # 责令限期整改: the directory has no status for it, so the deadline lives on the case.
    listed = {DirectoryStatus.ACTIVE, DirectoryStatus.SUSPENDED}
    current = Institution.objects.select_for_update().get(pk=institution.pk)
    if current.status not in listed:
        raise InvalidTransition(
            _("该机构目录状态为“%(status)s”，不能责令整改。")
            % {"status": current.get_status_display()},
            code="not_listed",
        )
    record(
        EffectKind.RECTIFICATION,
        current,
        _("%(due)s前完成整改") % {"due": due.isoformat()},
        ends_on=due,
    )


def case_decide(
    *, actor: Actor, case: ViolationCase, decision: str, today: date | None = None
) -> ViolationCase:
    """Decide an open case: apply the grade's effects through the owning services, record
    each in the case and the subject's integrity record, open the appeal window."""
    if not can_decide(actor, case):
        raise PermissionDenied(_("只有该机构的属地人社部门可以作出处理决定。"))
    decision = _text(decision, TEXT_MAX, _("请填写处理决定。"), "decision_required")
    with transaction.atomic():
        locked = _lock(case)
        if locked.status != CaseStatus.OPEN:
            raise InvalidTransition(_("该案件已作出处理决定。"), code="not_open")
        day = today or timezone.localdate()
        record = _Recorder(locked, day, timezone.now())
        if locked.subject_kind == SubjectKind.CANDIDATE:
            _candidate_effects(actor, locked, record)
        elif locked.subject_kind == SubjectKind.STAFF:
            _staff_effects(actor, locked, record)
        else:
            _institution_effects(actor, locked, record)
        policy = policy_for(locked.province)
        locked.appeal_due = deadline(day, policy.appeal_working_days).due
        locked.status = CaseStatus.DECIDED
        locked.decision = decision
        locked.decided_at = record.now
        locked.decided_by_label = actor.label[:128]
        locked.save(
            update_fields=[
                "status",
                "decision",
                "decided_at",
                "decided_by_label",
                "appeal_due",
                "ban_until",
                "rectification_due",
            ]
        )
        audit_record(
            actor=actor,
            action="supervision.case_decide",
            obj=locked,
            organisation=locked.institution.organisation,
            changes={
                "status": [CaseStatus.OPEN, CaseStatus.DECIDED],
                "grade": locked.grade,
                "effects": record.applied,
                "ban_until": locked.ban_until,
                "rectification_due": locked.rectification_due,
                "appeal_due": locked.appeal_due,
            },
        )
    return locked


def case_close(*, actor: Actor, case: ViolationCase, today: date | None = None) -> ViolationCase:
    """Close a decided case once the appeal window has passed with no appeal."""
    if not can_decide(actor, case):
        raise PermissionDenied(_("只有该机构的属地人社部门可以结案。"))
    day = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock(case)
        if locked.status != CaseStatus.DECIDED:
            raise InvalidTransition(_("只有已处理且未在复核中的案件可以结案。"), code="not_decided")
        if locked.appeal_due is not None and day <= locked.appeal_due:
            raise DomainError(
                _("申请复核期限（%(due)s）未满，暂不能结案。")
                % {"due": locked.appeal_due.isoformat()},
                code="appeal_window_open",
            )
        locked.status = CaseStatus.CLOSED
        locked.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="supervision.case_close",
            obj=locked,
            organisation=locked.institution.organisation,
            changes={"status": [CaseStatus.DECIDED, CaseStatus.CLOSED]},
        )
    return locked


def case_rectification_confirm(*, actor: Actor, case: ViolationCase) -> ViolationCase:
    """Record that the institution completed the rectification a case ordered (整改验收,
    川人社办发〔2020〕20号 六(五)); credit reads whether it was on time."""
    if not can_decide(actor, case):
        raise PermissionDenied(_("只有该机构的属地人社部门可以确认整改完成。"))
    with transaction.atomic():
        locked = _lock(case)
        if locked.rectification_due is None or locked.status == CaseStatus.OPEN:
            raise InvalidTransition(_("该案件没有责令整改。"), code="no_rectification")
        if locked.rectified_at is not None:
            raise InvalidTransition(_("已确认整改完成。"), code="already_rectified")
        locked.rectified_at = timezone.now()
        locked.save(update_fields=["rectified_at"])
        audit_record(
            actor=actor,
            action="supervision.case_rectified",
            obj=locked,
            organisation=locked.institution.organisation,
            changes={
                "rectification_due": locked.rectification_due,
                "rectified_on": timezone.localdate(locked.rectified_at),
            },
        )
    return locked


# --- appeals -----------------------------------------------------------------------------


def appeal_file(
    *, actor: Actor, case: ViolationCase, grounds: str, today: date | None = None
) -> Appeal:
    """The subject asks for a review (申请复核) within the appeal window; one at a time."""
    if not is_subject(actor, case):
        raise PermissionDenied(_("只有被处理人本人（或被处理机构的管理员）可以申请复核。"))
    grounds = _text(grounds, TEXT_MAX, _("请填写申请复核的理由。"), "grounds_required")
    day = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock(case)
        if Appeal.objects.filter(case=locked, status=AppealStatus.FILED).exists():
            raise InvalidTransition(_("已有待复核的申请。"), code="appeal_open")
        if locked.status != CaseStatus.DECIDED:
            raise InvalidTransition(_("该案件当前不能申请复核。"), code="not_decided")
        if locked.appeal_due is None or day > locked.appeal_due:
            raise DomainError(
                _("已超过申请复核期限（%(due)s）。")
                % {"due": locked.appeal_due.isoformat() if locked.appeal_due else "—"},
                code="appeal_late",
            )
        appeal = Appeal.objects.create(
            case=locked,
            grounds=grounds,
            filed_by_label=actor.label[:128],
            filed_at=timezone.now(),
        )
        locked.status = CaseStatus.APPEALED
        locked.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="supervision.appeal_file",
            obj=locked,
            organisation=locked.institution.organisation,
            changes={"appeal": appeal.pk, "status": [CaseStatus.DECIDED, CaseStatus.APPEALED]},
        )
    return appeal


def appeal_decide(*, actor: Actor, appeal: Appeal, upheld: bool, note: str) -> Appeal:
    """Decide an appeal. Upheld: the case's bars, integrity records and effects are lifted;
    voided results and revoked certificates are not restored (a certificate is issued
    again only through the normal process). Either way the case is closed."""
    case = appeal.case
    if not can_decide(actor, case):
        raise PermissionDenied(_("只有该机构的属地人社部门可以办理复核。"))
    note = _text(note, TEXT_MAX, _("请填写复核意见。"), "note_required")
    with transaction.atomic():
        locked_case = _lock(case)
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if locked.status != AppealStatus.FILED or locked_case.status != CaseStatus.APPEALED:
            raise InvalidTransition(_("该复核申请已办理。"), code="not_filed")
        now = timezone.now()
        lifted_effects: list[int] = []
        if upheld:
            lifted_effects = list(
                CaseEffect.objects.filter(case=locked_case, lifted_at__isnull=True).values_list(
                    "pk", flat=True
                )
            )
            CaseEffect.objects.filter(pk__in=lifted_effects).update(lifted_at=now)
            IntegrityRecord.objects.filter(case=locked_case, lifted_at__isnull=True).update(
                lifted_at=now
            )
        locked.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
        locked.outcome_note = note
        locked.decided_at = now
        locked.decided_by_label = actor.label[:128]
        locked.save(update_fields=["status", "outcome_note", "decided_at", "decided_by_label"])
        locked_case.status = CaseStatus.CLOSED
        locked_case.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="supervision.appeal_decide",
            obj=locked_case,
            organisation=locked_case.institution.organisation,
            changes={
                "appeal": locked.pk,
                "outcome": locked.status,
                "effects_lifted": lifted_effects,
                "status": [CaseStatus.APPEALED, CaseStatus.CLOSED],
            },
        )
    return locked
