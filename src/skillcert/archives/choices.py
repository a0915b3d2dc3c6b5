"""Retention classes and the states of archived records, disposal lists and dossiers
(DESIGN.md lifecycle step 9)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RetentionClass(models.TextChoices):
    """云人社函〔2023〕1号 二(三): 长期保管 / 保存5年以上 / 保存3年以上. The years of the two
    limited classes come from the province policy (``retention_data_years``,
    ``retention_process_years``)."""

    LONG_TERM = "long_term", pgettext_lazy("retention", "长期")
    DATA = "data", _("音视频及电子资料（5年以上）")
    PROCESS = "process", _("过程资料（3年以上）")


class RecordStatus(models.TextChoices):
    KEPT = "kept", _("保管中")
    LISTED = "listed", _("已列入销毁清册")
    DISPOSED = "disposed", _("已销毁")


class DisposalStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
    EXECUTED = "executed", _("已执行销毁")
    WITHDRAWN = "withdrawn", _("已撤回")


class DossierStatus(models.TextChoices):
    BUILDING = "building", _("生成中")
    READY = "ready", _("已生成")
    FAILED = "failed", _("生成失败")


class RecordType(models.TextChoices):
    """Every kind of record a batch's archive holds. The first eighteen are the lists of
    云人社函〔2023〕1号 二(三) 1–3; the retention class of each is in ``registry.py``."""

    # 二(三)1 长期保管: 申报表及资格佐证材料、真实性书面承诺, 参评/获证/考评/内部质量督导人员名册.
    APPLICATIONS = "applications", _("职业技能等级认定申报表")
    EVIDENCE = "evidence", _("参评人员资格佐证材料")
    PLEDGES = "pledges", _("真实性书面承诺")
    CANDIDATE_ROSTER = "candidate_roster", _("参评人员名册")
    CERTIFIED_ROSTER = "certified_roster", _("获证人员名册")
    EXAMINER_ROSTER = "examiner_roster", _("考评人员名册")
    SUPERVISOR_ROSTER = "supervisor_roster", _("内部质量督导人员名册")
    # 二(三)2 保存5年以上: 认定全过程的视频资料及整套电子资料.
    VIDEO = "video", _("认定全过程视频资料")
    ELECTRONIC_DATA = "electronic_data", _("整套电子资料")
    # 二(三)3 保存3年以上.
    PLAN_NOTICE = "plan_notice", _("认定计划公告")
    THEORY_PAPERS = "theory_papers", _("理论试卷")
    SCORE_SHEETS = "score_sheets", _("实操评分表")
    RESULTS_NOTICE = "results_notice", _("认定成绩公告")
    CERTIFICATE_SUMMARY = "certificate_summary", _("证书数据汇总表")
    CHANGE_REQUESTS = "change_requests", _("修改或遗失补发证书申请表")
    SESSION_ARRANGEMENTS = "session_arrangements", _("考场安排")
    SIGNIN_SHEETS = "signin_sheets", _("签到表")
    SESSION_RECORDS = "session_records", _("考场记录表")
    # Beyond the list: the HR side's records about the batch.
    SUPERVISION_RECORDS = "supervision_records", _("监督检查记录")
    VIOLATION_RECORDS = "violation_records", _("违纪违规处理记录")
