"""The records registry: what each record type of a batch's archive is, how long it is
kept, on which clause, which rows hold it and how its items are counted; and the
retention class of every model of the system (云人社函〔2023〕1号 二(三), DESIGN.md step 9).

云人社函〔2023〕1号 二(三) keeps three lists: 1 长期保管 (applications, evidence, pledges,
the rosters), 2 保存5年以上 (the video of the whole process and the full electronic data),
3 保存3年以上 (plan notice, theory papers, score sheets, results notice, certificate
summary, change requests, session arrangements, sign-in sheets, session records). The two
limited periods are the province policy's ``retention_data_years`` and
``retention_process_years``. 川人社办发〔2020〕20号 附件4 keeps process documents 2 years:
the 3-year default covers it (the longer period satisfies both).

``MODEL_CLASSES`` classifies every concrete model of the skillcert apps: a record type of
the batch archive (and the lookup from the row to its batch), a retention class of its
own for records not bound to one batch, or "not a record" with the reason. A test fails
on any model left out, so a new model has to be classified here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from skillcert.archives.choices import RecordType, RetentionClass
from skillcert.batches.choices import StaffRole
from skillcert.batches.models import Batch, Session, StaffAssignment
from skillcert.certificates.models import Certificate, ChangeRequest
from skillcert.core.models import ProvincePolicy
from skillcert.enrollment.models import Application, Evidence, SeatAssignment
from skillcert.exams.models import Attempt, CheckIn
from skillcert.itembank.models import Paper
from skillcert.results.models import BatchResults, ExaminerSheet
from skillcert.supervision.models import Inspection, ViolationCase

BASIS_LONG = "云人社函〔2023〕1号 二(三)1"
BASIS_DATA = "云人社函〔2023〕1号 二(三)2"
BASIS_PROCESS = "云人社函〔2023〕1号 二(三)3"
BASIS_SUPERVISION = "川人社办发〔2020〕20号 附件4（全程可追溯）"
BASIS_INTEGRITY = "云人社函〔2023〕1号 三(三)（诚信档案长期记录）"

# The ids of the rows a record type holds for one batch (a flat ``values_list``); their
# number is the record's item count and the list is frozen into its inventory.
Ids = Callable[[Batch], "QuerySet[Any]"]


@dataclass(frozen=True)
class RecordSpec:
    """One record type of a batch's archive."""

    record_type: RecordType
    retention_class: RetentionClass
    basis: str
    description: str | Promise
    models: tuple[str, ...]  # model labels of the rows that hold it
    ids: Ids

    @property
    def label(self) -> str:
        return str(self.record_type.label)

    def years(self, policy: ProvincePolicy) -> int | None:
        """The province's years for this class; None for long-term records."""
        return retention_years(self.retention_class, policy)


def retention_years(retention_class: str, policy: ProvincePolicy) -> int | None:
    if retention_class == RetentionClass.DATA:
        return int(policy.retention_data_years)
    if retention_class == RetentionClass.PROCESS:
        return int(policy.retention_process_years)
    return None


# --- how each type's rows are found for a batch ------------------------------------------


def _applications(batch: Batch) -> QuerySet[Any]:
    return Application.objects.filter(batch=batch).values_list("pk", flat=True)


def _evidence(batch: Batch) -> QuerySet[Any]:
    return Evidence.objects.filter(application__batch=batch).values_list("pk", flat=True)


def _pledges(batch: Batch) -> QuerySet[Any]:
    signed = Application.objects.filter(batch=batch, pledge_signed_at__isnull=False)
    return signed.values_list("pk", flat=True)


def _certified(batch: Batch) -> QuerySet[Any]:
    return Certificate.objects.filter(batch=batch).values_list("pk", flat=True)


def _staff(*roles: str) -> Ids:
    def ids(batch: Batch) -> QuerySet[Any]:
        rows = StaffAssignment.objects.filter(batch=batch, role__in=roles)
        return rows.values_list("staff_id", flat=True).distinct()

    return ids


