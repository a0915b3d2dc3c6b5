from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OccupationTier(models.IntegerChoices):
    """The four tiers of the 职业分类大典 code D-DD-DD-DD."""

    MAJOR = 1, _("大类")
    MIDDLE = 2, _("中类")
    MINOR = 3, _("小类")
    OCCUPATION = 4, _("职业")


class CatalogSource(models.TextChoices):
    CSCO2022 = "csco2022", _("2022年版职业分类大典")
    PUBLISHED = "published", _("人社部后续发布")


class StandardKind(models.TextChoices):
    NATIONAL = "national", _("国家职业技能标准")
    SPECIFICATION = "specification", _("评价规范")


class WeightTable(models.TextChoices):
    """The two tables of a standard's 权重表."""

    THEORY = "theory", _("理论知识权重表")
    SKILL = "skill", _("技能要求权重表")


class SchoolType(models.TextChoices):
    """School types named in the eligibility routes of the national template."""

    TECHNICAL_SCHOOL = "technical_school", _("技工学校")
    SENIOR_TECHNICAL_SCHOOL = "senior_technical_school", _("高级技工学校")
    TECHNICIAN_COLLEGE = "technician_college", _("技师学院")
    SECONDARY_VOCATIONAL = "secondary_vocational", _("中等职业学校")
    HIGHER_VOCATIONAL = "higher_vocational", _("高等职业学校")
    VOCATIONAL_UNDERGRADUATE = "vocational_undergraduate", _("职业本科学校")
    UNDERGRADUATE = "undergraduate", _("普通本科院校")


class EducationLevel(models.IntegerChoices):
    """Highest education, ordered so a route's minimum compares with >=."""

    SECONDARY = 1, _("中专/高中及以下")
    COLLEGE = 2, _("大专")
    BACHELOR = 3, _("本科")
    MASTER = 4, _("硕士研究生")
    DOCTOR = 5, _("博士研究生")
