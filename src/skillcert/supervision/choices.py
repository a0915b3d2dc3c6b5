"""Kinds and states of supervision (DESIGN.md lifecycle step 8)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PoolKind(models.TextChoices):
    """The two databases of 川人社办发〔2020〕20号 五(一) and 人社职司便函〔2020〕53号."""

    INSPECTOR = "inspector", _("执法检查人员")
    EXTERNAL_SUPERVISOR = "external_supervisor", _("外部质量督导员")


class PlanKind(models.TextChoices):
    INSPECTION = "inspection", _("双随机抽查")
    EXTERNAL_SUPERVISION = "external_supervision", _("外部质量督导选派")


class TargetKind(models.TextChoices):
    INSTITUTION = "institution", _("评价机构")
    BATCH = "batch", _("认定批次")
    SESSION = "session", _("考场场次")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    DRAWN = "drawn", _("已抽取")
    COMPLETED = "completed", _("检查完成")
    PUBLISHED = "published", _("结果已公开")


class InspectionStatus(models.TextChoices):
    ASSIGNED = "assigned", _("待检查")
    IN_PROGRESS = "in_progress", _("检查中")
    FINISHED = "finished", _("已完成")


class Compliance(models.TextChoices):
    MEETS = "meets", pgettext_lazy("inspection finding", "符合")
    FAILS = "fails", pgettext_lazy("inspection finding", "不符合")
    NOT_APPLICABLE = "na", _("不适用")


class Conclusion(models.TextChoices):
    """An inspection's conclusion (川人社办发〔2020〕20号 六(五): 限期整改)."""

    PASSED = "passed", _("未发现问题")
    RECTIFY = "rectify", _("发现问题，责令限期整改")
    FAILED = "failed", _("发现严重问题，移交处理")


class NoteKind(models.TextChoices):
    """Lines of the 考场记录表 an external supervisor keeps (人社职司便函〔2020〕53号)."""

    ARRIVAL = "arrival", _("到场")
    CHECK = "check", _("巡查")
    IRREGULARITY = "irregularity", _("问题")
    VIOLATION = "violation", _("违纪违规")
    SUMMARY = "summary", _("督导意见")


class SupervisionMode(models.TextChoices):
    ONSITE = "onsite", _("现场督导")
    ONLINE = "online", _("远程督导")


class SubjectKind(models.TextChoices):
    """Who a violation case is about (人社职司便函〔2021〕57号: 参评人员、工作人员、评价机构)."""

    CANDIDATE = "candidate", _("参评人员")
    STAFF = "staff", _("工作人员")
    INSTITUTION = "institution", _("评价机构")


class CaseGrade(models.TextChoices):
    """Grades of DESIGN.md "Rules with numbers" (national-rules §6)."""

    # Candidates (技能人才评价违纪违规行为处理工作指引)
    MINOR = "minor", _("违纪")
    CHEATING = "cheating", _("作弊")
    SERIOUS = "serious", _("严重违纪违规")
    GRAVE = "grave", _("特别严重违纪违规")
    # Staff (川人社办发〔2020〕20号 六: 违规或失职 → 取消考评或督导资格)
    DERELICTION = "dereliction", _("失职")
    MISCONDUCT = "misconduct", _("违规")
    # Institutions (川人社办发〔2020〕20号 六(五); 云人社函〔2023〕1号 三(三))
    RECTIFY = "rectify", _("限期整改")
    SUSPEND = "suspend", _("暂停认定")
    REVOKE = "revoke", _("取消备案")


GRADES_BY_SUBJECT: dict[str, frozenset[str]] = {
    SubjectKind.CANDIDATE: frozenset(
        {CaseGrade.MINOR, CaseGrade.CHEATING, CaseGrade.SERIOUS, CaseGrade.GRAVE}
    ),
    SubjectKind.STAFF: frozenset({CaseGrade.DERELICTION, CaseGrade.MISCONDUCT}),
    SubjectKind.INSTITUTION: frozenset({CaseGrade.RECTIFY, CaseGrade.SUSPEND, CaseGrade.REVOKE}),
}


class CaseSource(models.TextChoices):
    INSPECTION = "inspection", _("双随机抽查")
    SUPERVISION = "supervision", _("质量督导")
    COMPLAINT = "complaint", _("投诉举报")
    ALERT = "alert", _("预警核查")
    SELF_REPORTED = "self_reported", _("机构报告")
    OTHER = "other", _("其他")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("调查中")
    DECIDED = "decided", _("已处理")
    APPEALED = "appealed", _("复核中")
    CLOSED = "closed", _("已结案")


class EffectKind(models.TextChoices):
    """What a decided case did, each through the owning service; kept in the subject's
    integrity record (诚信档案, 川人社办发〔2020〕20号 五)."""

    SUBJECT_VOID = "subject_void", _("该科目成绩无效")
    RESULT_VOID = "result_void", _("当次全部科目成绩无效")
    CERTIFICATE_REVOKED = "certificate_revoked", _("撤销证书")
    BARRED = "barred", _("禁止参加评价")
    QUALIFICATION_REMOVED = "qualification_removed", _("取消考评或督导资格")
    RECTIFICATION = "rectification", _("责令限期整改")
    SUSPENDED = "suspended", _("暂停认定活动")
    FILING_REVOKED = "filing_revoked", _("取消备案并移出目录")


class AppealStatus(models.TextChoices):
    FILED = "filed", _("待复核")
    UPHELD = "upheld", _("复核成立，撤销处理")
    REJECTED = "rejected", _("复核不成立，维持处理")


class CreditGrade(models.TextChoices):
    A = "A", _("A级（守信）")
    B = "B", _("B级（基本守信）")
    C = "C", _("C级（失信警示）")
    D = "D", _("D级（严重失信）")


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    ASSIGNED = "assigned", _("办理中")
    REPLIED = "replied", _("已答复")
    DECLINED = "declined", _("不予受理")


class AlertRule(models.TextChoices):
    """Early-warning rules (云人社函〔2023〕1号 三; DESIGN.md lifecycle step 8)."""

    LATE_PLAN_FILING = "late_plan_filing", _("认定计划逾期未报备")
    LATE_RESULTS_FILING = "late_results_filing", _("成绩逾期未备案")
    OUT_OF_SCOPE = "out_of_scope", _("超备案范围或备案过期开展认定")
    PASS_RATE = "pass_rate", _("合格率显著高于全省同职业同等级水平")
    ANSWER_PATTERN = "answer_pattern", _("考生答题雷同")
    SHARED_DEVICE = "shared_device", _("多名考生使用同一终端或网络地址")
    GEOFENCE = "geofence", _("签到位置不在考点范围内")
    ELIGIBILITY = "eligibility", _("申报条件核验不符")
    CERTIFICATE_WITHOUT_RESULT = "certificate_without_result", _("证书无已备案的合格成绩")


class AlertSeverity(models.TextChoices):
    NOTICE = "notice", _("提示")
    WARNING = "warning", _("预警")
    SERIOUS = "serious", _("严重")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ASSIGNED = "assigned", _("核查中")
    CLOSED = "closed", _("已办结")


class AlertClosure(models.TextChoices):
    CONFIRMED = "confirmed", _("核实，已立案处理")
    EXPLAINED = "explained", _("核实无问题")
    CORRECTED = "corrected", _("已整改")