def _sessions(batch: Batch) -> QuerySet[Any]:
    return Session.objects.filter(batch=batch).values_list("pk", flat=True)


def _attempts(batch: Batch) -> QuerySet[Any]:
    rows = Attempt.objects.filter(sitting__session__batch=batch)
    return rows.values_list("pk", flat=True)


def _plan(batch: Batch) -> QuerySet[Any]:
    return Batch.objects.filter(pk=batch.pk).values_list("pk", flat=True)


def _papers(batch: Batch) -> QuerySet[Any]:
    rows = Paper.objects.filter(sittings__session__batch=batch)
    return rows.values_list("pk", flat=True).distinct()


def _score_sheets(batch: Batch) -> QuerySet[Any]:
    rows = ExaminerSheet.objects.filter(application__batch=batch)
    return rows.values_list("pk", flat=True)


def _results_notice(batch: Batch) -> QuerySet[Any]:
    rows = BatchResults.objects.filter(batch=batch, published_at__isnull=False)
    return rows.values_list("pk", flat=True)


def _change_requests(batch: Batch) -> QuerySet[Any]:
    rows = ChangeRequest.objects.filter(certificate__batch=batch)
    return rows.values_list("pk", flat=True)


def _seats(batch: Batch) -> QuerySet[Any]:
    return SeatAssignment.objects.filter(session__batch=batch).values_list("pk", flat=True)


def _checkins(batch: Batch) -> QuerySet[Any]:
    return CheckIn.objects.filter(session__batch=batch).values_list("pk", flat=True)


def _supervision(batch: Batch) -> QuerySet[Any]:
    return Inspection.objects.filter(batch=batch).values_list("pk", flat=True)


def _violations(batch: Batch) -> QuerySet[Any]:
    return ViolationCase.objects.filter(batch=batch).values_list("pk", flat=True)


_LONG, _DATA, _PROCESS = RetentionClass.LONG_TERM, RetentionClass.DATA, RetentionClass.PROCESS

