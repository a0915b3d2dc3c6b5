"""The province policy: every deadline and limit code reads instead of a literal."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from skillcert.core.models.organisations import Region


def _days(label: StrOrPromise, default: int) -> models.PositiveSmallIntegerField[int, int]:
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )


def _level(label: StrOrPromise, default: int) -> models.PositiveSmallIntegerField[int, int]:
    # Levels run 5 (五级/初级工) down to 1 (一级/高级技师): a cap of 4 allows 5 and 4.
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )


class ProvincePolicy(models.Model):
    """Rules that differ by province (DESIGN.md "Rules with numbers"), editable by its officials."""

    province = models.OneToOneField(
        Region, on_delete=models.PROTECT, primary_key=True, related_name="policy"
    )
    # 川人社办发〔2020〕20号 附件3: decide to accept a filing within 10 working days.
    filing_decision_working_days = _days(_("备案受理决定时限（工作日）"), 10)
    # 沪人社职〔2022〕102号: filing valid 3 years; renewal window before expiry (Fujian practice).
    filing_validity_years = models.PositiveSmallIntegerField(_("备案有效期（年）"), default=3)
    filing_renewal_window_days = _days(_("到期前可申请延续（日）"), 90)
    # 川人社办发〔2020〕20号 附件4: plan filed within 30 working days after enrollment closes.
    batch_plan_filing_working_days = _days(_("认定计划备案时限（工作日）"), 30)
    # National standards §1.9 and 附件1: staffing ratios.
    candidates_per_proctor = _days(_("每名监考人员对应考生数"), 15)
    min_proctors_per_room = _days(_("每考场最少监考人员"), 2)
    min_examiners = _days(_("操作技能考核最少考评员（奇数）"), 3)
    candidates_per_examiner = _days(_("每名考评员对应考生数"), 5)
    min_review_panel = _days(_("综合评审最少评委（奇数）"), 3)
    min_examiners_per_occupation = _days(_("每职业最少备案考评员"), 3)
    # National standards §1.9: durations.
    theory_min_minutes = _days(_("理论知识考试最短时长（分钟）"), 90)
    review_min_minutes = _days(_("综合评审最短时长（分钟）"), 30)
    pass_mark = models.PositiveSmallIntegerField(
        _("各科合格分"), default=60, validators=[MaxValueValidator(100)]
    )
    # Provincial practice: publicity and objections.
    publicity_working_days = _days(_("成绩公示期（工作日）"), 5)
    objection_working_days = _days(_("复核申请时限（工作日）"), 15)
    # 沪人社职〔2022〕102号: results filed within 5 working days after the last session.
    results_filing_working_days = _days(_("成绩备案时限（工作日）"), 5)
    # Practice (not a notice): examiners' totals further apart than this are re-scored.
    rescore_spread_points = models.PositiveSmallIntegerField(
        _("考评员评分分差复评阈值（分）"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    # A candidate who fails a component may retake it this many times (one institution's
    # plan: 单项不合格可补考一次); 0 allows none.
    retakes_allowed = models.PositiveSmallIntegerField(
        _("单科补考次数"), default=1, validators=[MaxValueValidator(3)]
    )
    # 沪人社职〔2022〕102号: level caps by school type.
    secondary_vocational_level_cap = _level(_("中职学校最高可评等级"), 4)
    higher_vocational_level_cap = _level(_("高职及本科院校最高可评等级"), 3)
    # 云人社函〔2023〕1号 二(一): the authority spot-checks a share of each batch's applications.
    spot_check_percent = models.PositiveSmallIntegerField(
        _("资格审核抽查比例（%）"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    examiner_max_consecutive_batches = _days(_("考评员在同一机构连续任职批次上限"), 3)
    # 云人社函〔2023〕1号 二(三): ≥5 years and ≥3 years; 川人社办发〔2020〕20号 附件4: 2 years.
    retention_data_years = _days(_("音视频及电子数据保存年限"), 5)
    retention_process_years = _days(_("过程性资料保存年限"), 3)
    # 云人社通〔2023〕23号: a province's target of student certifications (1.2 million by
    # 2025 in Yunnan); 0 means the province has set none.
    student_target_count = models.PositiveIntegerField(_("学生取证目标（人次）"), default=0)
    student_target_year = models.PositiveSmallIntegerField(
        _("学生取证目标年份"), null=True, blank=True
    )
    # 沪人社职〔2022〕102号: 80% of majors covered by certification.
    major_coverage_target_percent = models.PositiveSmallIntegerField(
        _("专业覆盖目标（%）"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("省级政策参数")
        verbose_name_plural = _("省级政策参数")

    def __str__(self) -> str:
        return f"{self.province.name} · {self._meta.verbose_name}"