SPECS: tuple[RecordSpec, ...] = (
    # 二(三)1 长期保管.
    RecordSpec(
        RecordType.APPLICATIONS,
        _LONG,
        BASIS_LONG,
        _("参评人员的申报表（含申报条件、审核结论）。"),
        ("enrollment.Application", "enrollment.SpotCheckDraw", "enrollment.SpotCheck"),
        _applications,
    ),
    RecordSpec(
        RecordType.EVIDENCE,
        _LONG,
        BASIS_LONG,
        _("参评人员上传的学历、工作年限、原证书等资格佐证材料。"),
        ("enrollment.Evidence",),
        _evidence,
    ),
    RecordSpec(
        RecordType.PLEDGES,
        _LONG,
        BASIS_LONG,
        _("参评人员签署的真实性书面承诺（时间、终端、承诺文本摘要）。"),
        ("enrollment.Application",),
        _pledges,
    ),
    RecordSpec(
        RecordType.CANDIDATE_ROSTER,
        _LONG,
        BASIS_LONG,
        _("本批次全部参评人员名册。"),
        ("enrollment.Application",),
        _applications,
    ),
    RecordSpec(
        RecordType.CERTIFIED_ROSTER,
        _LONG,
        BASIS_LONG,
        _("本批次获证人员名册（证书编号、版本）。"),
        ("certificates.Certificate", "certificates.CertificateVersion"),
        _certified,
    ),
    RecordSpec(
        RecordType.EXAMINER_ROSTER,
        _LONG,
        BASIS_LONG,
        _("本批次考评人员及综合评审委员名册。"),
        ("batches.StaffAssignment", "results.Panel", "results.PanelMember"),
        _staff(StaffRole.EXAMINER, StaffRole.REVIEW_PANEL),
    ),
    RecordSpec(
        RecordType.SUPERVISOR_ROSTER,
        _LONG,
        BASIS_LONG,
        _("本批次内部质量督导人员名册。"),
        ("batches.StaffAssignment",),
        _staff(StaffRole.INTERNAL_SUPERVISOR),
    ),
    # 二(三)2 保存5年以上.
    RecordSpec(
        RecordType.VIDEO,
        _DATA,
        BASIS_DATA,
        _("各场次认定全过程视频资料（由机构保存于录像存储，此处登记存放位置）。"),
        ("batches.Session",),
        _sessions,
    ),
    RecordSpec(
        RecordType.ELECTRONIC_DATA,
        _DATA,
        BASIS_DATA,
        _("机考作答、作答日志、阅卷及成绩计算的整套电子数据。"),
        (
            "exams.Attempt",
            "exams.Answer",
            "exams.AttemptEvent",
            "exams.SubjectiveGrade",
            "results.ComponentScore",
            "results.Result",
            "results.Objection",
            "results.CertificateRevocation",
            "results.PanelCandidate",
        ),
        _attempts,
    ),
    # 二(三)3 保存3年以上.
    RecordSpec(
        RecordType.PLAN_NOTICE,
        _PROCESS,
        BASIS_PROCESS,
        _("认定计划及其报备、审核记录。"),
        ("batches.Batch",),
        _plan,
    ),
    RecordSpec(
        RecordType.THEORY_PAPERS,
        _PROCESS,
        BASIS_PROCESS,
        _("本批次理论知识考试使用的试卷。"),
        ("exams.Sitting",),
        _papers,
    ),
    RecordSpec(
        RecordType.SCORE_SHEETS,
        _PROCESS,
        BASIS_PROCESS,
        _("考评人员独立评分的实操评分表。"),
        ("results.ScoringSheet", "results.SheetItem", "results.ExaminerSheet"),
        _score_sheets,
    ),
    RecordSpec(
        RecordType.RESULTS_NOTICE,
        _PROCESS,
        BASIS_PROCESS,
        _("认定成绩公示名单及备案审核记录。"),
        ("results.BatchResults",),
        _results_notice,
    ),
    RecordSpec(
        RecordType.CERTIFICATE_SUMMARY,
        _PROCESS,
        BASIS_PROCESS,
        _("上报的证书数据汇总表（每张证书一行）及上报记录。"),
        ("certificates.IssuanceRun", "certificates.OutboxMessage"),
        _certified,
    ),
    RecordSpec(
        RecordType.CHANGE_REQUESTS,
        _PROCESS,
        BASIS_PROCESS,
        _("修改或遗失补发证书申请表及其证明材料。"),
        ("certificates.ChangeRequest",),
        _change_requests,
    ),
    RecordSpec(
        RecordType.SESSION_ARRANGEMENTS,
        _PROCESS,
        BASIS_PROCESS,
        _("考场安排及座位编排。"),
        ("enrollment.SeatAssignment",),
        _seats,
    ),
    RecordSpec(
        RecordType.SIGNIN_SHEETS,
        _PROCESS,
        BASIS_PROCESS,
        _("各场次签到记录。"),
        ("exams.CheckIn",),
        _checkins,
    ),
    RecordSpec(
        RecordType.SESSION_RECORDS,
        _PROCESS,
        BASIS_PROCESS,
        _("各场次考场记录表（开考、收卷、异常情况）。"),
        ("exams.Incident",),
        _sessions,
    ),
    # Beyond the list: the HR side's records about the batch.
    RecordSpec(
        RecordType.SUPERVISION_RECORDS,
        _PROCESS,
        BASIS_SUPERVISION,
        _("人社部门对本批次的监督检查及督导记录（按过程资料保存）。"),
        (
            "supervision.Inspection",
            "supervision.InspectionAssignment",
            "supervision.Finding",
            "supervision.InspectionEvidence",
            "supervision.SupervisionNote",
        ),
        _supervision,
    ),
    RecordSpec(
        RecordType.VIOLATION_RECORDS,
        _LONG,
        BASIS_INTEGRITY,
        _("涉及本批次的违纪违规处理记录，记入诚信档案，长期保存。"),
        ("supervision.ViolationCase", "supervision.CaseEffect", "supervision.Appeal"),
        _violations,
    ),
)

REGISTRY: dict[str, RecordSpec] = {spec.record_type.value: spec for spec in SPECS}

# The eighteen types of 云人社函〔2023〕1号 二(三) 1–3, in the notice's order.
NOTICE_TYPES: tuple[RecordType, ...] = tuple(RecordType)[:18]


def spec_for(record_type: str) -> RecordSpec:
    return REGISTRY[record_type]


# --- every model's class ------------------------------------------------------------------


@dataclass(frozen=True)
class ModelClass:
    """How long a model's rows are kept. Exactly one of ``record_type`` (a record of a
    batch's archive; ``batch_path`` leads from the row to its batch), ``retention_class``
    (a record not bound to one batch) or ``not_a_record`` (the reason) applies."""

    record_type: RecordType | None = None
    batch_path: str = ""
    retention_class: RetentionClass | None = None
    not_a_record: str = ""
    note: str = ""


def _batch(record_type: RecordType, path: str) -> ModelClass:
    return ModelClass(record_type=record_type, batch_path=path)


def _kept(retention_class: RetentionClass, note: str) -> ModelClass:
    return ModelClass(retention_class=retention_class, note=note)


def _none(reason: str) -> ModelClass:
    return ModelClass(not_a_record=reason)


_T = RecordType

MODEL_CLASSES: dict[str, ModelClass] = {
    # core
    "core.AuditEvent": _kept(_LONG, "审计日志：追加写入、哈希链，长期保存"),
    "core.AuditChainHead": _none("审计哈希链的链头指针"),
    "core.HolidaySchedule": _none("参考数据：节假日安排"),
    "core.HolidayDay": _none("参考数据：节假日安排"),
    "core.Region": _none("参考数据：行政区划"),
    "core.Organisation": _kept(_LONG, "单位登记信息，档案的归属主体"),
    "core.User": _kept(_LONG, "用户账户，审计记录的行为人"),
    "core.Membership": _kept(_LONG, "用户的单位角色，审计记录的行为人身份"),
    "core.Job": _none("后台任务的进度记录"),
    "core.ProvincePolicy": _none("配置：省级政策参数"),
    "core.ApiToken": _none("配置：接口访问令牌"),
    # catalog
    "catalog.Occupation": _none("参考数据：职业分类"),
    "catalog.WorkType": _none("参考数据：工种"),
    "catalog.Standard": _none("参考数据：评价标准"),
    "catalog.StandardLevel": _none("参考数据：标准等级及申报条件"),
    "catalog.WeightRow": _none("参考数据：权重表"),
    # institutions: filings decide what an institution may certify (长期).
    "institutions.Institution": _kept(_LONG, "评价机构登记信息"),
    "institutions.Site": _kept(_LONG, "机构场地，批次考场的依据"),
    "institutions.StaffMember": _kept(_LONG, "机构人员名册（考评、督导人员）"),
    "institutions.ExaminerQualification": _kept(_LONG, "考评人员资格"),
    "institutions.FilingApplication": _kept(_LONG, "备案申请"),
    "institutions.FilingScopeLine": _kept(_LONG, "备案申请的范围"),
    "institutions.FilingMaterial": _kept(_LONG, "备案申请材料"),
    "institutions.ExpertOpinion": _kept(_LONG, "备案专家评估意见"),
    "institutions.OnsiteCheck": _kept(_LONG, "备案现场核查记录"),
    "institutions.Filing": _kept(_LONG, "备案回执"),
    "institutions.ScopeEntry": _kept(_LONG, "备案范围"),
    "institutions.DirectoryNotice": _kept(_LONG, "目录公告"),
    "institutions.SerialCounter": _none("编号计数器"),
    # batches
    "batches.Room": _none("参考数据：考场房间"),
    "batches.Batch": _batch(_T.PLAN_NOTICE, ""),
    "batches.Session": _batch(_T.SESSION_ARRANGEMENTS, "batch"),
    "batches.StaffAssignment": _batch(_T.EXAMINER_ROSTER, "batch"),
    # enrollment
    "enrollment.Person": _kept(_LONG, "人员基本信息，终身技能档案的主体"),
    "enrollment.EducationRecord": _kept(_LONG, "人员学历记录（资格审核依据）"),
    "enrollment.StudentStatus": _kept(_LONG, "人员学籍记录（资格审核依据）"),
    "enrollment.WorkRecord": _kept(_LONG, "人员工作经历（资格审核依据）"),
    "enrollment.HeldCertificate": _kept(_LONG, "人员已持证书（资格审核依据）"),
    "enrollment.RegistryImport": _kept(_PROCESS, "学籍数据导入批次"),
    "enrollment.StudentRegistryRecord": _kept(_PROCESS, "教育部门共享的学籍数据"),
    "enrollment.Application": _batch(_T.APPLICATIONS, "batch"),
    "enrollment.Evidence": _batch(_T.EVIDENCE, "application__batch"),
    "enrollment.SeatAssignment": _batch(_T.SESSION_ARRANGEMENTS, "session__batch"),
    "enrollment.SpotCheckDraw": _batch(_T.APPLICATIONS, "batch"),
    "enrollment.SpotCheck": _batch(_T.APPLICATIONS, "draw__batch"),
    # itembank: the bank is the institution's working material; a batch's papers are
    # archived through the sittings that used them.
    "itembank.AssessmentPoint": _none("题库：鉴定点（工作资料）"),
    "itembank.Item": _none("题库：试题（工作资料，使用过的试题随试卷归档）"),
    "itembank.Blueprint": _none("题库：组卷蓝图"),
    "itembank.Paper": _kept(_PROCESS, "试卷；使用过的试卷随批次理论试卷归档"),
    "itembank.PaperItem": _kept(_PROCESS, "试卷的试题"),
    # exams
    "exams.Sitting": _batch(_T.THEORY_PAPERS, "session__batch"),
    "exams.Attempt": _batch(_T.ELECTRONIC_DATA, "sitting__session__batch"),
    "exams.Answer": _batch(_T.ELECTRONIC_DATA, "attempt__sitting__session__batch"),
    "exams.AttemptEvent": _batch(_T.ELECTRONIC_DATA, "attempt__sitting__session__batch"),
    "exams.Incident": _batch(_T.SESSION_RECORDS, "sitting__session__batch"),
    "exams.CheckIn": _batch(_T.SIGNIN_SHEETS, "session__batch"),
    "exams.SubjectiveGrade": _batch(_T.ELECTRONIC_DATA, "answer__attempt__sitting__session__batch"),
    "exams.ItemStatistic": _none("试题统计（由作答数据计算的缓存）"),
    # results
    "results.ScoringSheet": _batch(_T.SCORE_SHEETS, "batch"),
    "results.SheetItem": _batch(_T.SCORE_SHEETS, "sheet__batch"),
    "results.Panel": _batch(_T.EXAMINER_ROSTER, "batch"),
    "results.PanelMember": _batch(_T.EXAMINER_ROSTER, "panel__batch"),
    "results.PanelCandidate": _batch(_T.ELECTRONIC_DATA, "panel__batch"),
    "results.ExaminerLink": _kept(_LONG, "考评人员回避关系"),
    "results.ExaminerSheet": _batch(_T.SCORE_SHEETS, "application__batch"),
    "results.ComponentScore": _batch(_T.ELECTRONIC_DATA, "application__batch"),
    "results.Result": _batch(_T.ELECTRONIC_DATA, "application__batch"),
    "results.BatchResults": _batch(_T.RESULTS_NOTICE, "batch"),
    "results.Objection": _batch(_T.ELECTRONIC_DATA, "application__batch"),
    "results.CertificateRevocation": _batch(_T.ELECTRONIC_DATA, "application__batch"),
    # certificates
    "certificates.Certificate": _batch(_T.CERTIFIED_ROSTER, "batch"),
    "certificates.CertificateVersion": _batch(_T.CERTIFIED_ROSTER, "certificate__batch"),
    "certificates.IssuanceRun": _batch(_T.CERTIFICATE_SUMMARY, "batch"),
    "certificates.StatusListPublication": _none("公开的证书状态列表（由证书状态生成）"),
    "certificates.ChangeRequest": _batch(_T.CHANGE_REQUESTS, "certificate__batch"),
    "certificates.OutboxMessage": _batch(_T.CERTIFICATE_SUMMARY, "certificate__batch"),
    # supervision: the authorities' own files.
    "supervision.Alert": _kept(_PROCESS, "预警记录"),
    "supervision.ViolationCase": _batch(_T.VIOLATION_RECORDS, "batch"),
    "supervision.CaseEffect": _batch(_T.VIOLATION_RECORDS, "case__batch"),
    "supervision.IntegrityRecord": _kept(_LONG, "诚信档案，长期记录"),
    "supervision.Appeal": _batch(_T.VIOLATION_RECORDS, "case__batch"),
    "supervision.Complaint": _kept(_PROCESS, "投诉举报及答复"),
    "supervision.ComplaintFile": _kept(_PROCESS, "投诉举报证据材料"),
    "supervision.CreditScore": _kept(_LONG, "机构信用评价"),
    "supervision.PoolMember": _none("检查督导人员库（名录数据）"),
    "supervision.CheckItem": _none("参考数据：检查事项清单"),
    "supervision.InspectionPlan": _kept(_PROCESS, "双随机抽查计划"),
    "supervision.DrawRecord": _kept(_PROCESS, "抽取记录（可复现的随机种子）"),
    "supervision.Inspection": _batch(_T.SUPERVISION_RECORDS, "batch"),
    "supervision.InspectionAssignment": _batch(_T.SUPERVISION_RECORDS, "inspection__batch"),
    "supervision.Finding": _batch(_T.SUPERVISION_RECORDS, "inspection__batch"),
    "supervision.InspectionEvidence": _batch(_T.SUPERVISION_RECORDS, "inspection__batch"),
    "supervision.SupervisionNote": _batch(_T.SUPERVISION_RECORDS, "inspection__batch"),
    "supervision.SupervisionPolicy": _none("配置：监管参数"),
    # archives: the archive's own registers are never removed.
    "archives.ArchiveRecord": _kept(_LONG, "档案登记，销毁后仍保留"),
    "archives.LegalHold": _kept(_LONG, "档案保全记录"),
    "archives.DisposalList": _kept(_LONG, "档案销毁清册，永久保存"),
    "archives.DisposalItem": _kept(_LONG, "销毁清册明细，永久保存"),
    "archives.Dossier": _kept(_LONG, "批次档案包登记"),
    # stats
    "stats.BatchStat": _none("统计缓存：由业务记录重新计算"),
    "stats.StaleBatch": _none("统计刷新队列"),
    "stats.StudentCoverage": _none("统计缓存：专业覆盖情况"),
    "stats.TrainingRecord": _kept(_LONG, "终身技能档案的培训记录"),
}


def batch_bound_models() -> dict[str, str]:
    """Model label → the lookup from its rows to their batch ("" for the batch itself)."""
    return {
        label: entry.batch_path
        for label, entry in MODEL_CLASSES.items()
        if entry.record_type is not None
    }


# Archive registers: never deleted, not even by a disposal (the 销毁清册 stays forever).
NEVER_DELETED: tuple[str, ...] = (
    "archives.ArchiveRecord",
    "archives.DisposalList",
    "archives.DisposalItem",
    "archives.LegalHold",
    "archives.Dossier",
)
